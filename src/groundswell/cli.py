"""The `groundswell` command: parses arguments, calls the library, prints results.

The only module that prints or exits. Heavy imports happen inside each command so that
`groundswell --help` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from groundswell.errors import GroundswellError

COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[Any], int]]] = {}


def command(name: str, help_text: str):
    """Register a subcommand: the decorated function adds arguments, ``run`` does the work."""

    def wrap(add_args: Callable[[argparse.ArgumentParser], None]):
        def bind(run: Callable[[Any], int]):
            COMMANDS[name] = (add_args, run)
            run.help_text = help_text  # type: ignore[attr-defined]
            return run

        return bind

    return wrap


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="groundswell.duckdb", help="store file (default: %(default)s)")


def _open_store(args: Any, read_only: bool = False, **kw: Any):
    from groundswell.store import Store

    return Store(args.db, read_only=read_only, **kw)


# -- ingest ----------------------------------------------------------------------------------
def _ingest_args(p: argparse.ArgumentParser) -> None:
    _db_arg(p)
    p.add_argument("paths", nargs="+", help="files or folders (read recursively); .gz .zst .zip ok")
    p.add_argument("--format", dest="fmt", help="force a reader (default: detect from content)")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="column mapping for generic CSV/JSONL, e.g. --map text=body --map id=post_id",
    )
    p.add_argument("--platform", help="platform name for generic CSV/JSONL (default: generic)")
    p.add_argument(
        "--no-pseudonymise",
        action="store_true",
        help="keep raw author ids and names (only when creating a new store)",
    )
    p.add_argument("--batch-size", type=int, default=20_000, help="records per transaction")
    p.add_argument("--json", action="store_true", help="print the reconciliation as JSON")


@command("ingest", "read exports into the store")(_ingest_args)
def _ingest(args: Any) -> int:
    from groundswell.store import ingest

    options: dict[str, Any] = {}
    if args.map:
        mapping = {}
        for item in args.map:
            field, sep, column = item.partition("=")
            if not sep:
                raise SystemExit(f"groundswell: error: --map expects FIELD=COLUMN, got {item!r}")
            mapping[field.strip()] = column.strip()
        options["mapping"] = mapping
    if args.platform:
        options["platform"] = args.platform
    with _open_store(args, pseudonymise=False if args.no_pseudonymise else None) as store:
        report = ingest(
            args.paths, store, fmt=args.fmt, options=options, batch_size=args.batch_size
        )
    out = report.to_dict()
    if args.json:
        _print_json(out)
    else:
        print(
            f"read {report.read:,}: stored {report.stored:,}, duplicates {report.duplicates:,}, "
            f"reposts {report.reposts:,}, quarantined {report.quarantined:,} "
            f"({report.files} files, {len(report.skipped_files)} skipped)"
        )
        for fmt, n in sorted(report.by_format.items()):
            print(f"  {fmt}: {n:,}")
        for err in report.errors[:10]:
            print(f"  quarantined: {err}", file=sys.stderr)
    return 0


# -- stats / export / forget -----------------------------------------------------------------
def _stats_args(p: argparse.ArgumentParser) -> None:
    _db_arg(p)
    p.add_argument("--json", action="store_true")


@command("stats", "counts of what the store holds")(_stats_args)
def _stats(args: Any) -> int:
    from groundswell.store.stats import stats

    with _open_store(args, read_only=True) as store:
        out = stats(store)
    if args.json:
        _print_json(out)
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    _db_arg(p)
    p.add_argument("--to", choices=["jsonl", "csv", "parquet"], default="jsonl")
    p.add_argument("--out", help="output file (default: posts.<format>)")


@command("export", "write the posts in the schema, authors pseudonymised")(_export_args)
def _export(args: Any) -> int:
    from groundswell.store.export import export_posts

    out = args.out or f"posts.{args.to}"
    with _open_store(args, read_only=True) as store:
        n = export_posts(store, args.to, out)
    print(f"wrote {n:,} rows to {out}", file=sys.stderr)
    return 0


def _forget_args(p: argparse.ArgumentParser) -> None:
    _db_arg(p)
    p.add_argument("--ids", required=True, help="file of post ids or author ids, one per line")
    p.add_argument("--json", action="store_true")


@command("forget", "remove posts or authors and everything derived from them")(_forget_args)
def _forget(args: Any) -> int:
    from groundswell.store.forget import forget, read_id_list

    ids = read_id_list(args.ids)
    with _open_store(args) as store:
        removed = forget(store, ids)
    out = {"ids": len(ids), "removed": removed}
    if args.json:
        _print_json(out)
    else:
        print(
            f"forgot {len(ids)} ids; removed "
            + (", ".join(f"{n} from {t}" for t, n in removed.items()) or "nothing")
        )
    return 0


# -- entry point -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs test)."""
    from groundswell import __version__

    parser = argparse.ArgumentParser(
        prog="groundswell",
        description="An observatory for hashtag movements: ingest, classify, analyze, report.",
    )
    parser.add_argument("--version", action="version", version=f"groundswell {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (add_args, run) in COMMANDS.items():
        p = sub.add_parser(name, help=run.help_text, description=run.help_text)  # type: ignore[attr-defined]
        add_args(p)
        p.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except GroundswellError as exc:
        print(f"groundswell: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "groundswell: interrupted; committed batches are kept, run again to resume",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
