"""Private persons' names hidden wherever a post's text is shown (CODEBOOK sections 3 and 7).

The people analysis names a person it can index or a "Given Surname" pair. Testimonies name
people in other ways too ("my uncle Dave", "Mr. Henderson", "Kayleigh told me"), and none of
those may reach a report, an export or the dashboard. :class:`NameMasker` finds, in one text:

1. every person the name index or the "Given Surname" heuristic finds who is not public;
2. a lone capitalised given name (the US Census 1990 first-name lists of the ``names`` wheel,
   5,494 names, with the project's own list), unless the word is also a common English word or a
   place ("Will", "Grace", "India") or a public figure named in the same text goes by it;
3. the capitalised word or two after a relation or title cue ("my boss Kel", "Coach Barlow",
   "a guy named Steve"), whatever the word.

Public figures (the gazetteer, and people the store's people analysis made public) stay named.
Hiding a word that was no name costs a reader little; showing a private name costs its bearer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from groundswell.analyze.people_mentions import (
    PRIVATE,
    NameIndex,
    Person,
    build_index,
    find_people,
)
from groundswell.analyze.people_names import (
    CALENDAR_WORDS,
    FUNCTION_WORDS,
    GIVEN_NAMES,
    MOVEMENT_WORDS,
    NOT_FIRST,
    NOT_SURNAMES,
)
from groundswell.care.mask import mask_accounts, mask_text

# Census given names that are everyday words, places, peoples or faiths: a lone capitalised one
# is more often not a person ("Will you", "Grace", "in India", "Christian values"). They are
# still hidden after a cue ("my friend Will"). The first part was the given names seen in
# lower case at least three times in 22,598 real posts; the rest were added by hand.
_EVERYDAY = """
in my don will so an man see guy love many long hope dick young may lady gay else chad chance
soon son ok marry brain hang rich alpha queen numbers star miss bill era ma carry buddy chase
page song desire art princess major sue tiny hung ha season rob faith joy summer king un karma
india mark ed bud honey hillary german precious al buck candy miles jack charity sun stacy noble
van winter royal cherry mercy gene rose min america bell golden chin ji yer lean dong von fairy
penny forest angle grant hai israel omega christian le echo clinton destiny liberty junior
foster sang becky prince loan cliff olive dot isis ima manual temple jesus dean dawn ching
cherish glory hunter aide grace venus
april june august autumn spring winter sunny storm rain sky river brook willow iris lily daisy
violet ivy holly hazel heather ruby amber crystal pearl jade opal coral ginger pepper honor
patience prudence trinity unique angel baby sugar duke earl general colonel guy ray pat frank
art gene carter cooper mason taylor bishop chance justice major sterling golden royal
asia africa europe china japan georgia virginia carolina dakota florida austin jordan paris
florence sydney victoria phoenix dallas denver aurora savannah charlotte madison lincoln kent
chelsea brooklyn camden orlando vienna tennessee kentucky indiana arizona nevada montana
cleveland houston lorraine normandy holland ireland scotland wales britain france germany
english french irish scottish jewish muslim catholic christ god lord allah buddha
mom mum dad papa mama granny nana sonny sister brother auntie uncle
black white brown green gray grey
"""
EVERYDAY: frozenset[str] = frozenset(_EVERYDAY.split())

# words that end a name on its right ("Carla Hall" is one name, "Dave On Monday" is not)
ENDS_NAME: frozenset[str] = (
    FUNCTION_WORDS | CALENDAR_WORDS | {"tonight"} | (NOT_FIRST - NOT_SURNAMES)
)
# words that end a name on its left: titles, stop words, a saint's "St" ("St Anne's School")
_ENDS_LEFT = NOT_FIRST | {"st", "saint", "san", "santa", "sao", "são"}
# words that are no name even right after a cue ("my friend Will" is one, "my boss The" is not)
_NOT_AFTER_CUE = (ENDS_NAME | MOVEMENT_WORDS) - {"will", "may", "april", "june", "august"}

# a relation or role before a name: "my uncle Dave", "her ex-boyfriend Tom", "a guy named Al"
_RELATION = (
    r"(?:ex-?|former |old |step-?|then-?|late )?"
    r"(?:boss|manager|supervisor|co-?worker|colleague|employer|director|producer|agent|"
    r"teacher|professor|prof|tutor|coach|instructor|trainer|mentor|principal|advisor|adviser|"
    r"uncle|aunt|auntie|cousin|brother|sister|father|dad|stepfather|stepdad|grandfather|"
    r"grandpa|granddad|grandma|grandmother|mother|mom|mum|nephew|niece|son|daughter|"
    r"brother-in-law|father-in-law|neighbou?r|friend|best friend|boyfriend|girlfriend|"
    r"husband|wife|partner|fianc[eé]e?|date|classmate|roommate|flatmate|housemate|"
    r"doctor|dentist|therapist|counsel?lor|pastor|youth pastor|priest|minister|landlord|"
    r"babysitter|nanny|driver|client|customer|student|pupil|patient|officer|cop|guard)"
)
_CUE = re.compile(
    r"\b(?:(?:my|his|her|our|their|your|a|the|this|that)\s+" + _RELATION + r",?"
    r"|(?:named|called|nicknamed)"
    r"|(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Coach|Uncle|Aunt|Auntie|Father|Fr|Pastor|"
    r"Officer|Sgt|Sergeant|Rev|Reverend|Grandpa|Grandma|Cousin)\.?)"
    r"\s+(?=\w)",
    re.I,
)
_CAP = re.compile(r"(?<![\w@#'’])[A-Z][\w]*(?:['’][A-Za-z]+)?(?![\w@#])")
# one word of a name: "Dave", "McDonald", "DeVito", "O'Brien", "Moore-Dunn", "Barlow's"
_NAME_WORD = r"(?:[A-Z]['’][A-Z][a-z]+|[A-Z][a-z]+(?:[A-Z][a-z]+)*)(?:['’-][A-Za-z]+)*"
# a surname's particles after a title: "Mrs. van Dyke", "Mr. de la Cruz"
_PARTICLES = r"(?:(?:van|von|de|der|den|del|della|di|da|du|dos|la|le|ter|ten|bin|ibn) ){0,3}"
_NAME_AFTER_CUE = re.compile(f"{_PARTICLES}{_NAME_WORD}(?: {_NAME_WORD})?")
_WORD_AFTER_CUE = re.compile(r"[a-z]+(?:['’]s)?\b")  # "my uncle dave": a name written small
_POSSESSIVE = ("'s", "’s")
# the next part of a name a span stopped short of: " Henderson" after a "Gerald Fitzwilliam" the
# index cut at two words, "-Barrington" after "Rosalind Quayle"
_NAME_TAIL = re.compile(r"[ -]([A-Z][\w]*(?:['’][A-Za-z]+)?)(?![\w@#])")
_SAINT = re.compile(r"\b(?:St\.?|Saint|San|Santa|Sao|São)\s+$")


@lru_cache(maxsize=1)
def census_given_names() -> frozenset[str]:
    """The US Census 1990 first names (male and female lists of the ``names`` wheel), lower
    case; empty when the wheel is missing."""
    out: set[str] = set()
    for part in ("dist.male.first", "dist.female.first"):
        try:
            text = resources.files("names").joinpath(part).read_text(encoding="ascii")
        except (ModuleNotFoundError, FileNotFoundError, OSError):
            continue
        out.update(line.split()[0].casefold() for line in text.splitlines() if line.strip())
    return frozenset(out)


@lru_cache(maxsize=1)
def lone_given_names() -> frozenset[str]:
    """Given names hidden even without a cue: census and project names, less everyday words."""
    names = census_given_names() | GIVEN_NAMES
    return frozenset(n for n in names if len(n) > 2) - EVERYDAY - NOT_FIRST - MOVEMENT_WORDS


def _words(text: str) -> set[str]:
    return {w.casefold().replace("’", "'").removesuffix("'s") for w in re.findall(r"[\w'’]+", text)}


def _key(word: str) -> str:
    return word.casefold().replace("’", "'").removesuffix("'s")


def _name_part(word: str, public_words: set[str], stop: frozenset[str]) -> bool:
    """True when a capitalised word next to a given name belongs to the same name."""
    key = _key(word)
    return (
        not word.isupper()
        and key not in stop
        and key not in public_words
        and key.replace("'", "").replace("-", "").isalpha()
    )


def _joins(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """True when two capitalised words are one space apart (parts of one name)."""
    return right.start() - left.end() == 1 and text[left.end()] == " "


def _strip_possessive(text: str, start: int, end: int) -> int:
    return end - 2 if text[start:end].endswith(_POSSESSIVE) else end


def _whole(
    text: str, start: int, end: int, public_words: set[str], taken: bytearray
) -> tuple[int, int]:
    """The span (start, end) of a private name run on over the parts that follow it (up to
    three, joined by a space or a hyphen), so no surname is left beside ``[private person]``."""
    for _ in range(3):
        if text[start:end].endswith(_POSSESSIVE):
            break  # "Anne's School": the name ended at its possessive
        m = _NAME_TAIL.match(text, end)
        if m is None or m.group(1).isupper() or taken.find(1, end, m.end()) >= 0:
            break
        key = _key(m.group(1))
        if key in MOVEMENT_WORDS or not _name_part(m.group(1), public_words, ENDS_NAME):
            break
        taken[end : m.end()] = b"\x01" * (m.end() - end)
        end = _strip_possessive(text, m.start(1), m.end())
    return start, end


class NameMasker:
    """Finds and hides private persons' names in texts; public figures in ``index`` stay."""

    def __init__(self, index: NameIndex | None = None) -> None:
        self.index = index
        self.given = lone_given_names()

    @classmethod
    def for_store(cls, con: Any) -> NameMasker:
        """A masker for one store's texts: people its people analysis made public (table
        ``person_mentions``, when it was run) stay named, as gazetteer figures do."""
        public: list[str] = []
        try:
            public = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT person FROM person_mentions WHERE public"
                ).fetchall()
            ]
        except Exception:  # no people analysis on this store: the gazetteer alone
            public = []
        if not public:
            return cls()
        return cls(build_index([Person(p, public=True, kind="named by many") for p in public]))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each private person's name in ``text``, sorted, not overlapping."""
        if not text:
            return []
        hits = find_people(text, self.index)
        public = [(h.start, h.end) for h in hits if h.person.public]
        public_words = {w for h in hits if h.person.public for w in _words(h.name)}
        out = [(h.start, h.end) for h in hits if not h.person.public]
        # characters already taken by a name: checked per span, not against every span found
        # before (a 4 MB post naming "Dave" 140,000 times took hours)
        taken = bytearray(len(text))
        for s, e in (*public, *out):
            taken[s:e] = b"\x01" * len(taken[s:e])

        def free(start: int, end: int) -> bool:
            if taken.find(1, start, end) >= 0:
                return False
            taken[start:end] = b"\x01" * (end - start)  # the caller takes it
            return True

        for cue in _CUE.finditer(text):
            m = _NAME_AFTER_CUE.match(text, cue.end())
            small = m is None
            if small:  # in lower case, only a given name that is no everyday word
                m = _WORD_AFTER_CUE.match(text, cue.end())
                if m is None or _key(m.group()) not in self.given:
                    continue
            words = m.group().split(" ")
            while len(words) > 1 and _key(words[-1]) in ENDS_NAME:
                words.pop()  # "my friend Anna Today": the name stops before a stop word
            if not small and not words[-1][:1].isupper():
                continue  # only particles were left
            named = words if small else [w for w in words if w[:1].isupper()]  # past "van"
            if _key(named[0]) in _NOT_AFTER_CUE:
                continue
            end = _strip_possessive(text, m.start(), m.start() + len(" ".join(words)))
            if public_words.isdisjoint(_words(text[m.start() : end])) and free(m.start(), end):
                out.append((m.start(), end))
        caps = list(_CAP.finditer(text))
        public_starts = {s for s, _ in public}
        for i, m in enumerate(caps):
            key = _key(m.group())
            if m.group().isupper() or key not in self.given or key in public_words:
                continue
            first, last = i, i  # the whole name around it: "Lt. Colonel Anna Derkach"
            while first > 0 and i - first < 3 and _joins(text, caps[first - 1], caps[first]):
                left = caps[first - 1].group()
                if left.endswith(_POSSESSIVE) or not _name_part(left, public_words, _ENDS_LEFT):
                    break
                first -= 1
            while (
                last + 1 < len(caps) and last - i < 3 and _joins(text, caps[last], caps[last + 1])
            ):
                if caps[last].group().endswith(_POSSESSIVE):
                    break  # "Anne's School": the name ends at its possessive
                if not _name_part(caps[last + 1].group(), public_words, ENDS_NAME):
                    break
                last += 1
            start = caps[first].start()
            end = _strip_possessive(text, caps[last].start(), caps[last].end())
            if _SAINT.search(text, max(0, start - 8), start) or end + 1 in public_starts:
                continue  # "St Anne's School"; "Melania Trump" (a public figure's family name)
            if free(start, end):
                out.append((start, end))
        return sorted(_whole(text, s, e, public_words, taken) for s, e in out)

    def mask(self, text: str) -> str:
        """``text`` with each private person's name replaced by ``[private person]``."""
        return replaced(text, self.spans(text))

    def mask_all(self, texts: Iterable[str]) -> list[str]:
        """:meth:`mask` over many texts."""
        return [self.mask(t) for t in texts]


def merged_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Spans inside a text of ``length`` characters, sorted, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if 0 <= s[0] < s[1] <= length):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def replaced(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each of the sorted, non-overlapping ``spans`` replaced by ``[private
    person]``, the text joined once (a post of 140,000 names is not copied per name)."""
    if not spans:
        return text
    parts, at = [], 0
    for start, end in spans:
        parts += (text[at:start], PRIVATE)
        at = end
    parts.append(text[at:])
    return "".join(parts)


@lru_cache(maxsize=1)
def default_masker() -> NameMasker:
    """The masker with the gazetteer alone as the public figures."""
    return NameMasker()


def mask_private_names(text: str) -> str:
    """``text`` with private persons' names hidden (gazetteer figures stay named)."""
    return default_masker().mask(text)


def fit_to_show(text: str, masker: NameMasker | None = None) -> str:
    """``text`` as a page or a terminal may quote it: private persons' names (``masker``, by
    default the gazetteer's public figures stay), e-mails, phones, addresses, @handles and
    accounts named in links replaced (``care.mask.mask_accounts``)."""
    if not text:
        return text
    return mask_accounts(mask_text((masker or default_masker()).mask(text)))
