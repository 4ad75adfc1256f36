"""Find named people in a text, merge their alias forms, and give each mention a role.

Two finders run over every text, both linear in its length:

* a **name index**: a dict of lower-cased token n-grams (full names, aliases, unambiguous
  surnames, ``@handles``) looked up at each token, longest match first. It is built from the
  shipped public-figure gazetteer (``data/public_figures.csv``) plus names discovered in the
  corpus, so every alias form of one person maps to one canonical name;
* a **capitalised-run heuristic** for people not in the index: a given name from
  :mod:`groundswell.analyze.people_names`, any middle given names and particles, then a
  capitalised surname ("Mark Dunn", "Mary Ann Dunn", "Jean van der Berg"). No word inside a
  #tag or @handle, and no movement tag word ("MeToo"), is ever part of a name.

Roles (CODEBOOK section 3) come from cue words right before or after the mention in the same
sentence (``people_roles``). The optional spaCy NER path lives in ``people_ner``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from groundswell.analyze.people_names import (
    COMMON_SURNAMES,
    GIVEN_NAMES,
    MOVEMENT_WORDS,
    NOT_FIRST,
    NOT_SURNAMES,
    PARTICLES,
)
from groundswell.analyze.people_roles import role_of

PRIVATE = "[private person]"

_TOKEN = re.compile(r"[@#]?\w+(?:['’]\w+)*")
_POSSESSIVE = ("'s", "’s")
# a capitalised word that is not part of a #tag, an @handle or a longer token
_CAMEL = re.compile(r"^[A-Z]+[a-z]*[A-Z]\w*$")
_APOSTROPHE_NAME = re.compile(r"^[a-z]'[a-z]{2,}$")
_CAP_WORD = re.compile(r"(?<![\w@#'’])[A-Z]\w*(?:['’]\w+)*(?![\w@#])")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "judge", "justice", "senator", "sen", "president"})


def _norm(token: str) -> str:
    """Lower-case a token, straighten apostrophes and drop a possessive ``'s``."""
    t = token.replace("’", "'").casefold()
    return t[:-2] if t.endswith("'s") and len(t) > 3 else t


def name_key(name: str) -> tuple[str, ...]:
    """The lookup key of a name: its lower-cased word tokens ("Louis C.K." -> louis, c, k)."""
    return tuple(_norm(t) for t in _TOKEN.findall(name) if not t.startswith(("@", "#")))


@dataclass(frozen=True)
class Person:
    """One canonical person: the name shown, whether the gazetteer lists them, their kind."""

    canonical: str
    public: bool = False
    kind: str | None = None


@dataclass
class Hit:
    """A span of text naming a person."""

    name: str
    person: Person
    start: int
    end: int


@dataclass
class NameIndex:
    """Token n-gram lookup from every alias form to one :class:`Person`.

    Single-word keys (surnames, one-word names) only match a capitalised word, so "rose" or
    "swift" in running text is not a person; multi-word names, handles and hashtags made of a
    name (``#MJAkbar``, ``#Weinstein`` for an unambiguous surname) match in any case.
    """

    keys: dict[tuple[str, ...], Person] = field(default_factory=dict)
    handles: dict[str, Person] = field(default_factory=dict)
    tags: dict[str, Person] = field(default_factory=dict)
    longest: dict[str, int] = field(default_factory=dict)
    _surnames: dict[str, set[Person]] = field(default_factory=dict)
    prefilter: frozenset[str] = frozenset()

    def add(
        self,
        person: Person,
        aliases: tuple[str, ...] = (),
        handle: str | None = None,
        surname: bool = True,
        guess_handles: bool = False,
    ) -> None:
        """Index a person under their canonical name, aliases, handle and (with ``surname``,
        once :meth:`finish` has checked it is unambiguous) their surname alone."""
        for form in (person.canonical, *aliases):
            key = name_key(form)
            if key:
                self._put(key, person)
                self.tags.setdefault("".join(key).replace("'", ""), person)
        if handle:
            self.handles[handle.lstrip("@").casefold()] = person
        parts = person.canonical.split()
        if guess_handles and len(parts) == 2 and parts[0].isalpha():
            first, last = (w.casefold().replace("'", "") for w in parts)
            for guess in (first + last, f"{first}_{last}", first[0] + last, last + first):
                self.handles.setdefault(guess, person)  # @marydunn, @mdunn ...
        if surname and len(parts) >= 2 and parts[0].rstrip(".").casefold() not in _TITLES:
            last = name_key(parts[-1])
            if len(last) == 1 and len(last[0]) > 2:
                self._surnames.setdefault(last[0], set()).add(person)

    def _put(self, key: tuple[str, ...], person: Person) -> None:
        self.keys.setdefault(key, person)
        if len(key) > self.longest.get(key[0], 0):
            self.longest[key[0]] = len(key)

    def finish(self) -> NameIndex:
        """Add surname-alone keys that name exactly one indexed person and are not common words."""
        for surname, people in self._surnames.items():
            if len(people) == 1 and surname not in COMMON_SURNAMES and (surname,) not in self.keys:
                self._put((surname,), next(iter(people)))
                self.tags.setdefault(surname.replace("'", ""), next(iter(people)))
        self._surnames = {}
        words = (
            set(self.longest)
            | {"@" + h for h in self.handles}
            | {"#" + t for t in self.tags}
            | set(self.tags)
        )
        self.prefilter = frozenset(words | {w + "'s" for w in words})
        return self

    def find(self, text: str) -> list[Hit]:
        """Every indexed name in ``text``, longest match first, no overlaps."""
        hits: list[Hit] = []
        if self.prefilter.isdisjoint(_TOKEN.findall(text.replace("’", "'").casefold())):
            return hits  # most posts name nobody: one C-level pass decides it
        toks = list(_TOKEN.finditer(text))
        i, n = 0, len(toks)
        keys, longest = self.keys, self.longest
        while i < n:
            tok = toks[i].group()
            if tok[0] in "@#":
                table = self.handles if tok[0] == "@" else self.tags
                person = table.get(_norm(tok[1:]).replace("'", ""))
                if person is not None:
                    end = toks[i].end() - (2 if tok.endswith(_POSSESSIVE) else 0)
                    hits.append(Hit(text[toks[i].start() : end], person, toks[i].start(), end))
                i += 1
                continue
            first = _norm(tok)
            span = longest.get(first, 0)
            matched = False
            for size in range(min(span, n - i), 0, -1):
                key = (first, *(_norm(t.group()) for t in toks[i + 1 : i + size]))
                person = keys.get(key)
                if person is None or (size == 1 and not tok[0].isupper()):
                    continue
                if size > 1 and not _adjacent(text, toks[i : i + size]):
                    continue
                last = toks[i + size - 1]
                end = last.end() - (2 if last.group().endswith(_POSSESSIVE) else 0)
                hits.append(Hit(text[toks[i].start() : end], person, toks[i].start(), end))
                i += size
                matched = True
                break
            if not matched:
                if _CAMEL.match(tok):  # "MJAkbar", "HarveyWeinstein": a name written as one word
                    person = self.tags.get(first.replace("'", ""))
                    if person is not None:
                        end = toks[i].end() - (2 if tok.endswith(_POSSESSIVE) else 0)
                        hits.append(Hit(text[toks[i].start() : end], person, toks[i].start(), end))
                i += 1
        return hits


def _adjacent(text: str, toks: list[re.Match[str]]) -> bool:
    """True when the tokens of a multi-word name are separated only by spaces and dots."""
    return all(
        len(gap) <= 3 and not gap.strip(" .-\u00a0")
        for gap in (text[a.end() : b.start()] for a, b in pairwise(toks))
    )


def _name_word(word: str) -> bool:
    """True when a capitalised word may be part of a name: not all capitals, not a stop word,
    not a movement tag word, letters (and an O'/D' apostrophe) only."""
    w = _norm(word)
    if word.isupper() or len(w) < 2 or w in NOT_SURNAMES or w in MOVEMENT_WORDS:
        return False
    if not w.replace("'", "").isalpha():
        return False
    return "'" not in w or _APOSTROPHE_NAME.match(w) is not None  # not "Don't", "Can't"


def capitalised_runs(text: str) -> list[tuple[tuple[str, ...], int, int]]:
    """(words, start, end) for each name-shaped run of capitalised words one space apart: a
    first word, any middle given names, any particles ("van der", "bin"), then one surname
    ("Mary Ann Dunn", "Jean van der Berg"). Words after the first are lower-cased, a possessive
    dropped; a word that is part of a #tag or @handle, or a movement tag word, is never in a run."""
    out = []
    words = list(_CAP_WORD.finditer(text))
    i = 0
    while i < len(words) - 1:
        first = words[i].group()
        if (
            first.isupper()
            or first.casefold() in NOT_FIRST
            or first.casefold() in MOVEMENT_WORDS
            or first.endswith(_POSSESSIVE)
        ):
            i += 1
            continue
        if first.casefold() not in GIVEN_NAMES and words[i + 1].group().casefold() in GIVEN_NAMES:
            i += 1  # "Producer Mary Ann Dunn": the name starts at the given name
            continue
        parts, j = [first], i + 1
        while j < len(words) and len(parts) < 6:
            gap = text[words[j - 1].end() : words[j].start()].split(" ")
            inner = gap[1:-1]
            if gap[0] or gap[-1] or not all(p in PARTICLES for p in inner):
                break  # not one space apart, or something other than particles between
            if not _name_word(words[j].group()):
                break
            parts += [*inner, _norm(words[j].group())]
            j += 1
            if parts[-1] not in GIVEN_NAMES or words[j - 1].group().endswith(_POSSESSIVE):
                break  # a surname ends the run; only given names continue it
        if j - i < 2:
            i += 1
            continue
        last = words[j - 1]
        end = last.end() - (2 if last.group().endswith(_POSSESSIVE) else 0)
        out.append((tuple(parts), words[i].start(), end))
        i = j
    return out


def title_name(*parts: str) -> str:
    """The canonical spelling of a discovered name: ("mark", "o'dunn") -> "Mark O'dunn";
    particles stay lower case ("Jean van der Berg")."""
    first, *rest = parts
    return " ".join(
        [first[0].upper() + first[1:].lower()]
        + [w if w in PARTICLES else w[0].upper() + w[1:] for w in rest]
    )


def capitalised_names(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) for each name-shaped run that starts with a known given name. The
    name is returned in title case, possessive dropped."""
    return [
        (title_name(*parts), start, end)
        for parts, start, end in capitalised_runs(text)
        if parts[0].casefold() in GIVEN_NAMES
    ]


# words that make a post worth mining for names without a known given name
ROLE_CUE = re.compile(
    r"harass|assault|\brap(?:e|ed|es|ist|ing)\b|abus|grop|molest|accus|alleg|misconduct|"
    r"predator|resign|\bfired\b|suspended|steps? down|\bdenie|apolog|came forward|testif|"
    r"survivor|victim",
    re.I,
)


# -- the gazetteer and the public function ----------------------------------------------------
@lru_cache(maxsize=1)
def gazetteer() -> tuple[tuple[Person, tuple[str, ...], str | None], ...]:
    """The shipped public figures: (person, aliases, handle) per row of public_figures.csv."""
    text = (
        resources.files("groundswell.analyze")
        .joinpath("data/public_figures.csv")
        .read_text(encoding="utf-8")
    )
    rows = []
    for row in csv.DictReader(text.splitlines()):
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        person = Person(row["name"].strip(), public=True, kind=(row.get("kind") or None))
        rows.append((person, aliases, (row.get("handle") or "").strip() or None))
    return tuple(rows)


def _contains_known(key: tuple[str, ...], keys: dict[tuple[str, ...], Person]) -> bool:
    """True when a run of two or more of ``key``'s words (or all of it) is already a name."""
    if key in keys:
        return True
    n = len(key)
    return any(key[i : i + size] in keys for size in range(2, n) for i in range(n - size + 1))


def build_index(
    extra: tuple[Person, ...] | list[Person] = (), no_surname: frozenset[str] = frozenset()
) -> NameIndex:
    """A name index over the gazetteer plus ``extra`` people (names discovered in a corpus);
    people whose canonical name is in ``no_surname`` are not matched by surname alone."""
    index = NameIndex()
    for person, aliases, handle in gazetteer():
        index.add(person, aliases, handle)
    # longest first, so "Mary Dunn" and "Ann Dunn" become aliases of "Mary Ann Dunn"
    for person in sorted(extra, key=lambda p: -len(name_key(p.canonical))):
        key = name_key(person.canonical)
        if not _contains_known(key, index.keys):  # "Bill Cosby Loses" must not hide Bill Cosby
            index.add(
                person,
                shorter_forms(key),
                surname=person.canonical not in no_surname,
                guess_handles=True,
            )
    return index.finish()


def shorter_forms(key: tuple[str, ...]) -> tuple[str, ...]:
    """The shorter forms of a name of three or more words that name the same person: first name
    and surname ("Mary Dunn"), and each run of two or more words ending in the surname ("Ann
    Dunn", "van der Berg" is left out: a particle does not start a name)."""
    if len(key) < 3:
        return ()
    forms = {(key[0], key[-1])}
    forms |= {key[i:] for i in range(1, len(key) - 1) if key[i] not in PARTICLES}
    return tuple(" ".join(f) for f in sorted(forms))


@lru_cache(maxsize=1)
def _default_index() -> NameIndex:
    return build_index()


def find_people(text: str, index: NameIndex | None = None) -> list[Hit]:
    """Indexed names plus heuristic "Given Surname" names not inside them, in text order."""
    index = index or _default_index()
    hits = index.find(text)
    # the characters the index's names take (a list scanned per name took hours on a 1 MB post
    # naming a public figure and someone else 40,000 times)
    taken = bytearray(len(text))
    for h in hits:
        taken[h.start : h.end] = b"\x01" * len(taken[h.start : h.end])
    for name, start, end in capitalised_names(text):
        if taken.find(1, start, end) < 0:
            hits.append(Hit(text[start:end], Person(name), start, end))
    return sorted(hits, key=lambda h: h.start)


def extract_mentions(
    text: str, *, index: NameIndex | None = None, mask_private: bool = True
) -> list[dict]:
    """People named in ``text``: dicts with name, canonical, role, start, end, public.

    ``public`` is True for gazetteer figures. With ``mask_private`` (the default) everyone else
    reads ``[private person]`` in ``name`` and ``canonical`` (CODEBOOK section 3), so callers can
    show the result as it is; the offsets still point at the span in ``text``.
    """
    out = []
    for hit in find_people(text, index):
        private = mask_private and not hit.person.public
        out.append(
            {
                "name": PRIVATE if private else hit.name,
                "canonical": PRIVATE if private else hit.person.canonical,
                "role": role_of(text, hit.start, hit.end),
                "start": hit.start,
                "end": hit.end,
                "public": hit.person.public,
            }
        )
    return out
