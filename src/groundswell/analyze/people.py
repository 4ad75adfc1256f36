"""Named people in a store's posts: mentions with roles, the public-figure rule, attention curves.

``person_mentions(platform, id, person, role, start, end, public)`` holds one row per mention.
``person`` is the canonical name of a public figure (in the shipped gazetteer, or named by at
least ``min_authors`` distinct authors) and a keyed pseudonym (``p_...``) for everyone else, so a
private person's name is never written to the store (CODEBOOK sections 3 and 7). The table has
``platform`` and ``id``, so ``groundswell forget`` removes the mentions of forgotten posts.

Cost: two passes over the post texts in Python (discovery of corpus names, then lookup), see
``bench/people.py``; the optional NER pass reads only candidate posts, at most ``ner_limit``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from groundswell.analyze.people_mentions import (
    PRIVATE,
    ROLE_CUE,
    NameIndex,
    Person,
    build_index,
    capitalised_runs,
    gazetteer,
    title_name,
)
from groundswell.analyze.people_names import GIVEN_NAMES, NOT_FIRST, NOT_SURNAMES, PARTICLES
from groundswell.analyze.people_roles import ROLES, role_of
from groundswell.analyze.registry import Analysis, Params
from groundswell.store.dates import post_day

TABLE = "person_mentions"
STATE_TABLE = "person_mentions_state"
VERSION = "1"
BATCH = 50_000
NAMED_BY_MANY = "named by many"  # the kind of a public figure the gazetteer does not list


@dataclass
class PeopleParams(Params):
    """``min_authors``: distinct authors that make a non-gazetteer person public;
    ``ner``: also run spaCy NER on candidate posts (extra ``ner``), at most ``ner_limit``."""

    min_authors: int = 25
    ner: bool = False
    ner_limit: int = 20_000


def person_pseudonym(store: Any, name: str) -> str:
    """The keyed pseudonym of a private person's canonical name (HMAC-SHA256, store key).

    Always hashed, even in stores created with ``pseudonymise=False``: that switch is about
    authors, and a private person named in a post has not chosen to be in the data.
    """
    digest = hmac.new(store.pseudonym.key, f"person:{name}".encode(), hashlib.sha256)
    return "p_" + digest.hexdigest()[:20]


def _texts(store: Any, columns: str) -> Iterator[list[Any]]:
    """Batches of posts as lists of column values (one list per column asked for)."""
    cursor = store.con.cursor()  # its own result, so other queries can run meanwhile
    try:
        reader = cursor.sql(f"SELECT {columns} FROM posts WHERE text IS NOT NULL").to_arrow_reader(
            BATCH
        )
        for batch in reader:
            yield [col.to_pylist() for col in batch.columns]
    finally:
        cursor.close()


def _signature(store: Any, params: PeopleParams) -> str:
    count, digest = store.con.execute(
        "SELECT count(*), coalesce(bit_xor(hash(platform || ':' || id)), 0) FROM posts"
    ).fetchall()[0]
    from groundswell import __version__

    code = hashlib.sha256(repr(gazetteer()).encode())  # the names and rules in force
    here = Path(__file__).parent
    for module in (
        "people.py",
        "people_mentions.py",
        "people_names.py",
        "people_ner.py",
        "people_roles.py",
    ):
        code.update((here / module).read_bytes())
    names = code.hexdigest()[:12]
    return (
        f"{__version__}:{VERSION}:{names}:{params.min_authors}:{params.ner}:{params.ner_limit}:"
        f"{count}:{digest}"
    )


def _lowercase_words(store: Any, words: set[str]) -> set[str]:
    """Which of ``words`` occur as a lower-case word somewhere in the posts (one DuckDB scan)."""
    if not words:
        return set()
    con = store.con.cursor()
    try:
        con.register("people_words", pd.DataFrame({"w": sorted(words)}))
        rows = con.execute(
            r"""SELECT DISTINCT w FROM (SELECT unnest(regexp_extract_all(
                    replace(text, '’', ''''), '\b[a-z]+(?:''[a-z]+)*\b')) AS w FROM posts)
                WHERE w IN (SELECT w FROM people_words)"""
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def _discover(store: Any, params: PeopleParams) -> list[Person]:
    """Pass 1: names the heuristics (and, if asked, NER) find anywhere in the corpus.

    Two heuristics: a known given name then a capitalised word ("Mark Dunn"), anywhere; and
    any pair of capitalised words in at least two posts carrying an accusation or role cue
    ("Garrick Stellmane denies allegations"). Every word after the first must never be written
    in lower case anywhere in the corpus, and for the second heuristic the first word too: so
    "Thanks Sarah Great job", "New York" or NER's "Bill Cosby Loses" make no person.
    """
    names: set[str] = set()
    cued: Counter[str] = Counter()
    for (texts,) in _texts(store, "text"):
        for text in texts:
            cue = None
            for parts, _, _ in capitalised_runs(text):
                if parts[0].casefold() in GIVEN_NAMES:
                    names.add(title_name(*parts))
                    continue
                if cue is None:
                    cue = ROLE_CUE.search(text) is not None
                if cue:
                    cued[title_name(*parts)] += 1
    ner_names: set[str] = set()
    if params.ner:
        from groundswell.analyze.people_ner import ner_person_names

        def all_texts() -> Iterator[str]:
            for (texts,) in _texts(store, "text"):
                yield from texts

        ner_names = {
            n
            for n in ner_person_names(all_texts(), limit=params.ner_limit)
            if n.split()[0].casefold() not in NOT_FIRST
            and not NOT_SURNAMES.intersection(w.casefold() for w in n.split()[1:])
        }
    cued_names = {n for n, k in cued.items() if k >= 2 and n not in names}

    def words(name: str, first: bool) -> list[str]:
        rest = name.split()[(0 if first else 1) :]
        return [w.casefold() for w in rest if w not in PARTICLES]

    checked = {w for n in cued_names for w in words(n, True)}
    checked |= {w for n in names | ner_names for w in words(n, False)}
    common = _lowercase_words(store, checked)
    kept = {n for n in names | ner_names if not common.intersection(words(n, False))}
    kept |= {n for n in cued_names if not common.intersection(words(n, True))}
    public = {p.canonical.casefold() for p, _, _ in gazetteer()}
    return [Person(n) for n in sorted(kept) if n.casefold() not in public]


def corpus_index(store: Any, **params: Any) -> NameIndex:
    """The name index of a store: the gazetteer plus the names discovered in its posts, for
    ``extract_mentions(text, index=...)`` on texts that belong with the store (its articles).
    People the store makes public (``min_authors``) are public in the index too."""
    build_mentions(store, **params)
    public = {
        r[0]
        for r in store.con.execute(f"SELECT DISTINCT person FROM {TABLE} WHERE public").fetchall()
    }
    found = _discover(store, PeopleParams(**params))
    found = [
        Person(p.canonical, public=True, kind=NAMED_BY_MANY) if p.canonical in public else p
        for p in found
    ]
    return build_index(found)


def build_mentions(store: Any, **params: Any) -> dict[str, int]:
    """(Re)build ``person_mentions`` for the store; returns counts. Skipped when the posts and
    parameters are unchanged since the last build (a ``person_mentions_state`` row says so)."""
    p = PeopleParams(**params)
    con = store.con
    signature = _signature(store, p)
    temp = "TEMP " if store.read_only else ""
    if _state(store) == signature or getattr(store, "_people_signature", None) == signature:
        return {"rebuilt": 0}
    index = build_index(_discover(store, p))
    rows: dict[str, list[Any]] = defaultdict(list)
    authors: dict[str, set[str]] = defaultdict(set)
    for columns in _texts(store, "platform, id, author, text"):
        for platform, pid, author, text in zip(*columns, strict=True):
            for hit in index.find(text):
                canonical = hit.person.canonical
                rows["platform"].append(platform)
                rows["id"].append(pid)
                rows["canonical"].append(canonical)
                rows["gazetteer"].append(hit.person.public)
                rows["role"].append(role_of(text, hit.start, hit.end))
                rows["start"].append(hit.start)
                rows["end"].append(hit.end)
                if author is not None:
                    authors[canonical].add(author)
    public = [
        g or len(authors.get(c, ())) >= p.min_authors
        for c, g in zip(rows["canonical"], rows["gazetteer"], strict=True)
    ]
    pseudonyms: dict[str, str] = {}
    person = []
    for c, is_public in zip(rows["canonical"], public, strict=True):
        if is_public:
            person.append(c)
        else:
            if c not in pseudonyms:
                pseudonyms[c] = person_pseudonym(store, c)
            person.append(pseudonyms[c])
    import pyarrow as pa

    table = pa.table(
        {
            "platform": pa.array(rows["platform"], pa.string()),
            "id": pa.array(rows["id"], pa.string()),
            "person": pa.array(person, pa.string()),
            "role": pa.array(rows["role"], pa.string()),
            "start": pa.array(rows["start"], pa.int32()),
            "end": pa.array(rows["end"], pa.int32()),
            "public": pa.array(public, pa.bool_()),
        }
    )
    del rows, authors
    con.register("person_mentions_new", table)
    try:
        con.execute(f"CREATE OR REPLACE {temp}TABLE {TABLE} AS SELECT * FROM person_mentions_new")
    finally:
        con.unregister("person_mentions_new")
    store._people_signature = signature  # a read-only store's TEMP table lives as long as it
    if not store.read_only:
        con.execute(f"CREATE OR REPLACE TABLE {STATE_TABLE} (signature VARCHAR)")
        con.execute(f"INSERT INTO {STATE_TABLE} VALUES (?)", [signature])
    return {"rebuilt": 1, "mentions": table.num_rows, "private_people": len(pseudonyms)}


def _state(store: Any) -> str | None:
    if store.read_only:
        return None
    import duckdb

    try:
        rows = store.con.execute(f"SELECT signature FROM {STATE_TABLE}").fetchall()
    except duckdb.CatalogException:  # never built
        return None
    return rows[0][0] if rows else None


def _mentions() -> str:
    """SQL: each mention with its post's author and day (NULL when the post's time is no day a
    series counts)."""
    return f"""
    SELECT m.person, m.role, m.public, p.author, {post_day("p.created_at")} AS day
    FROM {TABLE} m JOIN posts p ON p.platform = m.platform AND p.id = m.id"""


def attention(store: Any, **params: Any) -> pd.DataFrame:
    """Daily distinct authors (and mentions) per public figure: columns person, day, authors,
    mentions. Raw counts; exports and pages pass it through ``suppress_small_cells``."""
    build_mentions(store, **params)
    return store.con.execute(f"""
        SELECT person, day, count(DISTINCT author) AS authors, count(*) AS mentions
        FROM ({_mentions()}) WHERE public AND day IS NOT NULL
        GROUP BY person, day ORDER BY person, day""").df()


def people(store: Any, **params: Any) -> pd.DataFrame:
    """One row per public figure named in the store, plus one ``[private person]`` row for all
    others together: kind, mentions, distinct authors, and per role (accused, accuser,
    commentator) the distinct authors who named them so, first day, peak day and its authors."""
    build_mentions(store, **params)
    role_cols = ", ".join(
        f"count(DISTINCT author) FILTER (WHERE role = '{r}') AS {r}" for r in ROLES
    )
    frame = store.con.execute(f"""
        WITH m AS ({_mentions()}),
        daily AS (SELECT person, day, count(DISTINCT author) AS n FROM m
                  WHERE public AND day IS NOT NULL GROUP BY ALL),
        peaks AS (SELECT person, first(day ORDER BY n DESC, day) AS peak_day, max(n) AS peak_authors
                  FROM daily GROUP BY person)
        SELECT m.person, count(*) AS mentions, count(DISTINCT author) AS authors,
               1 AS persons, {role_cols}, min(day) AS first_day,
               any_value(peak_day) AS peak_day, any_value(peak_authors) AS peak_authors
        FROM m LEFT JOIN peaks USING (person) WHERE m.public GROUP BY m.person
        UNION ALL
        SELECT '{PRIVATE}', count(*), count(DISTINCT author), count(DISTINCT person),
               {role_cols}, min(day), NULL, NULL
        FROM m WHERE NOT m.public HAVING count(*) > 0
        ORDER BY authors DESC, person""").df()
    kinds = {p.canonical: p.kind for p, _, _ in gazetteer()}
    frame.insert(
        1,
        "kind",
        [None if name == PRIVATE else kinds.get(name, NAMED_BY_MANY) for name in frame["person"]],
    )
    return frame


def suppressed(frame: pd.DataFrame, min_cell: int = 10) -> pd.DataFrame:
    """A copy for export or display: counts in rows with fewer than ``min_cell`` distinct
    authors read "< 10" (CODEBOOK section 7), and so do the author counts of a role or of the
    peak day that are small cells themselves."""
    from groundswell.care import suppress_small_cells

    out = suppress_small_cells(frame, authors_col="authors", min_cell=min_cell)
    for col in ("peak_authors", *ROLES):
        if col in frame.columns:
            small = pd.to_numeric(frame[col], errors="coerce") < min_cell
            out[col] = out[col].astype(object)
            out.loc[small, col] = f"< {min_cell}"
    return out


def as_records(frame: pd.DataFrame, min_cell: int = 10) -> list[dict[str, Any]]:
    """JSON-ready rows of a people or attention frame: small cells suppressed, missing values
    as None, days as ISO dates."""
    out = suppressed(frame, min_cell).astype(object)
    records = []
    for row in out.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                clean[key] = None
            elif hasattr(value, "isoformat"):
                clean[key] = value.isoformat()[:10]
            elif hasattr(value, "item"):  # numpy scalar
                clean[key] = value.item()
            else:
                clean[key] = value
        records.append(clean)
    return records


class PeopleAnalysis(Analysis):
    """Named people: public figures with roles and attention; everyone else as [private person]."""

    name: ClassVar[str] = "people"
    title: ClassVar[str] = "Named people"
    version: ClassVar[str] = VERSION
    requires: ClassVar[tuple[str, ...]] = ("posts",)
    produces: ClassVar[tuple[str, ...]] = (TABLE,)
    params_class: ClassVar[type[Params]] = PeopleParams

    def compute(self, store: Any) -> pd.DataFrame:
        params = self.params.as_dict()
        frame = people(store, **params)
        frame.attrs["attention"] = attention(store, **params)
        return frame

    def chart(self, frame: pd.DataFrame) -> Any:
        """Attention curves of the top public figures."""
        from groundswell.analyze.people_render import attention_chart

        return attention_chart(frame)

    def render(self, frame: pd.DataFrame) -> str:
        """The table, small cells suppressed."""
        from groundswell.analyze.people_render import render_people

        return render_people(frame, self.params.as_dict())
