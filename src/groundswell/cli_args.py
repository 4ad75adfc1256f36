"""The edges of the `groundswell` command: bounded arguments, one-line errors, exit codes.

Every numeric option goes through ``whole`` or ``share`` so that a negative, zero or absurdly
large value stops at the command line (exit code 2) instead of deep inside a stage; ``run_command``
turns what a command raises into one line on stderr and the exit code the README promises.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from groundswell.cli_output import printable
from groundswell.errors import GroundswellError

USAGE_EXIT = 2  # argparse's exit code for a usage error, kept for every check here


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line naming the command and ``--help``."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(USAGE_EXIT)


def store_path(text: str) -> str:
    """An argparse type: a store's file name, which an empty one is not (it would open the
    current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name is no store file")
    return text


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: use {low} to {high:,}")
        return value

    parse.__name__ = "whole number"
    return parse


def share(low: float, high: float, *, above_low: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number from ``low`` (excluded with ``above_low``) to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        too_low = value <= low if above_low else value < low
        if not math.isfinite(value) or too_low or value > high:
            side = "above" if above_low else "from"
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: use a number {side} {low:g} up to {high:g}"
            )
        return value

    parse.__name__ = "number"
    return parse


# the bounds every command shares
DAYS = whole(1, 3650)
COUNT = whole(1, 1_000_000_000)
PROBABILITY = share(0.0, 1.0, above_low=True)
FRACTION = share(0.0, 1.0)


def run_command(args: Any) -> int:
    """Run a parsed command; every failure becomes one line on stderr and its exit code."""
    try:
        code = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except SystemExit as exc:  # a usage error found after parsing (parser.error)
        return exc.code if isinstance(exc.code, int) else USAGE_EXIT
    except BrokenPipeError:
        # `groundswell ... | head -1`: the reader has gone; stop quietly, as `cat` would
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # the shell's code for a process ended by SIGPIPE
    except GroundswellError as exc:
        return _fail(str(exc), exc.exit_code)
    except OSError as exc:  # a full disk, a file that cannot be written
        store_side = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO)
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", 3 if store_side else USAGE_EXIT)
    except KeyboardInterrupt:
        print(
            "groundswell: interrupted; committed batches are kept, run again to resume",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:
        # DuckDB says a full disk (or a file size limit) as an IOException while it writes,
        # or as a FatalException when a checkpoint fails; memory as OutOfMemoryException
        kind = type(exc).__name__ if "duckdb" in type(exc).__module__ else ""
        if kind in ("IOException", "FatalException"):
            return _fail(f"{getattr(args, 'db', 'store')}: cannot write: {exc}", 3)
        if kind == "OutOfMemoryException":
            return _fail(f"out of memory: {exc}", 3)
        raise


def _fail(message: str, code: int) -> int:
    """Print a one-line error and return its exit code (a control or bidi character that a
    file name or a value brought in shown as a visible escape)."""
    print(printable(f"groundswell: error: {' '.join(message.split())}"), file=sys.stderr)
    return code


# -- command registry and the options every command shares --------------------------------
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


def print_json(obj: Any) -> None:
    """``obj`` as indented JSON on stdout."""
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def engine_args(p: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--address``: where a stage's batch functions run."""
    p.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="local (default: this process) or ray (Ray workers; groundswell[scale]); a ray "
        "run records finished blocks, so a killed run started again skips them",
    )
    p.add_argument(
        "--address",
        help="with --engine ray: join the Ray cluster at HOST:PORT (or auto) instead of "
        "starting a local one for the run",
    )


def db_arg(p: argparse.ArgumentParser) -> None:
    """The ``--db`` option every command that reads a store takes."""
    p.add_argument(
        "--db",
        default="groundswell.duckdb",
        type=store_path,
        help="store file (default: %(default)s)",
    )


def open_store(args: Any, read_only: bool = False, **kw: Any) -> Any:
    """The store named by ``--db``."""
    from groundswell.store import Store

    return Store(args.db, read_only=read_only, **kw)
