"""The lexicon behind article analysis: claim patterns, stance cues, negation and attribution.

The patterns live in ``data/article_lexicon.txt`` (one regular expression per line, with its
weight), written from the definitions in CODEBOOK section 6 with many paraphrases per claim rather
than the codebook's example phrases alone. Each claim has a polarity toward the movement:
+1 supportive, -1 critical. ``communication_remedy`` has no polarity of its own: each of its
patterns carries one (+1 when the remedy asked for is teaching men and boys about consent or
asking first, -1 when it puts the remedy on women speaking up in the moment or on talk instead of
naming, 0 for a plain call for dialogue), so the claim is listed either way and moves stance only
when its wording takes a side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

CLAIMS = (
    "scale_of_problem",
    "burden_on_survivors",
    "went_too_far",
    "due_process",
    "sex_panic",
    "public_shaming_harm",
    "performative_confession",
    "reporting_works",
    "communication_remedy",
    "structural_power",
    "moral_laundering",
)

CLAIM_POLARITY: dict[str, int] = {
    "scale_of_problem": 1,
    "burden_on_survivors": 1,
    "reporting_works": 1,
    "structural_power": 1,
    "went_too_far": -1,
    "due_process": -1,
    "sex_panic": -1,
    "public_shaming_harm": -1,
    "performative_confession": -1,
    "moral_laundering": -1,
    "communication_remedy": 0,
}

# Claims whose negation still makes the claim: "without a fair hearing", "no union to turn to".
NEGATION_KEEPS = frozenset({"due_process", "structural_power"})

# Who is harmed, for [harm] patterns (a career ended): survivors or accused men.
SURVIVOR_WORDS = re.compile(
    r"\b(?:women|woman|survivors?|victims?|accusers?|complainants?|she|her|girls?|those who "
    r"(?:\w+ )?(?:came|come|spoke|speak|reported|report|complain|did)\w*|whistle-?blowers?|"
    r"colleague|nurses?|assistants?)\b",
    re.I,
)
ACCUSED_WORDS = re.compile(
    r"\b(?:men|man|he|his|him|the accused|accused|defendants?|targets?|those accused|comedians?|"
    r"actors?|professors?|editors?|directors?|executives?|the named)\b",
    re.I,
)

# A negator at most three words before a phrase rebuts it ("this is not a witch hunt").
NEGATION = re.compile(
    r"\b(?:not|no|never|n't|nor|neither|hardly|scarcely|without|nothing|none|nobody|far from|"
    r"rather than|instead of|lack of|absence of|isn't|wasn't|aren't|weren't|doesn't|didn't|"
    r"don't|cannot|can't|won't|less (?:a|an)|myth|refute\w*|reject\w*|deny|denies|denied|"
    r"(?:dismiss\w*|explain\w* away|writ\w* off|brush\w* off|wave\w* away) as)\b"
    r"(?:\W+[\w'’-]+){0,3}?\W*$",
    re.I,
)
# Someone else's words before the phrase, in its clause: the phrase is reported, not asserted.
ATTRIBUTION = re.compile(
    r"(?:\b(?:critics|opponents|detractors|skeptics|sceptics|some|many|others|commentators|"
    r"pundits|columnists|defenders|supporters|advocates|activists|conservatives|feminists|"
    r"signatories|the letter|they|people|he|she|lawyers|academics|writers|observers)\b"
    r"[^.;]{0,40}\b(?:say|says|said|argue\w*|claim\w*|insist\w*|contend\w*|complain\w*|warn\w*|"
    r"cry|cried|cries|call\w*|charge\w*|allege\w*|suggest\w*|maintain\w*|worr(?:y|ied|ies)|"
    r"decr(?:y|ied|ies)|lament\w*|sneer\w*|grumbl\w+|howl\w*|wrote|write\w*|declar\w+|"
    r"denounc\w+|tell us|told us|will tell you|believe|think|describ\w+|portray\w*|paint\w*|"
    r"depict\w*|label\w*|brand\w*|dismiss\w*|seiz\w+ on|point\w* to|cit\w+|invok\w+)\b"
    r"|\b(?:told|assured|warned|lectured) by\b"
    r"|\baccording to\b"
    r"|\b(?:we are|we're|we were|we've been|we have been) (?:told|warned|assured|lectured)\b"
    r"|\b(?:the|a|this|that) (?:familiar |common |usual |standard |popular )?(?:refrain|"
    r"complaint|charge|accusation|argument|claim|cry|line|talking point|narrative|worry|fear|"
    r"objection|criticism|suggestion|notion|idea|story|view|verdict) (?:is |was |goes )?"
    r"(?:that|of)\b"
    r"|\bit is (?:often |frequently |widely |sometimes |now |also )?(?:said|argued|claimed|"
    r"suggested|alleged|objected|asserted|complained|maintained|held|thought)\b"
    r"|\b(?:keep |kept )?(?:reading|hearing|being told|read|hear|heard|told)(?: (?:again|often|"
    r"everywhere|constantly|repeatedly|it said|people say))? that\b"
    r"|\b(?:heard|hear|hearing|read|reading|seen|listened to) (?:a (?:great |good )?(?:deal|lot)|"
    r"much|plenty|endless(?:ly)?|talk|complaints|warnings|lectures) (?:about|of)\b"
    r"|\b(?:cries|talk|charges|accusations|complaints|warnings|shouts|howls|claims) (?:of|about)\b"
    r"|\bso-called\b|[\"“‘])[^.;]{0,90}$",
    re.I,
)
QUOTED_AFTER = re.compile(r"^[^\"”’]{0,3}[\"”’]")

_SIDES = {"supportive": 1, "critical": -1}


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern: what it signals (a claim or a stance side) and how strongly."""

    claim: str | None  # None for a stance cue
    regex: re.Pattern[str]
    weight: float
    polarity: int  # +1 supportive, -1 critical, 0 both sides (cue) or neither (claim)
    keep_negated: bool = False  # a negated match still makes the claim


@dataclass(frozen=True)
class Lexicon:
    """Everything ``data/article_lexicon.txt`` holds, compiled."""

    patterns: tuple[Pattern, ...]  # claims, then stance cues, then ambivalence cues
    harm: tuple[re.Pattern[str], float]
    together: tuple[tuple[str, float, tuple[re.Pattern[str], ...]], ...]
    # per pattern, the lowercased first letters (up to 3) of a word any match must begin with,
    # or None (no such word): a sentence without one is not searched (``literal_starts``)
    starts: tuple[frozenset[str] | None, ...] = field(default=())


def parse_lexicon(text: str) -> Lexicon:
    """Compile the lexicon file's text; raises ValueError naming the line of a bad entry."""
    patterns: list[Pattern] = []
    harm: list[tuple[re.Pattern[str], float]] = []
    together: list[tuple[str, float, list[re.Pattern[str]]]] = []
    section: list[str] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]").split()
            if section[0] == "together":
                together.append((section[1], float(section[2]), []))
            continue
        head, sep, regex = line.partition(" | ")
        if not sep or not section:
            raise ValueError(f"article lexicon line {no}: expected 'WEIGHT [FLAGS] | REGEX'")
        try:
            compiled = re.compile(regex, re.I)
        except re.error as exc:
            raise ValueError(f"article lexicon line {no}: {exc}") from exc
        weight_text, *flags = head.split()
        kind = section[0]
        if kind == "together":
            together[-1][2].append(compiled)
            continue
        weight = float(weight_text)
        if kind == "claim":
            claim = section[1]
            if claim not in CLAIM_POLARITY:
                raise ValueError(f"article lexicon line {no}: unknown claim {claim!r}")
            polarity = next((int(f) for f in flags if f.lstrip("+-").isdigit()), None)
            patterns.append(
                Pattern(
                    claim,
                    compiled,
                    weight,
                    CLAIM_POLARITY[claim] if polarity is None else polarity,
                    claim in NEGATION_KEEPS or "k" in flags,
                )
            )
        elif kind == "cue":
            patterns.append(Pattern(None, compiled, weight, _SIDES[section[1]], "k" in flags))
        elif kind == "ambivalence":
            patterns.append(Pattern(None, compiled, weight, 0))
        elif kind == "harm":
            harm.append((compiled, weight))
        else:
            raise ValueError(f"article lexicon line {no}: unknown section {kind!r}")
    if len(harm) != 1:
        raise ValueError("article lexicon: expected exactly one [harm] pattern")
    patterns.sort(key=lambda p: p.claim is None)
    return Lexicon(
        tuple(patterns),
        harm[0],
        tuple((c, w, tuple(rs)) for c, w, rs in together),
        tuple(literal_starts(p.regex) for p in patterns),
    )


def literal_starts(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII letters (lowercased, up to 3) that every match of ``regex`` begins a word with,
    one set of alternatives (``\\b(?:mob|witch hunt)`` gives ``{"mob", "wit"}``); None when a
    match need not start a word with such letters."""
    try:  # the standard library's own regex parser (re._parser since Python 3.11)
        from re import _constants as c
        from re import _parser
    except ImportError:  # a Python that moved it: every pattern is tried, as before
        return None

    def firsts(items: list) -> set[str] | None:
        acc = ""
        for op, av in items:
            if op is c.LITERAL and chr(av).isascii():
                acc += chr(av).lower()
                if len(acc) == 3:
                    break
                continue
            if acc:
                break
            if op is c.SUBPATTERN and not av[1] and not av[2]:  # (?:...) with no flags
                return firsts(list(av[3]))
            if op is c.BRANCH:
                alts = [firsts(list(alt)) for alt in av[1]]
                return None if any(a is None for a in alts) else set().union(*alts)
            return None
        return {acc} if acc else None

    items = list(_parser.parse(regex.pattern, regex.flags))
    if not items or items[0] != (c.AT, c.AT_BOUNDARY):
        return None
    starts = firsts(items[1:])
    if not starts or not all(w[0].isalnum() or w[0] == "_" for w in starts):
        return None
    return frozenset(starts)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_START = re.compile(r"\b\w")


def word_starts(text: str) -> frozenset[str] | None:
    """The first 1, 2 and 3 characters (lowercased) from each place a word begins in ``text``;
    None when a letter in it is not ASCII (one may match an ASCII letter case-insensitively:
    the Kelvin sign a k), so that every pattern is tried."""
    if any(m.group().isalpha() for m in _NON_ASCII.finditer(text)):
        return None
    low = text.lower()
    return frozenset(
        low[i : i + k] for i in (m.start() for m in _WORD_START.finditer(text)) for k in (1, 2, 3)
    )


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The shipped lexicon, compiled once."""
    text = (
        resources.files("groundswell.analyze")
        .joinpath("data/article_lexicon.txt")
        .read_text(encoding="utf-8")
    )
    return parse_lexicon(text)
