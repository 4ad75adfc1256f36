"""Small-cell suppression: aggregates over fewer than 10 distinct authors are shown as "< 10"."""

from __future__ import annotations

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
