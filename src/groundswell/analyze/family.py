"""Hashtag families (CODEBOOK section 4): grow a family from a seed tag and give each member a role.

Growth. Every tag with at least ``min_posts`` posts and ``min_authors`` distinct authors is a
candidate. In each round the posts carrying any family member are counted against each candidate
in a 2x2 table over all tagged posts; a candidate joins when its co-occurrence is at least
``min_cooccurrence``, above chance, and significant by the log-likelihood test (G², 1 degree of
freedom) at ``alpha`` after a Bonferroni correction for the candidates tested in that round, and
when at least ``min_time_overlap`` of its posts fall inside the seed's active span (the days
between the ``span_quantile`` and ``1 - span_quantile`` quantiles of the seed's posts). Rounds
repeat (co-occurrence with any member) until nothing joins or ``max_rounds`` is reached.
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
(150 MB of it the interpreter and the open store).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from groundswell.analyze.registry import Analysis, Params
from groundswell.errors import InputError
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
FIRST_PERSON_ACTS = ("testimony", "confession", "pledge")
UNAVAILABLE = "act mix unavailable"
TAGGED = "gs_family_tagged"
MEMBERS = "gs_family_members"


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


def has_acts(con: Any) -> bool:
    """True when the store holds an ``acts`` table with (platform, id, act)."""
    cols = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'acts' "
            "AND NOT internal AND schema_name = 'main'"
        ).fetchall()
    }
    return {"platform", "id", "act"} <= cols


# One act per post, whatever number of model runs the acts table holds.
ACTS_SQL = "(SELECT platform, id, any_value(act) AS act FROM acts GROUP BY platform, id)"


def format_columns(frame: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    """A copy for display: numbers in the named columns through a format spec ("{:.0%}"),
    missing values blank, strings (a suppressed "< 10") unchanged."""

    def one(spec: str, v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return v if isinstance(v, str) else spec.format(v)

    out = frame.copy()
    for col, spec in formats.items():
        if col in out:
            out[col] = [one(spec, v) for v in out[col]]
    return out


def equivalents(seed: str) -> frozenset[str]:
    """The seed's core group (itself plus listed equivalents in other languages)."""
    for group in CORE_EQUIVALENTS:
        if seed in group:
            return group
    return frozenset({seed})


def g2_test(a: int, n_tag: int, n_family: int, total: int) -> tuple[float, float, float]:
    """Log-likelihood G² of a 2x2 co-occurrence table; returns (G², p, expected a)."""
    from scipy.stats import chi2

    b, c = n_tag - a, n_family - a
    d = total - a - b - c
    obs = (a, b, c, d)
    rows, cols = (a + b, c + d), (a + c, b + d)
    exp = (
        rows[0] * cols[0] / total,
        rows[0] * cols[1] / total,
        rows[1] * cols[0] / total,
        rows[1] * cols[1] / total,
    )
    g2 = 2.0 * sum(o * math.log(o / e) for o, e in zip(obs, exp, strict=True) if o > 0 and e > 0)
    return g2, float(chi2.sf(g2, 1)), exp[0]


def _tagged_table(con: Any) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TAGGED} AS "
        "SELECT platform, id, author, created_at::DATE AS day, "
        "unnest(list_distinct(hashtags)) AS tag FROM posts WHERE len(hashtags) > 0"
    )


def _members_table(con: Any, tags: list[str]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {MEMBERS} AS SELECT unnest(?) AS tag", [tags])


def _family_posts(con: Any, members: list[str]) -> str:
    _members_table(con, members)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gs_family_posts AS SELECT DISTINCT platform, id "
        f"FROM {TAGGED} SEMI JOIN {MEMBERS} USING (tag)"
    )
    return "gs_family_posts"


def family(store: Any, seed: str = "#metoo", **params: Any) -> pd.DataFrame:
    """The seed's hashtag family with roles and the numbers behind them (one row per member)."""
    return FamilyAnalysis(seed=seed, **params).compute(store)


def _grow(con: Any, p: FamilyParams, seed: str, stats: pd.DataFrame, total: int) -> list[dict]:
    """Co-occurrence rounds; returns one dict per joined (non-seed) member."""
    q = p.span_quantile
    lo, hi = con.execute(
        f"SELECT quantile_disc(day, {q}), quantile_disc(day, {1 - q}) FROM {TAGGED} WHERE tag = ?",
        [seed],
    ).fetchone()
    overlap = dict(
        con.execute(
            f"SELECT tag, avg(CASE WHEN day BETWEEN ? AND ? THEN 1 ELSE 0 END) FROM {TAGGED} "
            "GROUP BY tag",
            [lo, hi],
        ).fetchall()
    )
    members = [seed]
    joined: list[dict] = []
    for rnd in range(1, p.max_rounds + 1):
        fam = _family_posts(con, members)
        n_family = con.execute(f"SELECT count(*) FROM {fam}").fetchone()[0]
        cooc = dict(
            con.execute(
                f"SELECT tag, count(*) FROM {TAGGED} SEMI JOIN {fam} USING (platform, id) "
                "GROUP BY tag"
            ).fetchall()
        )
        candidates = stats[~stats.index.isin(members)]
        tests = max(len(candidates), 1)
        new = []
        for tag, row in candidates.iterrows():
            a = int(cooc.get(tag, 0))
            if a < p.min_cooccurrence:
                continue
            g2, pval, expected = g2_test(a, int(row["posts"]), n_family, total)
            p_adj = min(1.0, pval * tests)
            share = float(overlap.get(tag, 0.0))
            if a > expected and p_adj < p.alpha and share >= p.min_time_overlap:
                new.append(
                    {
                        "tag": tag,
                        "joined": f"round {rnd}",
                        "cooccurrence": a,
                        "g2": g2,
                        "p_value": p_adj,
                        "time_overlap": share,
                    }
                )
        room = p.max_members - 1 - len(joined)
        new = sorted(new, key=lambda r: -r["g2"])[: max(room, 0)]
        if not new:
            break
        joined += new
        members += [r["tag"] for r in new]
    return joined


def _act_shares(con: Any, tags: list[str]) -> pd.DataFrame:
    _members_table(con, tags)
    rows = con.execute(
        f"SELECT t.tag, a.act, count(*) FROM {TAGGED} t SEMI JOIN {MEMBERS} USING (tag) "
        f"JOIN {ACTS_SQL} a USING (platform, id) GROUP BY ALL"
    ).fetchall()
    counts = pd.DataFrame(0, index=pd.Index(tags, name="tag"), columns=list(ACTS))
    for tag, act, n in rows:
        if act in counts.columns:  # a label outside the codebook is not counted
            counts.at[tag, act] += n
    return counts


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
    version: ClassVar[str] = "1"
    requires: ClassVar[tuple[str, ...]] = ("posts",)  # acts: used when present
    params_class: ClassVar[type[Params]] = FamilyParams

    def compute(self, store: Any) -> pd.DataFrame:
        p: FamilyParams = self.params  # type: ignore[assignment]
        seed = normalise_hashtag(p.seed or "")
        if not seed:
            raise InputError(f"family: {p.seed!r} is not a hashtag")
        con = store.con
        _tagged_table(con)
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
            raise InputError(f"family: no post in the store carries {seed}")
        big = stats[(stats["posts"] >= p.min_posts) & (stats["authors"] >= p.min_authors)]
        rows = [{"tag": seed, "joined": "seed", "role": "core"}]
        core = equivalents(seed)
        joined = _grow(con, p, seed, big, total)
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
            counts = _act_shares(con, frame["tag"].tolist())
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
        for table in (TAGGED, MEMBERS, "gs_family_posts"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
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
        return frame

    def render(self, frame: pd.DataFrame) -> str:
        """The family table with small cells suppressed and the role rule stated."""
        from groundswell.care import suppress_small_cells

        formats = {"g2": "{:.1f}", "p_value": "{:.1e}", "time_overlap": "{:.0%}"}
        formats.update({f"share_{a}": "{:.0%}" for a in ACTS})
        formats.update({c: "{:,.0f}" for c in ("posts", "authors", "cooccurrence", "classified")})
        shown = format_columns(suppress_small_cells(frame), formats)
        note = (
            "Roles from the speech-act mix: counter when backlash exceeds the counter share; "
            "spin-off when the dominant act is a first-person act other than the seed's; "
            "allied otherwise."
        )
        if not frame.attrs.get("acts", True):
            note = "Act mix unavailable (no acts table): roles other than core are unknown."
        table = shown.to_html(index=False, escape=True, border=0, classes="data", na_rep="")
        return f"<h2>{html.escape(self.title)}</h2><p class='note'>{html.escape(note)}</p>{table}"
