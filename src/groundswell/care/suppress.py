"""Small-cell suppression: aggregates over fewer than 10 distinct authors are shown as "< 10"."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

MIN_CELL = 10


def suppress_small_cells(
    frame: pd.DataFrame,
    authors_col: str = "authors",
    value_cols: list[str] | None = None,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Return a copy where rows with fewer than ``min_cell`` distinct authors read "< 10".

    ``value_cols`` (default: every numeric column) are replaced too, so a count cannot leak.
    """
    out = frame.copy()
    if authors_col not in out.columns or out.empty:
        return out
    small = out[authors_col] < min_cell
    cols = value_cols or [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])]
    for col in cols:
        out[col] = out[col].astype(object)
        out.loc[small, col] = f"< {min_cell}"
    return out


WITHHELD = "withheld"  # a cell of 10 or more authors hidden so that a "< 10" cell stays hidden


def recoverable(hidden: Sequence[int]) -> bool:
    """Whether the hidden cells of a breakdown (their counts, each at least 1) could be read
    back from its shown total: one alone is the total less the shown cells, and several whose
    known sum equals their number are each 1."""
    return len(hidden) == 1 or (len(hidden) > 1 and sum(hidden) <= len(hidden))


def complementary_cells(counts: Sequence[int], small: Sequence[bool], unshown: int = 0) -> set[int]:
    """Secondary suppression of one breakdown whose total is shown (CODEBOOK section 7).

    ``counts`` are the breakdown's cells and ``small`` marks those withheld for fewer than 10
    distinct authors. Returns the indices of further cells to withhold (read ``WITHHELD``):
    the smallest shown cells, one by one, until no withheld cell can be derived by subtracting
    the shown cells from the total. Empty cells (0) are never withheld and never needed.
    When every cell ends up withheld the total still shows nothing about any one of them.
    ``unshown`` counts the items of the total in no cell (a label left blank): they are one
    more cell, never shown, that hides a small one as a withheld cell would.
    """
    if unshown > 0:
        return complementary_cells([*counts, unshown], [*small, True])
    hidden = [i for i, (n, s) in enumerate(zip(counts, small, strict=True)) if s and n]
    extra: set[int] = set()
    shown = sorted(
        (i for i, n in enumerate(counts) if n and i not in hidden), key=lambda i: (counts[i], i)
    )
    while hidden and recoverable([counts[i] for i in [*hidden, *extra]]) and shown:
        extra.add(shown.pop(0))
    return extra


def suppress_breakdown(
    frame: pd.DataFrame,
    authors_col: str = "authors",
    value_cols: list[str] | None = None,
    count_col: str = "posts",
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """``suppress_small_cells`` for the rows of a breakdown shown beside its total (or whose
    shares sum to 1): the further rows ``complementary_cells`` picks read ``WITHHELD`` in
    ``value_cols`` too, so no "< 10" row is the total less the rows shown."""
    out = suppress_small_cells(frame, authors_col, value_cols, min_cell)
    if out.empty or authors_col not in frame.columns:
        return out
    small = list(frame[authors_col] < min_cell)
    extra = complementary_cells([int(n) for n in frame[count_col]], small)
    if extra:
        rows = out.index[sorted(extra)]
        cols = value_cols or [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        for col in cols:
            out[col] = out[col].astype(object)
            out.loc[rows, col] = WITHHELD
    return out
