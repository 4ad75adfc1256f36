"""Care rules for what the dashboard sends (CODEBOOK section 7), applied to every response.

- a value counted over fewer than 10 distinct authors is ``None`` and its field is listed in the
  row's ``suppressed`` (the pages show "< 10"); beside a total, the smallest other row is
  withheld too (``suppressed`` and ``withheld``; the pages show "withheld");
- post text is shown with private persons as ``[private person]``, @handles as ``@[account]``,
  accounts named in links (``twitter.com/<handle>``, ``u/<name>``, a DID ...) as ``[account]``
  without tracking parameters, as the exports pseudonymise them (``care.links``), and emails,
  phones and street addresses masked (``care.mask_text``);
- authors appear only as keyed pseudonyms, never as ids, handles or names.
"""

from __future__ import annotations

import math
import re
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from groundswell.care import MIN_CELL, complementary_cells, mask_text
from groundswell.care.links import drop_tracking
from groundswell.care.mask import mask_accounts
from groundswell.care.names import NameMasker, merged_spans, replaced
from groundswell.care.pseudonym import Pseudonymiser

PRIVATE = "[private person]"


def plain(value: Any) -> Any:
    """A JSON-ready value: numpy scalars unwrapped, NaN/NaT/NA as None, dates ISO."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    try:
        import pandas as pd

        if value is pd.NaT or value is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def records(frame: Any) -> list[dict[str, Any]]:
    """The rows of a DataFrame as JSON-ready dicts."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            v = plain(v)
            if str(k).endswith("day") and isinstance(v, str):
                v = v[:10]  # a day column read back as a midnight timestamp
            clean[str(k)] = v
        out.append(clean)
    return out


def withhold(
    row: dict[str, Any],
    fields: list[str] | tuple[str, ...],
    authors: Any,
    min_cell: int = MIN_CELL,
) -> dict[str, Any]:
    """Set ``fields`` to None and list them in ``row["suppressed"]`` when ``authors`` (distinct
    authors behind them) is under ``min_cell``; an empty list otherwise. Returns ``row``."""
    row.setdefault("suppressed", [])
    small = authors is not None and not _missing(authors) and authors < min_cell
    if small:
        for name in fields:
            if name in row:
                row[name] = None
                if name not in row["suppressed"]:
                    row["suppressed"].append(name)
    return row


def withhold_rows(
    rows: list[dict[str, Any]],
    fields: list[str] | tuple[str, ...],
    authors_field: str = "authors",
) -> list[dict[str, Any]]:
    """``withhold`` on every row, by its own ``authors_field`` (itself withheld when small)."""
    for row in rows:
        withhold(row, [authors_field, *fields], row.get(authors_field))
    return rows


def withhold_complements(
    rows: list[dict[str, Any]],
    counts: list[int],
    fields: list[str] | tuple[str, ...],
    unshown: int = 0,
    small: list[bool] | None = None,
) -> list[dict[str, Any]]:
    """After ``withhold``: in rows that break down a total the page shows (``counts``, the rows'
    true counts; ``unshown``, the part of the total in no row), withhold ``fields`` of the rows
    ``care.complementary_cells`` picks too, so a withheld row is not the total less the rows
    shown. Those fields are listed in the row's ``suppressed`` and in its ``withheld`` (the
    pages read them "withheld", not "< 10"). ``small``: which rows' counts are "< 10" (default:
    the rows with anything ``suppressed``)."""
    if small is None:
        small = [bool(r.get("suppressed")) for r in rows]
    extra = complementary_cells(counts, small, unshown)
    for i, row in enumerate(rows):
        row.setdefault("withheld", [])
        if i in extra:
            for name in fields:
                if name in row:
                    row[name] = None
                    row["suppressed"] = [*row.get("suppressed", []), name]
                    row["withheld"].append(name)
    return rows


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def shown_text(
    text: str | None,
    private_spans: list[tuple[int, int]] | None = None,
    masker: NameMasker | None = None,
) -> str:
    """A post's text as the dashboard shows it: private persons named by the people analysis
    (``private_spans``) or found by ``masker`` replaced, @handles and accounts in links
    replaced, emails/phones/addresses masked. Never HTML: pages set it as text."""
    if not text:
        return ""
    spans = list(private_spans or [])
    if masker is not None:
        spans += masker.spans(text)
    return mask_accounts(mask_text(replaced(text, merged_spans(spans, len(text)))))


SHOWN_CHARS = 5_000  # a post's text as the browser gets it: a 5 MB post is not sent whole


def cut_text(text: str, limit: int, chars: int) -> str:
    """``text`` (a post of ``chars`` characters) cut at a space before ``limit`` characters,
    saying how much is left out; whole when it fits."""
    if chars <= limit and len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit // 2)
    cut = cut[:space] if space > 0 else cut
    return f"{cut.rstrip()} … [{chars:,} characters in all; the rest is not shown]"


def shown_author(
    platform: str, author: str | None, pseudonymised: bool, hasher: Pseudonymiser
) -> str | None:
    """The author as a keyed pseudonym, even in a store kept with raw ids."""
    if author is None:
        return None
    if pseudonymised:
        return author
    return hasher(platform, author)


def shown_url(url: str | None) -> str | None:
    """A post's link only when it is a plain http(s) URL (no other scheme reaches a page) that
    names no account, e-mail or phone (a store kept with ``--no-pseudonymise`` keeps them);
    tracking parameters dropped."""
    if not url or not re.match(r"https?://[^\s\"'<>]+$", url):
        return None
    plain_url = drop_tracking(url)
    return plain_url if mask_accounts(mask_text(url)) == plain_url else None
