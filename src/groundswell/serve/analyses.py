"""The registered analyses, run once per snapshot on its in-memory copy, as JSON-ready rows.

Each function takes a ``Snapshot`` and is called through ``Snapshot.computed`` so that it runs
once (a background thread starts them all when a snapshot is taken). Small cells are withheld
(``cells.withhold``); people are public figures by name or ``[private person]``.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from groundswell.care import MIN_CELL, mask_text
from groundswell.care.names import NameMasker, fit_to_show
from groundswell.errors import NotEnoughDataError
from groundswell.serve.cells import plain, records, withhold, withhold_rows
from groundswell.serve.snapshot import Snapshot

FAMILY_COUNTS = ("posts", "cooccurrence", "g2", "p_value", "time_overlap", "classified")


def explain(exc: BaseException) -> str:
    """Why an analysis has no result, in one masked line."""
    if isinstance(exc, NotEnoughDataError):
        return f"Not enough data for {exc.what} because {exc.why}."
    return mask_text(f"{type(exc).__name__}: {exc}")


def movement_seed(snap: Snapshot) -> dict[str, Any]:
    """The movement's seed tag (the store's most used hashtag) and how it was chosen."""
    from groundswell.analyze.family import movement_seed as seed_of

    tag, why = seed_of(snap.store(), None)
    return {"seed": tag, "why": why}


def family(snap: Snapshot, seed: str) -> dict[str, Any]:
    """The hashtag family of ``seed``: each member's role, the basis for it, and its numbers."""
    from groundswell.analyze.family import FamilyAnalysis

    frame = FamilyAnalysis(seed=seed).compute(snap.store())
    shares = [c for c in frame.columns if c.startswith("share_")]
    rows = records(frame)
    withhold_rows(rows, [*FAMILY_COUNTS, *shares, "dominant_act", "first_day"])
    return {
        "seed": seed,
        "method": frame.attrs.get("method"),
        "method_reason": frame.attrs.get("method_reason"),
        "acts": bool(frame.attrs.get("acts")),
        "rows": rows,
    }


def timeline(snap: Snapshot) -> list[dict[str, Any]]:
    """Onsets and bursts of the movement and its family's tags (default parameters)."""
    from groundswell.analyze.timeline import SMALL_CELL_COLUMNS, TimelineAnalysis

    rows = records(TimelineAnalysis().compute(snap.store()))
    return withhold_rows(rows, list(SMALL_CELL_COLUMNS))


def people(snap: Snapshot) -> dict[str, Any]:
    """Named people with roles and attention curves (public figures only, by name), and the
    places in posts where private persons are named (table ``private_spans``)."""
    from groundswell.analyze.people import PeopleAnalysis
    from groundswell.analyze.people_roles import ROLES

    store = snap.store()
    frame = PeopleAnalysis().compute(store)
    store.con.execute(
        'CREATE OR REPLACE TABLE main.private_spans AS SELECT p.rid, m.start, m."end" '
        "FROM person_mentions m JOIN posts p USING (platform, id) WHERE NOT m.public "
        "ORDER BY p.rid"
    )
    store.con.execute("CREATE INDEX private_spans_rid ON main.private_spans (rid)")
    rows = records(frame)
    for row in rows:
        withhold(row, ["mentions", "authors", "persons", *ROLES, "first_day", "peak_day",
                       "peak_authors"], row.get("authors"))  # fmt: skip
        for col in (*ROLES, "peak_authors"):
            withhold(row, [col], row.get(col))
    attention: dict[str, list[dict[str, Any]]] = {}
    for day in records(frame.attrs["attention"]):
        person = day.pop("person")
        attention.setdefault(person, []).append(withhold(day, ["authors", "mentions"],
                                                         day["authors"]))  # fmt: skip
    for row in rows:
        row["attention"] = attention.get(row["person"], [])
    return {"rows": rows, "roles": list(ROLES), "min_authors_public": 25}


def pileons(snap: Snapshot) -> list[dict[str, Any]]:
    """Pile-ons (CODEBOOK section 5) with act mix and hostile wording; targets by pseudonym
    unless a public figure."""
    from groundswell.analyze.pileon import pileons as find

    rows = records(find(snap.store()))  # targets already pseudonyms, whatever the store keeps
    for row in rows:
        withhold(row, ["authors", "posts"], row.get("authors"))
    return rows


def articles(snap: Snapshot) -> list[dict[str, Any]]:
    """Stance, the sentences that carry it, claims, people and hashtags of each article."""
    if "articles" not in snap.tables:
        return []
    from groundswell.analyze.article import analyze_article
    from groundswell.schema import Article

    cur = snap.cursor()
    names = NameMasker.for_store(cur)

    def shown(value: str) -> str:
        return fit_to_show(value, names)

    out = []
    for aid, title, text, created, fmt in cur.execute(
        "SELECT id, title, text, created_at, format FROM articles "
        "ORDER BY created_at NULLS LAST, id LIMIT 500"
    ).fetchall():
        result = analyze_article(Article(id=aid, title=title or "", text=text)).shown(shown)
        out.append(
            {
                "id": aid,
                "title": result.title or "(untitled)",
                "created_at": plain(created),
                "format": fmt,
                "stance": result.stance,
                "scores": plain(result.scores),
                "stance_sentences": result.stance_sentences,
                "claims": [{k: plain(v) for k, v in c.items()} for c in result.claims],
                "people": result.people,
                "hashtags": result.hashtags,
                "sentences": result.sentences,
            }
        )
    return out


def overview(snap: Snapshot, platform: str | None = None) -> dict[str, Any]:
    """The overview's numbers (``queries.overview``), once per snapshot and platform."""
    from groundswell.serve import queries

    return snap.computed(f"overview:{platform or ''}", lambda s: queries.overview(s, platform))


WARM = ("people", "timeline", "pileons", "articles")  # started in the background per snapshot


def warm(snap: Snapshot) -> None:
    """Compute every analysis of a fresh snapshot, so the first page view does not wait."""
    from groundswell.serve.queries import facets

    with suppress(Exception):
        for platform in (None, *facets(snap)["platforms"]):
            overview(snap, platform)
    for name in WARM:
        with suppress(Exception):  # kept in the snapshot and shown on its page
            snap.computed(name, globals()[name])
    with suppress(Exception):
        seed = snap.computed("seed", movement_seed)["seed"]
        if seed:
            snap.computed(f"family:{seed}", lambda s: family(s, seed))


__all__ = ["MIN_CELL", "articles", "family", "people", "pileons", "timeline", "warm"]
