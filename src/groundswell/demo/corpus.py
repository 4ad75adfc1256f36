"""The synthetic movement: who posts what, when, on which platform, as a stream of events.

The shape follows the one the codebook describes for #MeToo: a few posts before, an onset on
2017-10-15 with a steep burst, spin-off tags a few days later, core tags in other languages,
allied tags, a counter-tag later still, invented public figures whose attention surges on
"allegation" days, and one pile-on against one figure's account. Everything is seeded, so the
same (posts, seed) gives the same corpus byte for byte.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from groundswell.demo.texts import (
    FIGURE_STATEMENT,
    FIGURES,
    PILE_ON_DAY,
    PILE_ON_FIGURE,
    Figure,
    compose,
    pile_on_text,
)

START = date(2017, 10, 1)
END = date(2018, 3, 31)
ONSET = date(2017, 10, 15)


@dataclass(frozen=True)
class Stream:
    """One tag's (or one figure's) share of the traffic over time and what its posts do."""

    key: str
    tag: str  # as written in posts; "" for none
    onset: str
    peak: float
    tau: float  # days for the burst to decay by e
    floor: float  # share of the peak kept after the burst
    acts: dict[str, float]
    lang: str = "en"
    baseline: float = 0.0  # level before the onset, as a share of the peak
    figure: Figure | None = None
    co_tag: float = 0.0  # chance a post also carries #MeToo
    variants: tuple[str, ...] = ()  # other tags the stream's posts carry instead of ``tag``

    def weight(self, day: int) -> float:
        onset = (date.fromisoformat(self.onset) - START).days
        if self.figure is not None:
            total = 0.0
            for iso in self.figure.allegation_days:
                a = (date.fromisoformat(iso) - START).days
                if day >= a:
                    total += self.peak * math.exp(-(day - a) / self.tau)
            return total + (self.peak * self.floor if day >= onset else 0.0)
        if day < onset:
            return self.peak * self.baseline
        burst = self.peak * math.exp(-max(0, day - onset - 1) / self.tau)
        if day == onset:
            burst *= 0.6  # the onset day is already a jump; the next day peaks
        return max(burst, self.peak * self.floor)


def _acts(**shares: float) -> dict[str, float]:
    return shares


TAG_STREAMS: tuple[Stream, ...] = (
    Stream(
        "metoo",
        "#MeToo",
        "2017-10-15",
        1.0,
        6.0,
        0.035,
        baseline=0.0012,
        acts=_acts(
            testimony=0.42,
            support=0.24,
            reporting=0.12,
            backlash=0.08,
            other=0.06,
            confession=0.04,
            pledge=0.04,
        ),
    ),
    Stream(
        "itwasme",
        "#ItWasMe",
        "2017-10-19",
        0.05,
        5.0,
        0.05,
        co_tag=0.85,
        acts=_acts(confession=0.7, support=0.15, backlash=0.1, other=0.05),
    ),
    Stream(
        "ihave",
        "#IHave",
        "2017-10-18",
        0.045,
        5.0,
        0.05,
        co_tag=0.85,
        acts=_acts(confession=0.68, support=0.17, backlash=0.1, other=0.05),
    ),
    Stream(
        "iwill",
        "#IWill",
        "2017-10-20",
        0.05,
        5.0,
        0.05,
        co_tag=0.85,
        acts=_acts(pledge=0.75, support=0.17, backlash=0.05, other=0.03),
    ),
    Stream(
        "hetoo",
        "#HeToo",
        "2017-10-21",
        0.035,
        5.0,
        0.05,
        co_tag=0.85,
        acts=_acts(support=0.6, confession=0.15, testimony=0.1, backlash=0.1, other=0.05),
    ),
    Stream(
        "balancetonporc",
        "#BalanceTonPorc",
        "2017-10-16",
        0.07,
        6.0,
        0.03,
        lang="fr",
        acts=_acts(testimony=0.65, support=0.35),
    ),
    Stream(
        "yotambien",
        "#YoTambien",
        "2017-10-17",
        0.045,
        6.0,
        0.03,
        lang="es",
        acts=_acts(testimony=0.6, support=0.4),
    ),
    Stream(
        "whyididntreport",
        "#WhyIDidntReport",
        "2017-11-06",
        0.04,
        4.0,
        0.05,
        co_tag=0.8,
        acts=_acts(testimony=0.7, support=0.25, other=0.05),
    ),
    Stream(
        "timesup",
        "#TimesUp",
        "2018-01-01",
        0.12,
        9.0,
        0.08,
        co_tag=0.8,
        acts=_acts(support=0.6, reporting=0.25, pledge=0.1, other=0.05),
    ),
    Stream(
        "himtoo",
        "#HimToo",
        "2018-01-22",
        0.08,
        10.0,
        0.1,
        co_tag=0.85,
        acts=_acts(backlash=0.75, support=0.1, reporting=0.05, other=0.1),
    ),
)
FIGURE_STREAMS: tuple[Stream, ...] = tuple(
    Stream(
        f"figure:{f.handle}",
        "#MeToo",
        f.allegation_days[0],
        0.07,
        2.5,
        0.004,
        figure=f,
        acts=_acts(reporting=0.5, support=0.3, backlash=0.2),
    )
    for f in FIGURES
)

# Everyday traffic a collection also picks up: tags that have nothing to do with the movement.
BACKGROUND = Stream(
    "background",
    "#news",
    START.isoformat(),
    0.03,
    1.0,
    1.0,
    baseline=1.0,
    acts=_acts(other=0.8, reporting=0.2),
    variants=("#news", "#Monday", "#music", "#tbt", "#politics", "#weekend"),
)
STREAMS: tuple[Stream, ...] = (*TAG_STREAMS, *FIGURE_STREAMS, BACKGROUND)

TAG_SPELLINGS = {"#MeToo": ("#MeToo", "#MeToo", "#metoo", "#METOO", "#Metoo")}


@dataclass
class Event:
    """One synthetic post (or repost) before it is written in a platform's format."""

    seq: int
    fmt: str
    ts: float  # epoch seconds, UTC
    author: int  # index into the author pool; negative for a figure's own account
    text: str = ""
    lang: str = "en"
    act: str = "other"
    mentions: list[str] = field(default_factory=list)
    reply_to: Event | None = None
    repost_of: Event | None = None
    dup: bool = False  # also written a second time (a duplicate across files)

    @property
    def created(self) -> datetime:
        return datetime.fromtimestamp(self.ts, tz=UTC)


def figure_author(fig: Figure) -> int:
    """The (negative) author index of a figure's own account."""
    return -1 - FIGURES.index(fig)


class AuthorPool:
    """Fake author indexes with a heavy-tailed (Zipf-like) activity distribution."""

    def __init__(self, size: int, exponent: float = 1.1) -> None:
        self.size = size
        weights = [1.0 / (i + 3) ** exponent for i in range(size)]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> int:
        return min(bisect.bisect_left(self.cum, rng.random() * self.total), self.size - 1)


def day_of(ts: float) -> int:
    """Days since the demo window opens (START)."""
    return int((ts - _epoch(START)) // 86400)


def _epoch(d: date) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()


def generate_events(
    posts: int,
    seed: int,
    formats: dict[str, float],
    repost_rate: float = 0.12,
    reply_rate: float = 0.1,
) -> Iterator[Event]:
    """Yield ``posts`` original posts (and reposts on top) in time order.

    ``formats`` maps a writer name to its share of the posts. The pile-on (a figure's statement
    and hostile replies from many distinct authors within hours) goes to ``twitter_v2``.
    """
    rng = random.Random(seed)
    n_days = (END - START).days + 1
    pool = AuthorPool(max(400, posts // 4))
    fmt_names = list(formats)
    fmt_cum = _cumulative([formats[f] for f in fmt_names])
    repostable = [f for f in fmt_names if f != "reddit"]

    pile_on_n = max(60, posts // 400)
    special = 1 + pile_on_n
    regular = max(0, posts - special)
    per_day = [[s.weight(d) for s in STREAMS] for d in range(n_days)]
    totals = [sum(w) for w in per_day]
    day_cum = _cumulative(totals)
    days = sorted(bisect.bisect_left(day_cum, rng.random() * day_cum[-1]) for _ in range(regular))
    stamps = sorted(_epoch(START) + d * 86400 + rng.random() * 86400 for d in days)

    pending = _pile_on(rng, pool, pile_on_n)
    onset_day = (ONSET - START).days
    recent: dict[str, list[Event]] = {f: [] for f in fmt_names}
    seq = 0
    for ts in stamps:
        while pending and pending[0].ts <= ts:
            seq += 1
            pending[0].seq = seq
            yield pending.pop(0)
        seq += 1
        day = min(day_of(ts), n_days - 1)
        weights = per_day[day]
        stream = STREAMS[bisect.bisect_left(_cumulative(weights), rng.random() * totals[day])]
        act = _pick(rng, stream.acts)
        spellings = stream.variants or TAG_SPELLINGS.get(stream.tag, (stream.tag,))
        tag = rng.choice(spellings) if stream.tag else ""
        if stream.figure is not None and (rng.random() < 0.3 or day < onset_day):
            tag = ""  # news before the movement's onset does not carry its tag
        if stream.co_tag and rng.random() < stream.co_tag:
            tag = f"{tag} #MeToo"
        when = START + timedelta(days=day)
        text, mentions = compose(rng, act, tag, stream.lang, stream.figure, when=when)
        fmt = fmt_names[bisect.bisect_left(fmt_cum, rng.random() * fmt_cum[-1])]
        ev = Event(
            seq, fmt, ts, pool.draw(rng), text=text, lang=stream.lang, act=act, mentions=mentions
        )
        buf = recent[fmt]
        if buf and rng.random() < reply_rate:
            ev.reply_to = rng.choice(buf)
        ev.dup = rng.random() < 0.0004
        yield ev
        buf.append(ev)
        if len(buf) > 300:
            del buf[:100]
        if fmt in repostable and buf and rng.random() < repost_rate:
            seq += 1
            original = rng.choice(buf)
            yield Event(
                seq,
                fmt,
                ts + rng.random() * 60,
                pool.draw(rng),
                act=original.act,
                lang=original.lang,
                repost_of=original,
            )
    for ev in pending:  # a corpus too small to reach the pile-on day still gets it
        seq += 1
        ev.seq = seq
        yield ev


def _pile_on(rng: random.Random, pool: AuthorPool, n: int) -> list[Event]:
    """The figure's statement, then ``n`` hostile replies from distinct authors within 6 hours."""
    start = _epoch(date.fromisoformat(PILE_ON_DAY)) + 14 * 3600
    statement = Event(
        0, "twitter_v2", start - 1800, figure_author(PILE_ON_FIGURE), text=FIGURE_STATEMENT
    )
    authors = rng.sample(range(pool.size), n)
    stamps = sorted(start + rng.random() * 6 * 3600 for _ in range(n))
    replies = [
        Event(
            0,
            "twitter_v2",
            ts,
            author,
            text=pile_on_text(rng, PILE_ON_FIGURE, rng.choice(("#MeToo", "#metoo", ""))),
            act="support",
            mentions=[PILE_ON_FIGURE.handle],
            reply_to=statement,
        )
        for ts, author in zip(stamps, authors, strict=True)
    ]
    return [statement, *replies]


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    r = rng.random() * sum(shares.values())
    for key, share in shares.items():
        r -= share
        if r <= 0:
            return key
    return key
