"""Hashtag families (CODEBOOK section 4): grow a family from a seed tag and give each member a role.

Candidates. Every tag with at least ``min_posts`` posts and ``min_authors`` distinct authors.
Every joining member must also have at least ``min_time_overlap`` of its posts inside the seed's
active span (the days between the ``span_quantile`` and ``1 - span_quantile`` quantiles of the
seed's posts). Two membership methods (module ``family_growth``); ``method="auto"`` picks by the
seed's share of tagged posts, and the result says which one ran and why (``frame.attrs``
``method`` and ``method_reason``, the CLI's first line, the report's note).

``co-occurrence`` (the seed on less than ``saturation``, 50%, of tagged posts: a broad sample).
In each round the posts carrying any family member are counted against each candidate in a 2x2
table over all tagged posts; a candidate joins when its co-occurrence is at least
``min_cooccurrence``, above chance, and significant by the log-likelihood test (G², 1 degree of
freedom) at ``alpha`` after a Bonferroni correction for the candidates tested in that round.
Rounds repeat (co-occurrence with any member) until nothing joins or ``max_rounds`` is reached.

``within-collection`` (the seed on ``saturation`` or more: a collection filtered by the seed's
search). There the seed marks almost every post, so the chance rate of co-occurring with it is
near 1 and real members, which were often collected by their own search term, fall "below
chance". Round 1 tests each candidate's own act mix against the rest of the collection: it joins
when its backlash share exceeds ``counter_share`` and is significantly above the rest's, or when
its dominant act is a first-person act other than the seed's and significantly more frequent
than in the rest (G² on act-or-not by tag-or-not, Bonferroni over two tests per candidate, at
``alpha``). Later rounds are co-occurrence rounds as above but against the posts carrying the
members found so far other than the seed (and the seed's listed equivalents), which are rare, so
chance means something again. Without an ``acts`` table only those co-occurrence rounds run.
Known limit: a tag that is co-tagged with the seed and shares its act mix (an allied tag such as
#TimesUp inside a #MeToo collection) cannot be told from a generic tag riding the same posts,
unless it co-occurs with another member; in a filtered collection such tags stay out.
``cooccurrence`` is the member's co-occurrence with the family when it joined (with the seed for
act-mix members).

Equivalents of the seed in other languages (``CORE_EQUIVALENTS``) join as ``core`` whenever they
have ``min_posts`` posts, significant or not: language communities rarely co-tag.

Roles, from the speech-act mix of a member's posts (table ``acts``), in this order:
``core``: the seed and its listed equivalents; ``counter``: the ``backlash`` share exceeds
``counter_share``; ``spin-off``: the dominant act is a first-person act (``testimony``,
``confession``, ``pledge``) other than the seed's dominant act, i.e. the tag invites a different
speech act (#ItWasMe, #IWill); ``allied``: every other member (support, reporting ... under the
same cause). A member with fewer than ``min_classified`` classified posts, and every non-core
member when the store has no ``acts`` table, is ``unknown`` ("act mix unavailable"). #HeToo used
to put the burden on perpetrators is ``support`` by the codebook, so it reads as ``allied`` here.

Cost: one unnest of the hashtags into a temporary table, then one grouped join per round, all in
DuckDB. On 1 M generated posts (bench/analyze.py, 2 shared cores): 3-7 s, peak RSS about 475 MB
(150 MB of it the interpreter and the open store). Within-collection, on the 60,000-post
planted collection of the tests: about 0.7 s.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from groundswell.analyze.family_growth import (
    FIRST_PERSON_ACTS,
    TAGGED,
    act_counts,
    drop_tables,
    grow_cooccurrence,
    grow_within,
    has_acts,
    tagged_table,
)
from groundswell.analyze.registry import Analysis, Params, readable_p
from groundswell.errors import InputError, NotEnoughDataError
from groundswell.schema import ACTS, normalise_hashtag

# The seed's equivalents in other languages: one group per movement, normalised tags.
CORE_EQUIVALENTS: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "#metoo",
            "#balancetonporc",  # France
            "#moiaussi",  # France, Quebec
            "#yotambien",  # Spanish, written without the accent
            "#yotambién",  # Spanish
            "#quellavoltache",  # Italy
            "#metooindia",  # India
            "#米兔",  # China ("rice bunny", read mi tu)
            "#我也是",  # China ("me too")
            "#أنا_كمان",  # Arabic ("me too")
        }
    ),
)
UNAVAILABLE = "act mix unavailable"
METHODS = ("auto", "co-occurrence", "within-collection")


@dataclass
class FamilyParams(Params):
    """Codebook section 4 thresholds (see the module docstring for how each is used)."""

    seed: str = "#metoo"
    min_posts: int = 20
    min_authors: int = 10
    min_cooccurrence: int = 10
    alpha: float = 0.001
    min_time_overlap: float = 0.5
    span_quantile: float = 0.05
    max_rounds: int = 3
    max_members: int = 50
    counter_share: float = 0.5
    min_classified: int = 10
    method: str = "auto"
    saturation: float = 0.5


def format_columns(
    frame: pd.DataFrame, formats: dict[str, str | Callable[[Any], str]]
) -> pd.DataFrame:
    """A copy for display: numbers in the named columns through a format spec ("{:.0%}") or a
    function (``readable_p``), missing values blank, strings (a suppressed "< 10") unchanged."""

    def one(spec: str | Callable[[Any], str], v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, str):
            return v
        return spec(v) if callable(spec) else spec.format(v)

    out = frame.copy()
    for col, spec in formats.items():
        if col in out:
            out[col] = [one(spec, v) for v in out[col]]
    return out


def suppress_small_members(frame: pd.DataFrame) -> pd.DataFrame:
    """A member of fewer than 10 distinct authors (only the seed can be one) with its numbers,
    its dominant act (the largest of its withheld shares) and its first day (when so few
    people started narrows them down) reading "< 10"."""
    from groundswell.care import suppress_small_cells

    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    extra = [c for c in ("dominant_act", "first_day") if c in frame.columns]
    return suppress_small_cells(frame, "authors", numeric + extra)


def equivalents(seed: str) -> frozenset[str]:
    """The seed's core group (itself plus listed equivalents in other languages)."""
    for group in CORE_EQUIVALENTS:
        if seed in group:
            return group
    return frozenset({seed})


def movement_seed(store: Any, seed: str | None = None) -> tuple[str | None, str]:
    """(seed, how it was chosen): the given tag, else the store's most used hashtag (by posts,
    ties by name); ``(None, why)`` when no post carries a hashtag."""
    con = store.con
    if seed:
        tag = normalise_hashtag(seed)
        if not tag:
            raise InputError(f"{seed!r} is not a hashtag; give a seed such as '#metoo'")
        return tag, "given with --seed"
    row = con.execute(
        "SELECT tag, count(*) n FROM (SELECT unnest(list_distinct(hashtags)) AS tag FROM posts "
        "WHERE len(hashtags) > 0) "
        "GROUP BY tag ORDER BY n DESC, tag LIMIT 1"
    ).fetchone()
    if row is None:
        return None, "no post in the store carries a hashtag"
    tagged = con.execute("SELECT count(*) FROM posts WHERE len(hashtags) > 0").fetchone()[0]
    return row[0], (
        f"the store's most used hashtag, on {row[1] / tagged:.0%} of tagged posts; "
        "choose another with --seed"
    )


def family(store: Any, seed: str = "#metoo", **params: Any) -> pd.DataFrame:
    """The seed's hashtag family with roles and the numbers behind them (one row per member)."""
    return FamilyAnalysis(seed=seed, **params).compute(store)


def choose_method(p: FamilyParams, seed: str, seed_posts: int, total: int) -> tuple[str, str]:
    """(method, why): ``co-occurrence`` while the seed is on less than ``saturation`` of the
    tagged posts, ``within-collection`` from there on (unless ``method`` names one)."""
    share = seed_posts / total if total else 0.0
    on = f"{seed} is on {share:.0%} of tagged posts"
    if p.method != "auto":
        return p.method, f"chosen by the user ({on})"
    if share < p.saturation:
        return "co-occurrence", f"{on}, below {p.saturation:.0%}: tested against the seed"
    return "within-collection", (
        f"{on}, at least {p.saturation:.0%}: a hashtag-filtered collection, where co-occurrence "
        "with the seed cannot single out members; tested by act mix, then with the members"
    )


def _role(row: pd.Series, seed_act: str | None, p: FamilyParams) -> tuple[str, str]:
    """(role, the reason in words) from a member's act shares."""
    n = row["classified"]
    if n < p.min_classified:
        return "unknown", f"only {int(n)} classified posts"
    shares = {a: row[f"share_{a}"] for a in ACTS}
    dominant = max(ACTS, key=lambda a: shares[a])
    if shares["backlash"] > p.counter_share:
        return "counter", f"backlash {shares['backlash']:.0%} > {p.counter_share:.0%}"
    if dominant in FIRST_PERSON_ACTS and dominant != seed_act:
        return "spin-off", f"dominant {dominant} {shares[dominant]:.0%}, seed's is {seed_act}"
    return "allied", f"dominant {dominant} {shares[dominant]:.0%}"


class FamilyAnalysis(Analysis):
    """The hashtag family of a seed tag, with roles (CODEBOOK section 4)."""

    name: ClassVar[str] = "family"
    title: ClassVar[str] = "Hashtag family"
    version: ClassVar[str] = "2"  # 2: within-collection method for saturated seeds
    requires: ClassVar[tuple[str, ...]] = ("posts",)  # acts: used when present
    params_class: ClassVar[type[Params]] = FamilyParams

    def compute(self, store: Any) -> pd.DataFrame:
        p: FamilyParams = self.params  # type: ignore[assignment]
        seed = normalise_hashtag(p.seed or "")
        if not seed:
            raise InputError(f"family: {p.seed!r} is not a hashtag")
        if p.method not in METHODS:
            raise InputError(f"family: method {p.method!r} is not one of {', '.join(METHODS)}")
        con = store.con
        tagged_table(con)
        total = con.execute(f"SELECT count(DISTINCT (platform, id)) FROM {TAGGED}").fetchone()[0]
        stats = (
            con.execute(
                f"SELECT tag, count(*) AS posts, count(DISTINCT author) AS authors, "
                f"min(day) AS first_day FROM {TAGGED} GROUP BY tag"
            )
            .df()
            .set_index("tag")
        )
        if seed not in stats.index:
            drop_tables(con)
            raise NotEnoughDataError(
                "the hashtag family",
                f"no post in the store carries {seed}",
                hint="a seed tag the store holds",
            )
        big = stats[(stats["posts"] >= p.min_posts) & (stats["authors"] >= p.min_authors)]
        rows = [{"tag": seed, "joined": "seed", "role": "core"}]
        core = equivalents(seed)
        method, reason = choose_method(p, seed, int(stats.loc[seed, "posts"]), total)
        if method == "co-occurrence":
            joined = grow_cooccurrence(con, p, seed, big, total)
        else:
            present = sorted(t for t in core - {seed} if t in big.index)
            joined = grow_within(con, p, seed, big, total, present)
            if not has_acts(con):
                reason += "; no acts table, so only co-occurrence with listed equivalents counts"
        for r in joined:
            r["role"] = "core" if r["tag"] in core else None
        rows += joined
        have = {r["tag"] for r in rows}
        for tag in sorted(core - have):
            if tag in stats.index and stats.loc[tag, "posts"] >= p.min_posts:
                rows.append({"tag": tag, "joined": "equivalent", "role": "core"})
        frame = pd.DataFrame(rows)
        for col in ("cooccurrence", "g2", "p_value", "time_overlap"):
            if col not in frame:
                frame[col] = float("nan")
        frame = frame.join(stats, on="tag")
        frame["first_day"] = pd.to_datetime(frame["first_day"]).dt.date
        acts = has_acts(con)
        if acts:
            counts = act_counts(con, frame["tag"].tolist())
            classified = counts.sum(axis=1)
            frame["classified"] = classified.to_numpy()
            for a in ACTS:
                frame[f"share_{a}"] = (counts[a] / classified.where(classified > 0)).to_numpy()
            seed_row = frame.iloc[0]
            seed_act = (
                max(ACTS, key=lambda a: seed_row[f"share_{a}"])
                if seed_row["classified"] >= p.min_classified
                else None
            )
            roles = [_role(r, seed_act, p) for _, r in frame.iterrows()]
            frame["basis"] = [b for _, b in roles]
            frame["role"] = [
                old if old == "core" else role
                for old, (role, _) in zip(frame["role"], roles, strict=True)
            ]
            frame["dominant_act"] = [
                max(ACTS, key=lambda a, r=r: r[f"share_{a}"]) if r["classified"] else None
                for _, r in frame.iterrows()
            ]
        else:
            frame["classified"] = 0
            for a in ACTS:
                frame[f"share_{a}"] = float("nan")
            frame["dominant_act"] = None
            frame["role"] = frame["role"].fillna("unknown")
            frame["basis"] = UNAVAILABLE
        frame.loc[frame["joined"] == "seed", "basis"] = "seed"
        frame.loc[frame["joined"] == "equivalent", "basis"] = "equivalent in another language"
        drop_tables(con)
        order = ["core", "spin-off", "allied", "counter", "unknown"]
        frame["_o"] = frame["role"].map(order.index)
        frame = frame.sort_values(["_o", "posts"], ascending=[True, False], kind="stable")
        cols = [
            "tag",
            "role",
            "basis",
            "joined",
            "posts",
            "authors",
            "cooccurrence",
            "g2",
            "p_value",
            "time_overlap",
            "first_day",
            "classified",
            "dominant_act",
        ]
        frame = frame[cols + [f"share_{a}" for a in ACTS]].reset_index(drop=True)
        frame.attrs["acts"] = acts
        frame.attrs["method"] = method
        frame.attrs["method_reason"] = reason
        return frame

    def render(self, frame: pd.DataFrame) -> str:
        """The family table with small cells suppressed and the role rule stated."""
        formats: dict[str, Any] = {"g2": "{:.1f}", "p_value": readable_p, "time_overlap": "{:.0%}"}
        formats.update({f"share_{a}": "{:.0%}" for a in ACTS})
        formats.update({c: "{:,.0f}" for c in ("posts", "authors", "cooccurrence", "classified")})
        shown = format_columns(suppress_small_members(frame), formats)
        note = (
            "Roles from the speech-act mix: counter when backlash exceeds the counter share; "
            "spin-off when the dominant act is a first-person act other than the seed's; "
            "allied otherwise."
        )
        if not frame.attrs.get("acts", True):
            note = "Act mix unavailable (no acts table): roles other than core are unknown."
        if frame.attrs.get("method"):
            note = f"Membership by {frame.attrs['method']}: {frame.attrs['method_reason']}. {note}"
        table = shown.to_html(index=False, escape=True, border=0, classes="data", na_rep="")
        return f"<h2>{html.escape(self.title)}</h2><p class='note'>{html.escape(note)}</p>{table}"
