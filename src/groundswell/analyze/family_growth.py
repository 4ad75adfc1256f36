"""How a hashtag family grows (CODEBOOK section 4): the two membership methods.

``co-occurrence``: members co-occur with the seed (then with the family) more than chance, by a
G² test against the share of tagged posts that carry the family. It needs the seed to be rare.

``within-collection``: for hashtag-filtered collections, where the seed is on most posts and a G²
test against that base rate finds every other tag "below chance". A tag joins first by its own
act mix (a significantly higher backlash share, or a first-person act that is not the seed's
and is significantly more frequent than in the rest of the collection), then, in later rounds,
by co-occurrence with those members (the same G² test, now against members that are rare).

Both use the temporary table ``TAGGED`` (one row per post and distinct tag) built by
``tagged_table``, and the time-overlap condition of the module ``family``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from groundswell.schema import ACTS
from groundswell.store.dates import post_day

if TYPE_CHECKING:
    from groundswell.analyze.family import FamilyParams

FIRST_PERSON_ACTS = ("testimony", "confession", "pledge")
TAGGED = "gs_family_tagged"
MEMBERS = "gs_family_members"
FAMILY_POSTS = "gs_family_posts"
# One act per post, whatever number of model runs the acts table holds.
ACTS_SQL = "(SELECT platform, id, any_value(act) AS act FROM acts GROUP BY platform, id)"


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


def tagged_table(con: Any) -> None:
    """The temporary table ``TAGGED``: (platform, id, author, day, tag), one row per tag."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TAGGED} AS "
        f"SELECT platform, id, author, {post_day()} AS day, "
        "unnest(list_distinct(hashtags)) AS tag FROM posts WHERE len(hashtags) > 0"
    )


def drop_tables(con: Any) -> None:
    for table in (TAGGED, MEMBERS, FAMILY_POSTS):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _members_table(con: Any, tags: list[str]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {MEMBERS} AS SELECT unnest(?) AS tag", [tags])


def _family_posts(con: Any, members: list[str]) -> str:
    _members_table(con, members)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {FAMILY_POSTS} AS SELECT DISTINCT platform, id "
        f"FROM {TAGGED} SEMI JOIN {MEMBERS} USING (tag)"
    )
    return FAMILY_POSTS


def act_counts(con: Any, tags: list[str]) -> pd.DataFrame:
    """Classified posts of each tag by act (tags as rows, the codebook's acts as columns)."""
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


def time_overlap(con: Any, seed: str, q: float) -> dict[str, float]:
    """Each tag's share of posts inside the seed's active span (its q .. 1-q day quantiles)."""
    lo, hi = con.execute(
        f"SELECT quantile_disc(day, {q}), quantile_disc(day, {1 - q}) FROM {TAGGED} WHERE tag = ?",
        [seed],
    ).fetchone()
    return dict(
        con.execute(
            f"SELECT tag, avg(CASE WHEN day BETWEEN ? AND ? THEN 1 ELSE 0 END) FROM {TAGGED} "
            "GROUP BY tag",
            [lo, hi],
        ).fetchall()
    )


def _cooccurrence_round(
    con: Any,
    p: FamilyParams,
    pivots: list[str],
    candidates: pd.DataFrame,
    total: int,
    overlap: dict[str, float],
    label: str,
) -> list[dict]:
    """Candidates whose co-occurrence with the posts carrying any pivot tag is above chance
    and significant (G², Bonferroni over the candidates), and that overlap the seed in time."""
    fam = _family_posts(con, pivots)
    n_family = con.execute(f"SELECT count(*) FROM {fam}").fetchone()[0]
    cooc = dict(
        con.execute(
            f"SELECT tag, count(*) FROM {TAGGED} SEMI JOIN {fam} USING (platform, id) GROUP BY tag"
        ).fetchall()
    )
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
                    "joined": label,
                    "cooccurrence": a,
                    "g2": g2,
                    "p_value": p_adj,
                    "time_overlap": share,
                }
            )
    return new


def _add(joined: list[dict], members: list[str], new: list[dict], p: FamilyParams) -> bool:
    """Add the strongest new members that fit under ``max_members``; False when none did."""
    room = p.max_members - 1 - len(joined)
    new = sorted(new, key=lambda r: -r["g2"])[: max(room, 0)]
    joined += new
    members += [r["tag"] for r in new]
    return bool(new)


def grow_cooccurrence(
    con: Any, p: FamilyParams, seed: str, stats: pd.DataFrame, total: int
) -> list[dict]:
    """Co-occurrence rounds from the seed; returns one dict per joined (non-seed) member."""
    overlap = time_overlap(con, seed, p.span_quantile)
    members = [seed]
    joined: list[dict] = []
    for rnd in range(1, p.max_rounds + 1):
        candidates = stats[~stats.index.isin(members)]
        new = _cooccurrence_round(con, p, members, candidates, total, overlap, f"round {rnd}")
        if not _add(joined, members, new, p):
            break
    return joined


def _act_mix_round(
    con: Any,
    p: FamilyParams,
    seed: str,
    candidates: pd.DataFrame,
    overlap: dict[str, float],
) -> list[dict]:
    """Candidates whose act mix sets them apart from the rest of the collection: backlash above
    ``counter_share`` and significantly above the rest (a counter-tag), or a dominant first-person
    act other than the seed's, significantly above the rest (a spin-off)."""
    tags = list(candidates.index)
    if not tags:
        return []
    counts = act_counts(con, [seed, *tags])
    totals = dict(
        con.execute(
            f"SELECT a.act, count(*) FROM (SELECT DISTINCT platform, id FROM {TAGGED}) "
            f"JOIN {ACTS_SQL} a USING (platform, id) GROUP BY ALL"
        ).fetchall()
    )
    n_all = sum(totals.get(a, 0) for a in ACTS)
    seed_row = counts.loc[seed]
    seed_act = str(seed_row.idxmax()) if seed_row.sum() >= p.min_classified else None
    with_seed = dict(
        con.execute(
            f"SELECT t.tag, count(*) FROM {TAGGED} t SEMI JOIN (SELECT platform, id FROM {TAGGED} "
            "WHERE tag = ?) s USING (platform, id) GROUP BY t.tag",
            [seed],
        ).fetchall()
    )
    tests = max(2 * len(tags), 1)  # two tests per candidate: counter and spin-off
    new = []
    for tag in tags:
        row = counts.loc[tag]
        n = int(row.sum())
        share = float(overlap.get(tag, 0.0))
        if n < p.min_classified or share < p.min_time_overlap:
            continue
        dominant = str(row.idxmax())
        act = "backlash" if row["backlash"] / n > p.counter_share else dominant
        if act != "backlash" and (act not in FIRST_PERSON_ACTS or act == seed_act):
            continue
        k = int(row[act])
        g2, pval, expected = g2_test(k, n, int(totals.get(act, 0)), n_all)
        p_adj = min(1.0, pval * tests)
        if k > expected and p_adj < p.alpha:
            new.append(
                {
                    "tag": tag,
                    "joined": f"act mix: {act}",
                    "cooccurrence": int(with_seed.get(tag, 0)),
                    "g2": g2,
                    "p_value": p_adj,
                    "time_overlap": share,
                }
            )
    return new


def grow_within(
    con: Any, p: FamilyParams, seed: str, stats: pd.DataFrame, total: int, core: list[str]
) -> list[dict]:
    """Within-collection growth: an act-mix round (when acts are stored), then co-occurrence
    rounds with the members found so far other than the seed (``core``: the seed's listed
    equivalents present in the store, which also serve as pivots)."""
    overlap = time_overlap(con, seed, p.span_quantile)
    members = [seed]
    joined: list[dict] = []
    if has_acts(con):
        candidates = stats[~stats.index.isin(members)]
        _add(joined, members, _act_mix_round(con, p, seed, candidates, overlap), p)
    for rnd in range(2, p.max_rounds + 1):
        pivots = [t for t in members if t != seed] + [t for t in core if t not in members]
        if not pivots:
            break
        candidates = stats[~stats.index.isin(members + pivots)]
        new = _cooccurrence_round(con, p, pivots, candidates, total, overlap, f"round {rnd}")
        if not _add(joined, members, new, p):
            break
    return joined
