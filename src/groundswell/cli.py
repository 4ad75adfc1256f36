"""The `groundswell` command: parses arguments, calls the library, prints results.

The only module that prints or exits. Heavy imports happen inside each command so that
`groundswell --help` starts fast.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from groundswell import cli_classify  # noqa: F401  (registers classify, predict, train, ...)
from groundswell.cli_args import (
    COMMANDS,
    COUNT,
    DAYS,
    FRACTION,
    PROBABILITY,
    Parser,
    command,
    db_arg,
    engine_args,
    open_store,
    print_json,
    run_command,
    share,
    whole,
)
from groundswell.cli_output import printable

MIN_CELL = 10  # CODEBOOK section 7: no cell under 10 distinct authors (care.MIN_CELL)
PUBLIC_PERSON_AUTHORS = 25  # the default that makes a named person public (people analysis)
AUTHORS = whole(MIN_CELL, 1_000_000_000)  # author thresholds: raised, never below the codebook
ORDER = (  # --help lists the commands in the order the data walks
    "ingest", "stats", "export", "forget", "classify", "predict", "eval", "train", "label",
    "family", "timeline", "people", "pileons", "article", "report", "serve", "demo",
)  # fmt: skip


# -- ingest ----------------------------------------------------------------------------------
def _ingest_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument(
        "paths",
        nargs="+",
        help="files or folders (read recursively); .gz .zst .bz2 .xz .zip .tar ok",
    )
    p.add_argument("--format", dest="fmt", help="force a reader (default: detect from content)")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="column mapping for generic CSV/JSONL, e.g. --map text=body --map id=post_id",
    )
    p.add_argument(
        "--platform",
        help="platform name for generic CSV/JSONL (default: generic) and for 4CAT items whose "
        "columns and file name name none (default: 4cat)",
    )
    p.add_argument(
        "--no-pseudonymise",
        action="store_true",
        help="keep raw author ids and names (only when creating a new store)",
    )
    p.add_argument(
        "--batch-size", type=whole(1, 1_000_000), default=20_000, help="records per transaction"
    )
    engine_args(p)
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
                args.parser.error(f"--map expects FIELD=COLUMN, got {item!r}")
            mapping[field.strip()] = column.strip()
        options["mapping"] = mapping
    if args.platform:
        options["platform"] = args.platform
    from groundswell.store.files import removed_on_failure

    with (
        removed_on_failure(args.db),  # a failed first ingest leaves no empty store behind
        open_store(args, pseudonymise=False if args.no_pseudonymise else None) as store,
    ):
        report = ingest(
            args.paths,
            store,
            fmt=args.fmt,
            options=options,
            batch_size=args.batch_size,
            engine=args.engine,
            address=args.address,
        )
    out = report.to_dict()
    out["errors"] = shown_errors(report.errors)
    if args.json:
        print_json(out)
    else:
        print(
            f"read {report.read:,}: stored {report.stored:,}, duplicates {report.duplicates:,}, "
            f"reposts {report.reposts:,}, quarantined {report.quarantined:,} "
            f"({report.files} files, {len(report.skipped_files)} skipped)"
        )
        for fmt, n in sorted(report.by_format.items()):
            print(f"  {fmt}: {n:,}")
        for err in out["errors"][:10]:  # a file name may hold an ESC sequence
            print(printable(f"  quarantined: {err}"), file=sys.stderr)
    return 0


_AT_LINE = re.compile(r"^(.*?:\d+: )(.*)$", re.DOTALL)


def shown_errors(errors: list[str]) -> list[str]:
    """Ingest's error lines (``file:line: reason``) as the terminal shows text: a reason may
    quote the bad value (an e-mail, a handle, a profile link), so it is masked as the report
    masks the quarantine's reasons (``care.names.fit_to_show``); the store keeps them whole."""
    if not errors:
        return []
    from groundswell.care.names import fit_to_show

    out = []
    for err in errors:
        m = _AT_LINE.match(err)
        out.append(m.group(1) + fit_to_show(m.group(2)) if m else fit_to_show(err))
    return out


# -- stats / export / forget -----------------------------------------------------------------
def _stats_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument("--json", action="store_true")


@command("stats", "counts of what the store holds, act shares corrected for errors")(_stats_args)
def _stats(args: Any) -> int:
    from groundswell.store.stats import act_authors, stats

    with open_store(args, read_only=True) as store:
        out = stats(store)
        if "acts" in out:
            from groundswell.classify import act_shares

            out["act_shares"] = _withheld_shares(act_shares(store), act_authors(store))
    if args.json:
        print_json(out)
        return 0
    from groundswell.cli_output import print_stats

    shares = out.pop("act_shares", None)
    print_stats(out)
    if shares:
        _print_shares(shares)
    return 0


_SHARE_FIELDS = ("count", "raw_share", "share", "low", "high")


def _withheld_shares(est: dict[str, Any] | None, authors: dict[str, int]) -> dict[str, Any] | None:
    """The act shares with each act that fewer than 10 distinct authors stand behind withheld:
    its count, shares and interval None, the fields named in its ``suppressed`` list. The shares
    sum to 1, so the smallest other act is withheld beside a lone one too (``withheld`` true)."""
    from groundswell.care import MIN_CELL, complementary_cells

    if not est:
        return est
    rows = [dict(r) if isinstance(r, dict) else r.to_dict() for r in est["shares"]]
    counts = [int(r.get("count") or 0) for r in rows]
    small = [
        n > 0 and authors.get(r["label"], 0) < MIN_CELL for r, n in zip(rows, counts, strict=True)
    ]
    extra = complementary_cells(counts, small)
    for i, row in enumerate(rows):
        row["suppressed"] = [f for f in _SHARE_FIELDS if f in row] if small[i] or i in extra else []
        row["withheld"] = i in extra
        for f in row["suppressed"]:
            row[f] = None
    return {**est, "shares": rows}


def _print_shares(est: dict[str, Any]) -> None:
    """The corrected act shares as a table, with how they were corrected and the domain check;
    an act of fewer than 10 distinct authors reads "< 10"."""
    from groundswell.cli_output import SUPPRESSED, WITHHELD

    print(f"\nact shares ({est['method']}; model {est['model']} {est['version']}):")
    print(f"  {'act':<11}{'posts':>10}{'raw':>8}{'corrected':>11}  95% interval")
    for s in est["shares"]:
        if s.get("withheld"):
            print(f"  {s['label']:<11}{WITHHELD:>10}  (hidden so that a < 10 act stays hidden)")
            continue
        if s.get("suppressed"):
            print(f"  {s['label']:<11}{SUPPRESSED:>10}  (fewer than 10 distinct authors)")
            continue
        print(
            f"  {s['label']:<11}{s['count']:>10,}{s['raw_share']:>8.1%}{s['share']:>11.1%}  "
            f"{s['low']:.1%} to {s['high']:.1%}"
        )
    quality = est.get("quality") or {}
    if est.get("labelled_set"):
        print(f"  corrected with: {est['labelled_set']}")
    if quality.get("macro_f1") is not None:
        print(
            f"  model quality on {quality['n']} real test posts: macro-F1 "
            f"{quality['macro_f1']:.3f}, accuracy {quality['accuracy']:.3f}"
        )
    domain = est.get("domain") or {}
    if domain.get("off_topic"):
        print(f"  warning: {domain['advice']}")


def _export_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument(
        "--to",
        choices=["jsonl", "csv", "parquet", "gexf", "graphml", "edges"],
        default="jsonl",
        help="posts as jsonl, csv or parquet; a network as gexf, graphml or edges (a CSV edge "
        "list) (default: %(default)s)",
    )
    p.add_argument(
        "--out", help="output file or folder (default: posts.<format> or <network>.<format>)"
    )
    p.add_argument(
        "--labels",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="add each post's latest act, its probability and testimony details when the store "
        "is classified (default: on)",
    )
    p.add_argument(
        "--network",
        choices=["interactions", "hashtags"],
        default="interactions",
        help="with gexf, graphml or edges: replies, reposts and mentions between authors, or "
        "hashtags used together (default: %(default)s)",
    )
    p.add_argument(
        "--min-authors",
        type=AUTHORS,
        default=MIN_CELL,
        help="hashtags network: distinct authors a tag pair needs (default and minimum: "
        "%(default)s)",
    )


@command("export", "write the posts, or their networks, with the care rules applied")(_export_args)
def _export(args: Any) -> int:
    from groundswell.store.files import output_file, refuse_store_files

    network = args.to in ("gexf", "graphml", "edges")
    suffix = "csv" if args.to == "edges" else args.to
    name = f"{args.network}.{suffix}" if network else f"posts.{args.to}"
    out = output_file(args.out or name, name)  # its folder is made as it is written
    refuse_store_files(args.db, out)
    with open_store(args, read_only=True) as store:
        if network:
            from groundswell.store.network import export_network

            nodes, edges = export_network(
                store, args.to, out, network=args.network, min_authors=args.min_authors
            )
            print(f"wrote {nodes:,} nodes and {edges:,} edges to {out}", file=sys.stderr)
            return 0
        from groundswell.store.export import export_posts

        n = export_posts(store, args.to, out, labels=args.labels)
    print(f"wrote {n:,} rows to {out}", file=sys.stderr)
    return 0


def _forget_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument(
        "--ids", required=True, help="file of post ids, author ids or handles, one per line"
    )
    p.add_argument("--json", action="store_true")


@command("forget", "remove posts or authors and everything derived from them")(_forget_args)
def _forget(args: Any) -> int:
    from groundswell.store.forget import forget, read_id_list, unmatched_handles

    ids = read_id_list(args.ids)
    with open_store(args) as store:
        unmatched = unmatched_handles(store, ids)
        unkeyed = store.unkeyed_handles
        removed = forget(store, ids)
    out = {"ids": len(ids), "removed": removed}
    if args.json:
        print_json(out)
    else:
        print(
            f"forgot {len(ids)} ids; removed "
            + (", ".join(f"{n} from {t}" for t, n in removed.items()) or "nothing")
        )
    if unmatched:
        why = (
            "posts stored before this store kept a key of each author's handle (it keeps"
            " Twitter, Bluesky and Mastodon authors by their account id) cannot be matched by"
            " handle"
            if unkeyed
            else "posts of exports that name their authors only by account id (a Jetstream"
            " record names just a DID) cannot be matched by handle"
        )
        print(
            f"note: no stored post matched {len(unmatched)} handle(s): {why}."
            " The handles are recorded, so later ingests leave them out; to remove posts already"
            " stored, list each account's id (Twitter's numeric user id, a Bluesky DID) too.",
            file=sys.stderr,
        )
    if ids.errors:
        from groundswell.errors import InputError

        raise InputError(
            f"{ids.errors[0]}; {len(ids.errors):,} lines of the deletion list could not be read"
            " (fix them and run forget again); the other ids were forgotten"
        )
    return 0


# -- demo / report ---------------------------------------------------------------------------
def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="groundswell-demo", help="output folder (default: %(default)s)")
    p.add_argument(
        "--posts", type=whole(1, 5_000_000), default=50_000, help="posts to generate (50000)"
    )
    p.add_argument(
        "--seed", type=whole(0, 2**32 - 1), default=2017, help="random seed (%(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print what each stage did as JSON")


@command("demo", "generate a SYNTHETIC corpus and run every stage on it")(_demo_args)
def _demo(args: Any) -> int:
    from groundswell.demo import run_demo

    result = run_demo(
        args.out,
        posts=args.posts,
        seed=args.seed,
        on_stage=lambda line: print(f"groundswell demo: {line}", file=sys.stderr),
    )
    if args.json:
        print_json(
            {
                "report": str(result.report),
                "store": str(result.store),
                "stages": result.stages,
                "seconds": result.seconds,
                "classify": result.classify,
                "ingest": result.ingest,
                "corpus": result.manifest.to_dict(),
            }
        )
    else:
        ing = result.ingest
        print(
            f"synthetic corpus: {result.manifest.posts:,} posts, {result.manifest.reposts:,} "
            f"reposts in {len(result.manifest.files)} files under {result.out_dir}",
            file=sys.stderr,
        )
        print(
            f"ingest: read {ing['read']:,}, stored {ing['stored']:,}, duplicates "
            f"{ing['duplicates']:,}, reposts {ing['reposts']:,}, quarantined "
            f"{ing['quarantined']:,}; classify: {result.classify}",
            file=sys.stderr,
        )
        print(
            "seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()),
            file=sys.stderr,
        )
        print(result.report)
    return 0


def _report_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument(
        "--out", default="report.html", help="HTML file or folder (default: %(default)s)"
    )
    p.add_argument(
        "--seed", help="the movement's seed tag (default: the store's most used hashtag)"
    )


@command("report", "write the static HTML report of a store")(_report_args)
def _report(args: Any) -> int:
    from pathlib import Path

    from groundswell.errors import StoreError
    from groundswell.report import build_report
    from groundswell.store.files import is_stdout, output_file, refuse_store_files

    out = output_file(args.out, "report.html")
    refuse_store_files(args.db, out)
    if not Path(args.db).exists():  # do not create an empty store just to report on it
        raise StoreError(
            f"{args.db}: no such store; run `groundswell ingest PATH --db {args.db}` "
            "or `groundswell demo` first"
        )
    with open_store(args) as store:
        written = build_report(store, out, seed=args.seed)
    # the path it wrote, on stdout; on stderr when the page itself went to stdout
    print(written, file=sys.stderr if is_stdout(written) else sys.stdout)
    return 0


# -- people ----------------------------------------------------------------------------------
def _people_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--min-authors",
        type=whole(PUBLIC_PERSON_AUTHORS, 1_000_000_000),
        default=PUBLIC_PERSON_AUTHORS,
        help="distinct authors that make a person public; may be raised, never lowered "
        "(default: %(default)s)",
    )
    p.add_argument("--ner", action="store_true", help="also run spaCy NER (extra 'ner')")


@command("people", "named people with roles and attention; others as [private person]")(
    _people_args
)
def _people(args: Any) -> int:
    from pathlib import Path

    from groundswell.analyze.people import PeopleAnalysis, suppressed
    from groundswell.cli_output import cell, json_rows, print_table
    from groundswell.errors import StoreError

    if not Path(args.db).exists():
        raise StoreError(f"{args.db}: no such store; run `groundswell ingest PATH --db {args.db}`")
    analysis = PeopleAnalysis(min_authors=args.min_authors, ner=args.ner)
    with open_store(args) as store:
        frame = analysis.run(store)
    table = suppressed(frame, MIN_CELL)
    params = ", ".join(f"{k} {cell(v)}" for k, v in analysis.params.as_dict().items())
    print(f"parameters: {params}", file=sys.stderr if args.json else sys.stdout)
    if not args.json:
        print_table(table, "no named people found")
        return 0
    days: dict[Any, list[dict[str, Any]]] = {}
    for day in json_rows(suppressed(frame.attrs["attention"], MIN_CELL), suppression=True):
        days.setdefault(day.pop("person"), []).append(day)
    rows = json_rows(table, suppression=True)
    for row in rows:
        row["attention"] = days.get(row["person"], [])
    print_json(rows)
    return 0


# -- article ---------------------------------------------------------------------------------
def _article_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help=".txt, .md or .html articles")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per article")
    p.add_argument(
        "--mixed-min-share",
        type=share(0.0, 0.5),
        default=None,
        help="smaller side's share of the evidence that makes it mixed (default: the method's)",
    )
    p.add_argument(
        "--method",
        choices=("auto", "model", "lexicon"),
        default="auto",
        help="sentence stance from the model learned from real op-eds (auto: when shipped) "
        "or from the phrase lexicon alone",
    )


@command("article", "stance, claims, people and hashtags of op-eds and essays")(_article_args)
def _article(args: Any) -> int:
    from groundswell.analyze.article import ArticleParams, analyze_files
    from groundswell.errors import InputError

    params = ArticleParams()
    if args.mixed_min_share is not None:
        params.mixed_min_share = params.model_mixed_share = args.mixed_min_share
    done, failed = analyze_files(args.files, params, method=args.method)
    for q in failed:
        print(printable(f"groundswell: skipped {q.source_file}: {q.reason}"), file=sys.stderr)
    if not done:
        raise InputError("no article could be read from " + ", ".join(args.files))
    from groundswell.care.names import fit_to_show

    done = [a.shown(fit_to_show) for a in done]  # no private name shown (CODEBOOK section 7)
    if args.json:
        print_json([a.to_dict() for a in done])
        return 0

    def show(text: str) -> None:
        print("\n".join(printable(line) for line in text.split("\n")))

    for a in done:
        sc = a.scores
        show(
            f"{a.title} ({a.source_file})\n  stance: {a.stance or 'none (too little evidence)'}"
            f"  [supportive {sc['supportive']}, critical {sc['critical']}, "
            f"minority share {sc['minority_share']}; {a.method}]"
        )
        for c in a.criticisms:
            named = ", ".join(c["claims"]) or "criticism"
            show(f"  criticises ({named}): {c['sentence']}")
        for s in a.stance_sentences:
            show(f"    {s['side']:>10} {s['weight']:5.2f}  {s['sentence']}")
        for c in a.claims:
            show(f"  claim {c['claim']} ({c['polarity']}, {c['mode']}): {c['sentence']}")
        for c in a.rebutted:
            show(f"  rebutted {c['claim']}: {c['sentence']}")
        people = ", ".join(f"{p['name']} ({p['role']})" for p in a.people)
        show(f"  people: {people or '-'}\n  hashtags: {' '.join(a.hashtags) or '-'}\n")
    return 0


# -- classify / predict / train / eval / label -----------------------------------------------
# -- family / timeline / pileons -------------------------------------------------------------
def _print_frame(frame: Any, as_json: bool, empty: str, *, suppression: bool = False) -> None:
    """A result frame as a list of JSON row objects or as a table (cli_output)."""
    from groundswell.cli_output import json_rows, print_table

    if as_json:
        print_json(json_rows(frame, suppression=suppression))
    else:
        print_table(frame, empty)


def _family_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument("seed", help="seed hashtag, e.g. '#metoo'")
    p.add_argument("--min-posts", type=COUNT, default=20, help="posts a member needs (%(default)s)")
    p.add_argument("--min-authors", type=AUTHORS, default=10, help="distinct authors (%(default)s)")
    p.add_argument("--min-cooccurrence", type=COUNT, default=10, help="(default: %(default)s)")
    p.add_argument(
        "--alpha", type=PROBABILITY, default=0.001, help="after Bonferroni (%(default)s)"
    )
    p.add_argument("--min-time-overlap", type=FRACTION, default=0.5, help="(default: %(default)s)")
    p.add_argument("--max-rounds", type=whole(1, 50), default=3, help="growth rounds (%(default)s)")
    p.add_argument(
        "--counter-share",
        type=FRACTION,
        default=0.5,
        help="backlash share above which a tag is counter (%(default)s)",
    )
    p.add_argument(
        "--method",
        choices=("auto", "co-occurrence", "within-collection"),
        default="auto",
        help="membership test; auto: within-collection when the seed is on at least "
        "--saturation of tagged posts (default: %(default)s)",
    )
    p.add_argument(
        "--saturation", type=FRACTION, default=0.5, help="seed share for auto (%(default)s)"
    )
    p.add_argument("--json", action="store_true")


@command("family", "grow a hashtag family from a seed tag, with roles")(_family_args)
def _family(args: Any) -> int:
    from groundswell.analyze.family import family, suppress_small_members

    with open_store(args, read_only=True) as store:
        frame = family(
            store,
            args.seed,
            min_posts=args.min_posts,
            min_authors=args.min_authors,
            min_cooccurrence=args.min_cooccurrence,
            alpha=args.alpha,
            min_time_overlap=args.min_time_overlap,
            max_rounds=args.max_rounds,
            counter_share=args.counter_share,
            method=args.method,
            saturation=args.saturation,
        )
    method = f"method: {frame.attrs['method']} ({frame.attrs['method_reason']})"
    print(method, file=sys.stderr if args.json else sys.stdout)
    _print_frame(suppress_small_members(frame), args.json, "no family", suppression=True)
    return 0


def _timeline_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument("--seed", default="#metoo", help="family seed (default: %(default)s)")
    p.add_argument("--tag", action="append", dest="tags", help="follow these tags instead")
    p.add_argument("--top-tags", type=whole(1, 1000), default=10, help="(default: %(default)s)")
    p.add_argument("--baseline-days", type=DAYS, default=7, help="(default: %(default)s)")
    p.add_argument("--alpha", type=PROBABILITY, default=0.001, help="onset test (%(default)s)")
    p.add_argument("--persist-days", type=DAYS, default=3, help="(default: %(default)s)")
    p.add_argument("--states", type=whole(1, 16), default=4, help="Kleinberg levels (%(default)s)")
    p.add_argument(
        "--s", type=share(1.0, 100.0, above_low=True), default=2.0, help="rate ratio per level"
    )
    p.add_argument("--gamma", type=share(0.0, 100.0), default=1.0, help="level-up cost (1.0)")
    p.add_argument("--json", action="store_true")


@command("timeline", "onsets and bursts of the family's tags and the movement")(_timeline_args)
def _timeline(args: Any) -> int:
    from groundswell.analyze.timeline import SMALL_CELL_COLUMNS, timeline
    from groundswell.care import suppress_small_cells

    with open_store(args, read_only=True) as store:
        frame = timeline(
            store,
            tags=args.tags,
            seed=args.seed,
            top_tags=args.top_tags,
            baseline_days=args.baseline_days,
            alpha=args.alpha,
            persist_days=args.persist_days,
            states=args.states,
            s=args.s,
            gamma=args.gamma,
        )
    # an event of fewer than 10 distinct authors reads < 10 (null in --json); the authors
    # column itself is only for that
    shown = suppress_small_cells(frame, "authors", list(SMALL_CELL_COLUMNS))
    _print_frame(shown.drop(columns="authors"), args.json, "no onset or burst found",
                 suppression=True)  # fmt: skip
    return 0


def _pileons_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument(
        "--min-authors", type=AUTHORS, default=50, help="at least 10 (default: %(default)s)"
    )
    p.add_argument("--window-hours", type=whole(1, 24 * 366), default=24, help="(%(default)s)")
    p.add_argument(
        "--min-ratio", type=share(0.0, 1e6, above_low=True), default=10.0, help="x baseline (10)"
    )
    p.add_argument("--baseline-days", type=DAYS, default=28, help="(default: %(default)s)")
    p.add_argument("--json", action="store_true")


@command("pileons", "targets reached by many authors at once (codebook section 5)")(_pileons_args)
def _pileons(args: Any) -> int:
    from groundswell.analyze.pileon import pileons

    with open_store(args, read_only=True) as store:
        frame = pileons(
            store,
            min_authors=args.min_authors,
            window_hours=args.window_hours,
            min_ratio=args.min_ratio,
            baseline_days=args.baseline_days,
        )
    _print_frame(frame, args.json, "no pile-on found")
    return 0


# -- serve -----------------------------------------------------------------------------------
def _serve_args(p: argparse.ArgumentParser) -> None:
    db_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    p.add_argument("--port", type=whole(1, 65535), default=8000, help="port (default: %(default)s)")
    p.add_argument(
        "--token",
        help="require this token on every request (or set GROUNDSWELL_TOKEN); "
        "needed for any host other than loopback",
    )


@command("serve", "explore the store in the browser, offline (extra 'serve')")(_serve_args)
def _serve(args: Any) -> int:
    from pathlib import Path

    from groundswell.errors import StoreError
    from groundswell.serve import check_binding, require_extra, serve

    token = check_binding(args.host, args.token)
    require_extra()
    if not Path(args.db).exists():
        raise StoreError(f"{args.db}: no such store; run `groundswell ingest PATH --db {args.db}`")
    print(
        f"groundswell serve: http://{args.host}:{args.port}/ (store {args.db}; Ctrl-C stops)",
        file=sys.stderr,
    )
    serve(args.db, host=args.host, port=args.port, token=token)
    return 0


# -- entry point -----------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the docs test)."""
    from groundswell import __version__

    parser = Parser(
        prog="groundswell",
        description="An observatory for hashtag movements: ingest, classify, analyze, report.",
    )
    parser.add_argument("--version", action="version", version=f"groundswell {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    rank = {name: i for i, name in enumerate(ORDER)}
    for name, (add_args, run) in sorted(COMMANDS.items(), key=lambda c: rank.get(c[0], 99)):
        p = sub.add_parser(name, help=run.help_text, description=run.help_text)  # type: ignore[attr-defined]
        add_args(p)
        p.set_defaults(run=run, parser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a one-line usage error
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
