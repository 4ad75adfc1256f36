"""Which post times day-by-day series count on.

A time before 1980 (a zero epoch reads 1970-01-01; a missing year reads 0001) or after tomorrow
is a clock or export error, not a day of the movement. Posts keep the time they state, and every
count of posts still holds them; only series over days (timeline, charts, attention curves,
first and peak days) leave them out, so that one post dated 9999 cannot stretch a series to
three million days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

EARLIEST = date(1980, 1, 1)


def latest() -> date:
    """The first day no post can be dated on: the day after tomorrow, in UTC (clock skew)."""
    return datetime.now(UTC).date() + timedelta(days=2)


def dated(column: str = "created_at") -> str:
    """SQL: true when the (naive UTC) timestamp ``column`` falls on a day a series counts."""
    return (
        f"({column} >= TIMESTAMP '{EARLIEST.isoformat()}' "
        f"AND {column} < TIMESTAMP '{latest().isoformat()}')"
    )


def post_day(column: str = "created_at") -> str:
    """SQL: the day of ``column`` when a series counts it, else NULL (undated)."""
    return f"CASE WHEN {dated(column)} THEN CAST({column} AS DATE) END"


def out_of_span(con: object) -> int:
    """How many posts state a time outside the days series count on."""
    return con.execute(  # type: ignore[attr-defined]
        f"SELECT count(*) FROM posts WHERE created_at IS NOT NULL AND NOT {dated()}"
    ).fetchone()[0]
