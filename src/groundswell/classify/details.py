"""What a testimony says in words: the perpetrator, the place, the age and the harm.

Relation and setting are mostly stated outright ("my uncle", "a coworker", "on the bus", "at a
party"); a classifier trained on a few hundred testimonies guesses them from the register instead
(and answered `boss` / `work` for a third of real forum accounts). So the phrases are read first,
each returned as an evidence span, and the classifier only fills in when the text names none and
it is confident; otherwise the answer is `unknown`, as the codebook asks. The phrase lists follow
CODEBOOK section 2 and its decided cases (classmates and neighbours are `friend`, customers are
`stranger`, a parent's live-in partner is `family`, a car or taxi is `street`, a dorm is
`school`, a hotel is `other`, a company party is `work`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from groundswell.classify.rules import Evidence, present, register_prefilter
from groundswell.schema import HARMS, MINOR, RELATIONS, SETTINGS

_MOD = (
    r"(?:(?:old|older|elderly|middle[- ]aged|young|drunk|random|strange|creepy|married|former|"
    r"new|male|female|own|senior|famous|well[- ]known|visiting|tenured|unknown)\s+)?"
)


def _nouns(*words: str) -> str:
    return r"(?:" + "|".join(words) + r")s?"


RELATION_WORDS: dict[str, str] = {
    "family": _nouns(
        "father",
        "dad",
        "daddy",
        "step-?father",
        "step-?dad",
        "uncle",
        "brother",
        "cousin",
        "grand-?father",
        "grand-?pa",
        "grandad",
        "brother-in-law",
        "father-in-law",
        "relative",
        "step-?brother",
        "nephew",
        "aunt",
        "mother",
        "mom",
        "mum",
        "sister",
        "mama",
        r"mom'?s boyfriend",
        r"mother'?s boyfriend",
        r"mum'?s boyfriend",
    ),
    "partner": _nouns(
        "boyfriend",
        "girlfriend",
        "husband",
        "wife",
        "ex",
        "ex-boyfriend",
        "ex-husband",
        "partner",
        "fianc[eé]e?",
        "date",
        "hook-?up",
        "spouse",
        "bf",
    ),
    "teacher": _nouns(
        "teacher",
        "coach",
        "professor",
        "prof",
        "tutor",
        "mentor",
        "instructor",
        "lecturer",
        "principal",
        "trainer",
        "guru",
        "music teacher",
        "pastor",
        "priest",
        "youth pastor",
        "supervisor at (?:school|university)",
        "advis[oe]r",
        "phd advis[oe]r",
        "thesis advis[oe]r",
        "faculty member",
    ),
    "boss": _nouns(
        "boss",
        "manager",
        "supervisor",
        "employer",
        "director",
        "producer",
        "editor",
        "ceo",
        "owner",
        "superior",
        "head of department",
        "senior partner",
        "casting director",
    ),
    "colleague": _nouns(
        "co-?worker",
        "colleague",
        "co-?star",
        "workmate",
        "fellow employee",
        "team-?mate at work",
        "lab-?mate",
        "post-?doc",
    ),
    "friend": _nouns(
        "friend",
        "best friend",
        "family friend",
        "acquaintance",
        "classmate",
        "class-?mate",
        "neighbou?r",
        "room-?mate",
        "school-?mate",
        "friend of (?:my|a) \\w+",
        "crush",
        "senior",
        "fellow student",
        "church member",
    ),
    "stranger": _nouns(
        "stranger",
        "customer",
        "client",
        "passenger",
        "driver",
        "cab driver",
        "taxi driver",
        "uber driver",
        "auto driver",
        "shopkeeper",
        "guy on the \\w+",
        "man on the \\w+",
    ),
}
# "a man", "some guy", "a group of boys": a person the author does not know
_STRANGER = (
    r"\b(?:a|an|some|two|three|this|these|group of)\s+" + _MOD + r"(?:man|men|guy|guys|boy|boys|"
    r"dude|stranger|gentleman|uncle)\b"
)

SETTING_WORDS: dict[str, str] = {
    "work": r"(?:office|workplace|work ?places?|at work|working at|while i was working|my job|"
    r"the job|company party|office party|work party|"
    r"meeting|on set|film set|shoot|audition|interview|internship|conference|newsroom|shift)",
    "school": r"(?:school|college|university|campus|class ?room|in class|dorm|hostel|tuition|"
    r"student|lecture|grade|semester|frat|sorority)",
    "street": r"(?:bus|train|metro|subway|tube|street|road|taxi|cab|uber|\bcar\b|rickshaw|"
    r"\bauto\b|station|market|in public|park|crowd|walking|sidewalk|flight|plane|mall|"
    r"bus stop|traffic|parking lot|elevator|queue)",
    "home": r"(?:at home|my home|his home|our home|my house|his house|our house|my room|"
    r"my bedroom|his room|his place|my place|my apartment|his apartment|my flat|his flat|"
    r"my bed|sleepover)",
    "online": r"(?:online|facebook|instagram|twitter|\bdm\b|dms|direct message|whatsapp|"
    r"snapchat|e-?mail|texted|text messages|messages|sent me (?:pics|photos|pictures|nudes|a pic)|"
    r"dating app|tinder|chat)",
    "social": r"(?:party|bar|club|pub|on a date|first date|wedding|festival|concert|disco|"
    r"nightclub|house party|drinks)",
    "other": r"(?:hotel|hospital|church|temple|mosque|gym|doctor'?s office|clinic|airport)",
}

HARM_WORDS: dict[str, str] = {
    "assault": r"(?:rap(?:e|ed|es|ing|ist)|sexually (?:assaulted|abused)|sexual (?:assault|abuse)|"
    r"molest(?:ed|ing|ation|er)?|forced (?:himself|me)|penetrat\w*|roofied|drugged me)",
    "physical": r"(?:grop(?:e|ed|es|ing)|touch(?:ed|ing|es)? (?:me|my|her)|tried to touch|"
    r"touched (?:me )?inappropriately|inappropriately touched|grabbed|"
    r"grabbing (?:me|my|her|at)|pinch(?:ed|ing)|rubbed|rubbing (?:against|me|my|her|his)|"
    r"fondl\w+|kiss(?:ed)? me|forcibly kissed|tried to kiss|brush(?:ed)? against|slapped my|"
    r"squeez(?:ed|ing)|pushed me|pinned me|blocked my way|felt me up|hands? on my|"
    r"put his hands?|hugged me)",
    "verbal": r"(?:catcall\w*|cat[- ]call\w*|whistl\w*|"
    r"comment(?:ed|s|ing)? (?:on|about) (?:my|me|her|how)|"
    r"(?:pass|passed|passing|make|made|making) (?:\w+ )?(?:comments?|remarks?)|"
    r"called me|sexual (?:comments?|jokes?|remarks?|innuendos?)|dirty jokes?|remarks? about my|"
    r"slurs?|propositioned|lewd|vulgar|eve[- ]teas\w*|teas(?:ed|ing) me|said (?:to me|he would)|"
    r"verbal(?:ly)? (?:abuse\w*|harass\w*))",
    "nonverbal": r"(?:star(?:e|ed|es|ing) at (?:me|my|her|us)|(?:kept|was|were) staring|"
    r"gaz(?:ed|ing) at|ogl(?:e|ed|es|ing)|leer(?:ed|ing)|follow(?:ed|ing) me|stalk(?:ed|ing)|"
    r"flash(?:ed|ing)|exposed himself|exposing himself|indecent exposure|"
    r"showed (?:me )?his (?:penis|private parts|genitals)|masturbat\w*|winked)",
    "online": r"(?:sent me (?:pics|photos|pictures|nudes|a pic|messages)|dick pics?|dms?|"
    r"messag(?:ed|es) me|dm'?d me|inbox(?:ed)?|online harassment|texted me)",
    "coercion": r"(?:promotion|in exchange|threatened to (?:fire|fail|ruin)|lose my job|"
    r"my career|my grades|quid pro quo|pressur(?:ed|e)|coerc\w+|casting couch|"
    r"compromise|sleep with him)",
}

_AGE = re.compile(
    r"\b(?:when i was|i was(?: only| just)?|at(?: the age of)?|aged?)\s+(\d{1,2})\b"
    r"|\b(\d{1,2})[- ]?(?:years?[- ]old|yo|y/o)\b",
)
_MINOR = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th) grade|(?:elementary|middle|primary|high|junior high) school|"
    r"as a (?:child|kid|little girl|little boy|teen|teenager|minor)|childhood|"
    r"when i was (?:little|young|a kid|a child|a teen|a teenager|in school)|underage|"
    r"school ?girl|school ?boy|in class \d+|class (?:[5-9]|1[0-2])\b|"
    r"(?:freshman|sophomore|junior|senior)(?: year)? (?:in|of|at) (?:hs|high school)|in hs)",
)
_ADULT = re.compile(
    r"\b(?:in college|at university|my (?:boss|manager|job|husband|wife|colleague|co-?worker)|"
    r"at work|office|internship|married|grad(?:uate)? (?:school|student)|phd|post-?doc|"
    r"my (?:phd |thesis )?advis[oe]r)\b",
)


@dataclass(frozen=True)
class Span:
    """A phrase of the text that states a detail: ``label`` of ``field`` at [start, end)."""

    field: str
    label: str
    start: int
    end: int
    text: str


def _compile(words: dict[str, str], prefix: str = "") -> dict[str, re.Pattern[str]]:
    return {k: re.compile(prefix + v + r"\b") for k, v in words.items()}


# Every pattern here is lower-case and reads the text with its ASCII letters lowered, and the
# four other letters that match an ASCII one ignoring case (dotted and dotless I, long s, the
# kelvin sign), one character for one, so spans index the text itself: 3-4x faster than
# matching ignoring case, and the same matches.
_LOWER = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u0131\u017f\u212a", "abcdefghijklmnopqrstuvwxyziisk"
)


def _lowered(text: str) -> str:
    return text.translate(_LOWER)


_REL = _compile(RELATION_WORDS, r"\b(?:my|our|her|his|your|a|an|the|one of my|this)\s+" + _MOD)
_REL_STRANGER = re.compile(_STRANGER)
_SET = _compile(SETTING_WORDS, r"\b")
_HARM = _compile(HARM_WORDS, r"\b")


_PATTERNS = (
    *_REL.values(),
    _REL_STRANGER,
    *_SET.values(),
    *_HARM.values(),
    _AGE,
    _MINOR,
    _ADULT,
)
register_prefilter("details", [p.pattern for p in _PATTERNS])


def _most_said(spans: list[Span]) -> Span | None:
    """The label stated most often (ties: the one stated first), as its first span."""
    if not spans:
        return None
    counts = Counter(s.label for s in spans)
    first = {}
    for s in sorted(spans, key=lambda s: s.start):
        first.setdefault(s.label, s)
    return max(first.values(), key=lambda s: (counts[s.label], -s.start))


SEP = "\x00"  # joins texts for one pass of each pattern: no pattern matches it or across it


class _Joined:
    """Texts joined by SEP and lowered, so that each pattern runs once over a batch; matches
    are handed back per text with offsets in that text (the same matches as text by text,
    since no pattern can match SEP, and SEP is not a word character for ``\\b``)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.low = SEP.join([_lowered(t) for t in texts])
        starts = [0]
        for t in texts:
            starts.append(starts[-1] + len(t) + 1)
        self.starts = starts
        # the patterns that may match anywhere in the batch (hyperscan, when installed): the
        # others are not run at all
        found = present("details", self.low)
        self.absent = (
            set() if found is None else {k for i, k in enumerate(_PATTERNS) if i not in found}
        )

    def matches(self, pat: re.Pattern[str]) -> Iterator[tuple[int, int, int, re.Match[str]]]:
        """(text index, start, end, match) of every match of ``pat``, in order."""
        if pat in self.absent:
            return
        starts = self.starts
        r = 0
        for m in pat.finditer(self.low):
            s, e = m.span()
            while starts[r + 1] <= s:
                r += 1
            yield r, s - starts[r], e - starts[r], m

    def spans(self, field: str, items: Iterable[tuple[str, re.Pattern[str]]]) -> list[list[Span]]:
        """Per text, a Span of ``field`` for every match of each (label, pattern), label by
        label."""
        out: list[list[Span]] = [[] for _ in self.texts]
        for label, pat in items:
            for r, s, e, _ in self.matches(pat):
                out[r].append(Span(field, label, s, e, self.texts[r][s:e]))
        return out


def _relations(j: _Joined) -> list[list[Span]]:
    """Per text, every phrase naming who did it, with its relation label."""
    out = j.spans("relation", _REL.items())
    taken = [[(k.start, k.end) for k in spans] for spans in out]  # "a stranger" within them
    for r, s, e, _ in j.matches(_REL_STRANGER):
        if not any(s < ke and ks < e for ks, ke in taken[r]):
            out[r].append(Span("relation", "stranger", s, e, j.texts[r][s:e]))
    return out


def _settings(j: _Joined) -> list[list[Span]]:
    """Per text, every phrase naming where it happened; where phrases overlap the longer, more
    specific one wins ("a company party" is work, not social)."""
    out = []
    for spans in j.spans("setting", _SET.items()):
        spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
        kept: list[Span] = []
        for s in spans:
            if not any(s.start < k.end and k.start < s.end for k in kept):
                kept.append(s)
        out.append(kept)
    return out


def _minors(j: _Joined) -> list[Span | None]:
    """Per text, the phrase that decides ``minor_at_time``: a stated age under 18, else school
    years, else a stated adult age, else a clearly adult context (``no``); None when the text
    says nothing."""
    n = len(j.texts)
    young: list[tuple[int, int] | None] = [None] * n
    grown: list[tuple[int, int] | None] = [None] * n
    for r, s, e, m in j.matches(_AGE):
        age = int(m.group(1) or m.group(2))
        if 3 <= age < 18 and young[r] is None:
            young[r] = (s, e)
        elif 18 <= age < 100 and grown[r] is None:
            grown[r] = (s, e)
    school = _first(j, _MINOR)
    adult = _first(j, _ADULT)
    out: list[Span | None] = []
    for r, text in enumerate(j.texts):
        for label, found in (("yes", young[r]), ("yes", school[r]), ("no", grown[r])):
            if found:
                out.append(Span("minor_at_time", label, *found, text[found[0] : found[1]]))
                break
        else:
            a = adult[r]
            out.append(Span("minor_at_time", "no", *a, text[a[0] : a[1]]) if a else None)
    return out


def _first(j: _Joined, pat: re.Pattern[str]) -> list[tuple[int, int] | None]:
    """Per text, the span of ``pat``'s first match (None where it has none)."""
    out: list[tuple[int, int] | None] = [None] * len(j.texts)
    for r, s, e, _ in j.matches(pat):
        if out[r] is None:
            out[r] = (s, e)
    return out


@dataclass
class Details:
    """The details a text states, each with its span (None / empty where it states none)."""

    relation: Span | None
    setting: Span | None
    minor: Span | None
    harms: list[Span]

    @property
    def harm_labels(self) -> list[str]:
        return sorted({s.label for s in self.harms})

    def spans(self) -> list[Span]:
        found = [s for s in (self.relation, self.setting, self.minor) if s is not None]
        return found + self.harms


def read_details(text: str) -> Details:
    """The relation, setting, age and harms ``text`` states in words."""
    return read_many([text])[0]


def read_many(texts: Sequence[str]) -> list[Details]:
    """``read_details`` of each text, each pattern run once over the whole batch."""
    j = _Joined(texts)
    return [
        Details(_most_said(rel), _most_said(sett), minor, harms)
        for rel, sett, minor, harms in zip(
            _relations(j), _settings(j), _minors(j), j.spans("harm", _HARM.items()), strict=True
        )
    ]


HARM_THRESHOLD = 0.5  # a harm the model gives at least this probability is kept
MODEL_CONFIDENCE = 0.6  # the model's relation / setting / age stands only above this


def _model_choice(scores: Sequence[float], labels: tuple[str, ...], unknown: str) -> str:
    j = max(range(len(scores)), key=scores.__getitem__)  # the first of the largest
    return labels[j] if scores[j] >= MODEL_CONFIDENCE else unknown


_MODEL = {"relation": ("relation", RELATIONS), "setting": ("setting", SETTINGS)}
_MODEL["minor_at_time"] = ("minor", MINOR)
_NONE = Details(None, None, None, [])


def describe(
    rec: dict[str, Any],
    text: str,
    scores: Mapping[str, Sequence[float]],
    *,
    testimony: bool,
    read: Details | None = None,
) -> list[Evidence]:
    """Fill ``rec`` with harm, relation, setting and minor_at_time (and the model's scores for
    each: ``scores`` holds one row of probabilities per head). For a ``testimony``: the
    phrases ``text`` states first, the model only where it states none and is confident, else
    `unknown`, the phrases returned as evidence. Other posts get the model's confident reading
    or `unknown` (the phrases are not read: the details mean nothing there, and reading them
    would cost the fast student most of its speed). ``read``: the text's details when already read
    (``read_many`` over a batch)."""
    harm_p = _floats(scores["harm"])
    det = (read or read_details(text)) if testimony else _NONE
    said = det.harm_labels
    rec["harm"] = [
        h for h, p in zip(HARMS, harm_p, strict=True) if p >= HARM_THRESHOLD or h in said
    ]
    rec["harm_scores"] = dict(zip(HARMS, harm_p, strict=True))
    for key, (head, labels) in _MODEL.items():
        row = _floats(scores[head])
        span = det.minor if key == "minor_at_time" else getattr(det, key)
        rec[key] = span.label if span else _model_choice(row, labels, "unknown")
        rec[f"{key}_scores"] = dict(zip(labels, row, strict=True))
    prefix = {"minor_at_time": "minor"}
    return [
        Evidence(f"{prefix.get(s.field, s.field)}:{s.label}", s.start, s.end, s.text, "phrase")
        for s in det.spans()
    ]


def _floats(row: Sequence[float]) -> list[float]:
    """``row`` as a list of Python floats (a NumPy row is converted, a list kept)."""
    return row.tolist() if isinstance(row, np.ndarray) else row  # type: ignore[return-value]
