"""CrowdTangle CSV exports of Facebook pages/groups and Instagram accounts.

The platform comes from the columns: ``Facebook Id``/``Page Name``/``Group Name``/``Total
Interactions`` mean Facebook, ``Account`` with ``Photo`` or ``Views`` means Instagram. Decisions:

* ``Post Created`` is ``YYYY-MM-DD HH:MM:SS <TZ abbreviation>`` in the dashboard's timezone. The
  common abbreviations map to fixed offsets (``IST`` is India, +05:30); a row with an abbreviation
  not in the table is quarantined with the abbreviation in the reason, because guessing a zone moves
  a post by hours and bursts are measured in hours. A value that is no time (``abc``, an hour 25,
  the year 10000) is quarantined too, rather than stored as a post of no time.
* Text is ``Message``; when a Facebook post has none (a bare link or photo share), the shared
  ``Link Text`` and ``Description`` stand in, then ``Image Text``. On Instagram the caption is in
  ``Description`` (``Title`` for IGTV).
* The id is the post id at the end of the URL (``/posts/<id>``, ``story_fbid=``, ``/p/<code>/``),
  else the first 16 hex of the URL's sha256. A row without a URL is quarantined.
* Interaction columns become integer metrics (thousands separators allowed).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from groundswell.ingest.generic import iter_csv_dicts
from groundswell.ingest.registry import Head, Reader, guarded, quarantine
from groundswell.ingest.source import Source
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    TimeOutOfRangeError,
    hashtags_in_text,
    metric,
)

# Fixed offsets, in hours, of the abbreviations CrowdTangle dashboards print.
TZ_OFFSETS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "IST": 5.5,
    "CET": 1,
    "CEST": 2,
    "MET": 1,
    "MEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EAT": 3,
    "CAT": 2,
    "WAT": 1,
    "SAST": 2,
    "PKT": 5,
    "ICT": 7,
    "WIB": 7,
    "SGT": 8,
    "HKT": 8,
    "PHT": 8,
    "AWST": 8,
    "JST": 9,
    "KST": 9,
    "ACST": 9.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "HST": -10,
    "AKST": -9,
    "AKDT": -8,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "AST": -4,
    "ADT": -3,
    "NST": -3.5,
    "NDT": -2.5,
    "BRT": -3,
    "ART": -3,
}
_TIME = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}:\d{2}(?::\d{2})?)\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?"
)

_WHOLE = re.compile(r"-?\d+")
_GROUPED = re.compile(r"-?\d{1,3}(?:([.,'])\d{3})(?:\1\d{3})*")  # one separator, every 3 digits
_DECIMAL = re.compile(r"-?\d+[.,]\d*")

_FB_METRICS = {
    "Likes": "likes",
    "Comments": "comments",
    "Shares": "shares",
    "Love": "love",
    "Wow": "wow",
    "Haha": "haha",
    "Sad": "sad",
    "Angry": "angry",
    "Care": "care",
    "Thankful": "thankful",
    "Total Interactions": "total_interactions",
    "Post Views": "post_views",
    "Total Views": "total_views",
    "Likes at Posting": "likes_at_posting",
    "Followers at Posting": "followers_at_posting",
}
_IG_METRICS = {
    "Likes": "likes",
    "Comments": "comments",
    "Views": "views",
    "Total Interactions": "total_interactions",
    "Followers at Posting": "followers_at_posting",
}
_PERMALINK = ("URL", "Post URL", "Permalink", "Link to post")  # the post's own page, by export
_FB_MARKERS = ("Facebook Id", "Page Name", "Group Name", "Total Interactions")


class UnknownTimezoneError(ValueError):
    """A ``Post Created`` value with a timezone abbreviation not in ``TZ_OFFSETS``."""


def parse_ct_time(value: str) -> datetime | None:
    """``2017-10-16 09:12:44 EDT`` -> aware UTC datetime; None when empty or not a time.

    Raises UnknownTimezoneError for an abbreviation not in ``TZ_OFFSETS``; no suffix means UTC.
    """
    m = _TIME.fullmatch(value.strip()) if value else None
    if m is None:
        return None
    date, clock, zone = m.groups()
    fmt = "%Y-%m-%d %H:%M:%S" if clock.count(":") == 2 else "%Y-%m-%d %H:%M"
    try:
        naive = datetime.strptime(f"{date} {clock}", fmt)
    except ValueError:
        return None
    if zone is None:
        offset = 0.0
    elif zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) + int(digits[2:]) / 60)
    elif zone.upper() in TZ_OFFSETS:
        offset = TZ_OFFSETS[zone.upper()]
    else:
        raise UnknownTimezoneError(zone)
    try:
        return naive.replace(tzinfo=timezone(timedelta(hours=offset))).astimezone(UTC)
    except OverflowError as exc:
        raise TimeOutOfRangeError(f"time out of range: {value!r}") from exc


def post_id_from_url(url: str) -> str:
    """The post id in a Facebook or Instagram URL, else a stable hash of the URL."""
    parts = urlsplit(url.strip())
    query = parse_qs(parts.query)
    for key in ("story_fbid", "fbid", "v"):
        if query.get(key):
            return query[key][0]
    segments = [s for s in parts.path.split("/") if s]
    for marker in ("p", "reel", "tv"):  # instagram.com/p/<shortcode>/
        if marker in segments[:-1]:
            return segments[segments.index(marker) + 1]
    if (
        segments
        and re.fullmatch(r"[\w.-]+", segments[-1])
        and segments[-1] not in ("posts", "videos", "photos", "permalink.php")
    ):
        return segments[-1]
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _int(value: str | None) -> int | None:
    """A count as exported in any locale: ``1,204`` and ``407.137`` (dot as thousands separator,
    pt-BR and de-DE) are whole numbers; ``12.0`` and ``12,0`` too, while ``12.5`` and ``12,5``
    are no count (``schema.metric``'s rule: a fraction is left out)."""
    s = (value or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if _WHOLE.fullmatch(s):
        return int(s)
    if _GROUPED.fullmatch(s):
        return int(re.sub(r"[.,']", "", s))
    if _DECIMAL.fullmatch(s):
        number = float(s.replace(",", "."))
        return int(number) if number.is_integer() else None
    return None


def _platform(header: list[str]) -> str | None:
    cols = set(header)
    if "Post Created" not in cols and "Created" not in cols:
        return None
    if "Account" in cols and ("Photo" in cols or "Views" in cols) and "Facebook Id" not in cols:
        return "instagram"  # Instagram exports also carry Total Interactions
    if cols & set(_FB_MARKERS):
        return "facebook"
    return None


class CrowdTangleReader(Reader):
    """CrowdTangle Facebook and Instagram CSV exports."""

    name = "crowdtangle"
    platform = "facebook"

    def sniff(self, head: Head) -> float:
        header = head.csv_header
        if not header or _platform(header) is None:
            return 0.0
        return 0.9 if "URL" in header else 0.6

    def read(self, source: Source) -> Iterator[Record]:
        platform: str | None = None
        for item in iter_csv_dicts(source, self.name):
            if isinstance(item, Quarantined):
                yield item
            elif isinstance(item, list):
                platform = _platform(item)
                if platform is None:
                    yield quarantine(
                        source,
                        1,
                        "not a CrowdTangle export: no 'Post Created' and page/account columns",
                        ",".join(item).encode(),
                        self.name,
                    )
                    return
            else:
                assert platform is not None
                line, row = item
                yield from guarded(source, self.name, line, row, self._row, line, row, platform)

    def _row(self, source: Source, line: int, row: dict[str, str], platform: str) -> Record:
        url = _first(row, *_PERMALINK)
        if not url:
            return quarantine(source, line, "row without URL (no post id)", row, self.name)
        stamp = row.get("Post Created") or row.get("Created") or ""
        if not stamp.strip() and row.get("Post Created Date"):
            stamp = f"{row['Post Created Date']} {row.get('Post Created Time') or '00:00:00'}"
        try:
            created = parse_ct_time(stamp)
        except UnknownTimezoneError as exc:
            return quarantine(
                source,
                line,
                f"unknown timezone abbreviation {exc} in {stamp!r}; "
                "add it to crowdtangle.TZ_OFFSETS",
                row,
                self.name,
            )
        if created is None and stamp.strip():  # a time, not a guess: none is no time either
            why = f"post time {stamp.strip()[:60]!r} is not a time"
            return quarantine(source, line, why, row, self.name)
        if platform == "instagram":
            text = _first(row, "Description", "Title", "Image Text")
            author = _first(row, "User Name", "Account")
            metric_cols = _IG_METRICS
        else:
            text = (
                (row.get("Message") or "").strip()
                or "\n\n".join(
                    v for v in (_first(row, "Link Text"), _first(row, "Description")) if v
                )
                or _first(row, "Image Text")
            )
            author = _first(row, "Facebook Id", "User Name", "Page Name", "Group Name")
            metric_cols = _FB_METRICS
        metrics = {
            key: n
            for col, key in metric_cols.items()
            if (n := metric(_int(row.get(col)))) is not None
        }
        links = [v for v in (_first(row, "Link"), _first(row, "Final Link")) if v]
        return Post(
            platform=platform,
            id=post_id_from_url(url),
            text=text,
            created_at=created,
            author=author or None,
            author_name=_first(row, "User Name", "Page Name", "Group Name", "Account") or None,
            url=url,
            hashtags=hashtags_in_text(text),
            urls=list(dict.fromkeys(links)),
            metrics=metrics,
            source_file=source.name,
            source_line=line,
            format=self.name,
        )


def _first(row: dict[str, str], *cols: str) -> str:
    """The first non-empty value among ``cols`` (stripped), or ''."""
    for col in cols:
        value = (row.get(col) or "").strip()
        if value:
            return value
    return ""
