"""Data unlike the demo, shared by the report's and the explorer's tests: posts of another
movement with no #metoo at all, and a store's posts spread over several years."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def blm_posts(n: int = 400) -> list:
    """``n`` #BlackLivesMatter posts by 60 authors from 25 May 2020, five hours apart."""
    from groundswell.schema import Post

    base = datetime(2020, 5, 25, tzinfo=UTC)
    texts = (
        "Marching today for George Floyd. #BlackLivesMatter #ICantBreathe",
        "Police violence has to end, we must act now #BlackLivesMatter",
        "Officers fired after the protest, the city council said on Monday #BlackLivesMatter",
    )
    return [
        Post(
            platform="twitter",
            id=f"b{i}",
            text=texts[i % 3] + f" ({i})",
            created_at=base + timedelta(hours=5 * i),
            author=f"user{i % 60}",
            hashtags=["#blacklivesmatter"] + (["#icantbreathe"] if i % 3 == 0 else []),
        )
        for i in range(n)
    ]


def spread_over_years(con: Any, days: int) -> None:
    """Move every post to a day from 1 January 2017 on, over ``days`` days, by its id's hash."""
    con.execute(
        "UPDATE posts SET created_at = TIMESTAMP '2017-01-01' + "
        f"to_days(CAST(abs(hash(id)) % {int(days)} AS INTEGER))"
    )
