"""Argument checks for the `groundswell` command: bounded numbers and one-line usage errors.

Every numeric option goes through ``whole`` or ``share`` so that a negative, zero or absurdly
large value stops at the command line (exit code 2) instead of deep inside a stage.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import NoReturn

USAGE_EXIT = 2  # argparse's exit code for a usage error, kept for every check here


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line naming the command and ``--help``."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(USAGE_EXIT)


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
