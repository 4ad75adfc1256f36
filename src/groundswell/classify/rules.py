"""Weak signals from the codebook: the conventions and wordings that point to a label.

Each signal is a named pattern with the label it points to (an act, or ``minor:`` for a stated
age; the phrases stating harm, relation and setting are read by ``details.py``). Signals are
used two ways: as features of the student's heads (so the trained weights decide how much they
count, never the signal alone) and as evidence spans, the words in the post that drove a
decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from groundswell.schema import ACTS

PRECEDENCE = ACTS  # codebook section 1: testimony > confession > ... > other

_ME = r"(?:me|my|myself)"
_DID = (
    r"(?:harass(?:ed)?|grop(?:ed|e)|coerc(?:ed|e)|assault(?:ed)?|catcall(?:ed)?|"
    r"pressur(?:ed|e)|touch(?:ed)?|abus(?:ed|e)|molest(?:ed)?|forc(?:ed|e)|"
    r"made (?:unwanted|sexual|inappropriate)|stay(?:ed)? silent|laughed (?:at|along)|"
    r"looked away|ignored|been (?:complicit|that guy|part of the problem))"
)
_HURT = (
    r"(?:raped|assaulted|harass?ed|groped|molested|touched|abused|grabbed|kissed|fondled|"
    r"stalked|followed|flashed|cornered|pinned|drugged|attacked|catcalled|threatened|"
    r"coerced|violated|blackmailed|pressured|forced)"
)
_AGE_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen)"
)

# (name, label, pattern); names are stable feature names, keep them unique
SIGNALS: tuple[tuple[str, str, str], ...] = (
    # confession
    ("itwasme_tag", "confession", r"#itwasme\b|#ihave\b|#iwasthatguy\b|#ididit\b"),
    ("it_was_me", "confession", r"\bit was me\b|\bi was (?:that guy|the problem|complicit)\b"),
    ("i_have_did", "confession", rf"\bi(?: have|'ve)?(?: also)? {_DID}\b"),
    (
        "confess_words",
        "confession",
        r"\bi (?:confess|admit|regret what i did|am ashamed of (?:what i|my))\b|"
        r"\bmy own behaviou?r\b",
    ),
    # pledge
    ("iwill_tag", "pledge", r"#iwill\b|#iwillspeakup\b|#ipledge\b"),
    (
        "i_will",
        "pledge",
        r"\bi(?: will|'ll)(?: always| never| not| now| no longer)? "
        r"(?:call out|speak up|listen|believe|teach|intervene|stand up|report|not stay|not look|"
        r"do better|make sure|challenge|check|stop|raise|educate|be)\b",
    ),
    (
        "from_now_on",
        "pledge",
        r"\bfrom (?:now|today) on\b|\bi (?:promise|pledge|commit|vow)\b|"
        r"\bnever again will i\b|\bi'm going to (?:call|speak|listen)\b",
    ),
    # testimony
    ("me_too_alone", "testimony", r"^\W*(?:#?me\s?too|#metoo)\W*$"),
    (
        "happened_to_me",
        "testimony",
        rf"\b(?:happened to|did (?:it|this) to|done to) {_ME}\b|"
        r"\b(?:this|it) happens to me\b|\bi (?:too|also) (?:was|have been)\b",
    ),
    ("i_was_hurt", "testimony", rf"\bi (?:was|got|have been|had been|'ve been) (?:\w+ )?{_HURT}\b"),
    ("he_did_to_me", "testimony", rf"\b{_HURT} me\b"),
    (
        "when_i_was",
        "testimony",
        rf"\bwhen i was (?:\d{{1,2}}|{_AGE_WORDS}|a (?:kid|child|teen\w*|"
        r"girl|boy|student|teenager|young))\b|\bat (?:age )?\d{1,2},? i\b|"
        r"\bi was (?:only )?\d{1,2}\b",
    ),
    (
        "my_abuser",
        "testimony",
        r"\bmy (?:abuser|rapist|harasser|attacker|molester|assailant)\b|"
        r"\bi (?:never|didn't|did not) (?:report|tell|told)\b|\bi survived\b|\bi (?:froze|fled)\b",
    ),
    ("first_person", "testimony", r"\b(?:i|i'm|i've|i'd|me|my|mine|myself)\b"),
    # support
    ("addressing", "support", r"\b(?:we|us|our|you|your|you're)\b"),
    (
        "believe_you",
        "support",
        r"\bi believe (?:you|her|him|them|survivors|women)\b|"
        r"#believe(?:women|survivors)\b|#istandwith\w*|\bstand(?:ing)? with\b",
    ),
    (
        "brave_words",
        "support",
        r"\b(?:so brave|courage(?:ous)?|proud of|thank you for "
        r"(?:sharing|speaking)|you are not alone|not your fault|solidarity|more power to)\b",
    ),
    (
        "we_must",
        "support",
        r"\bwe (?:must|need to|should|have to)\b|#timesup\b|#hetoo\b|"
        r"\b(?:must|should) (?:be held|resign|answer|face)\b|\bhold \w+ accountable\b",
    ),
    (
        "shared_story",
        "support",
        r"\b(?:she|he) (?:writes|wrote|shares|shared|says):|"
        r"\bread (?:her|his|this|their) (?:thread|story|account)\b|\bfrom \w+'s account\b|"
        r"\(\d+/n?\d*\)|\bmore stories\b|\bmust[- ]read\b",
    ),
    # backlash
    (
        "witch_hunt",
        "backlash",
        r"\bwitch[- ]?hunts?\b|\bdue process\b|\bgone too far\b|"
        r"\bfalse (?:accusations?|allegations?|cases?)\b|"
        r"\bfake (?:cases?|allegations?|accusations?)\b|"
        r"#fakecases\b|#mentoo\b|#himtoo\b|#fakemetoo\b|\bmisandr\w*|\bfeminazi\w*|"
        r"\binnocent until proven\b|\bmen can'?t even\b|\bhysteria\b|\bmob justice\b|"
        r"\bwhere (?:is|was|are) (?:the )?#?metoo\b|\bmetoo (?:is|has become) a\b|\bmisuse\w*\b|"
        r"#gendereutrallaws|#genderneutrallaws|\bvictim card\b|\bpublicity stunt\b",
    ),
    # reporting
    (
        "news_verbs",
        "reporting",
        r"\b(?:accused of|accuses|accused|alleges|allegations? against|"
        r"steps? down|stepped down|resigns?|resigned|fired|sacked|sued|sues|arrested|charged|"
        r"convicted|sentenced|denies|denied|files? (?:a )?(?:complaint|case|fir|suit)|"
        r"defamation|probe|court|verdict|trial|statement|apologi[sz]es|reacts|opens up|speaks up "
        r"about|breaks (?:her|his) silence|survey|study finds|report(?:s|ed)?\b)",
    ),
    (
        "headline_colon",
        "reporting",
        r"^\s*#?\w+(?: \w+){0,3}\s?:\s|\|\s*\w+|\bvia\s*@?\w*\s*$|"
        r"\b(?:says|said|told|claims)\b|\bbreaking\b",
    ),
    ("link", "reporting", r"https?://\S+"),
    # other
    (
        "promo",
        "other",
        r"\b(?:buy|shop|sale|discount|giveaway|order now|tickets?|subscribe|"
        r"follow (?:us|me)|check out my|new (?:episode|song|video|book)|podcast|available now|"
        r"link in bio|register now|webinar)\b",
    ),
    # minor at the time
    (
        "m_young",
        "minor:yes",
        rf"\bwhen i was (?:\d|1[0-7]|{_AGE_WORDS})\b|"
        r"\bat (?:age )?(?:\d|1[0-7])\b|\bi was (?:only |just )?(?:\d|1[0-7])\b|"
        r"\b(?:\d|1[0-2])(?:st|nd|rd|th) (?:grade|standard|std|class)\b|\bas a (?:child|kid|"
        r"little girl|little boy|minor|teen\w*)\b|\bin (?:middle|high|primary) school\b",
    ),
    (
        "m_adult",
        "minor:no",
        r"\bwhen i was (?:1[89]|[2-9]\d)\b|\bi was (?:1[89]|[2-9]\d)\b|"
        r"\bat (?:age )?(?:1[89]|[2-9]\d)\b",
    ),
)

SIGNAL_NAMES = tuple(s[0] for s in SIGNALS)
SIGNAL_LABELS = tuple(s[1] for s in SIGNALS)
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ\n\r", "abcdefghijklmnopqrstuvwxyz  ")


def _compile(pat: str) -> re.Pattern[str]:
    """Compile for a scan over many texts joined by newlines: no case folding (the text is
    lowered, length-preserving), no leading ``\\b`` (checked after the match, which lets the
    engine skip ahead by first character: ~15x faster), no whitespace crossing a text's end."""
    pat = re.sub(r"(^|\|)\\b", r"\1", pat)
    pat = pat.replace(r"\s", r"[^\S\n]").replace(r"\W", r"[^\w\n]")
    return re.compile(pat, re.MULTILINE)


_PATTERNS = tuple(_compile(pat) for _, _, pat in SIGNALS)


@dataclass(slots=True)  # not frozen: a frozen dataclass takes 2.7x as long to build
class Evidence:
    """A span of the post's own text that drove a decision: ``text[start:end] == span``."""

    label: str
    start: int
    end: int
    text: str
    source: str  # the signal name, or "ngram" for a weighted n-gram of a linear head

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "source": self.source,
        }


def _joined(texts: Sequence[str]) -> tuple[str, list[int]]:
    """The texts lowered and joined by newlines (their own newlines made spaces), and where
    each starts (plus a sentinel past the end)."""
    big = "\n".join([t.translate(_LOWER) for t in texts])
    starts = [0]
    for t in texts[:-1]:
        starts.append(starts[-1] + len(t) + 1)
    starts.append(len(big) + 1)
    return big, starts


def _word_start_inside(big: str, s: int) -> bool:
    """Whether position ``s`` of ``big`` lies inside a word (the dropped leading \\b)."""
    return (
        s > 0
        and (big[s].isalnum() or big[s] == "_")
        and (big[s - 1].isalnum() or big[s - 1] == "_")
    )


def _first_hits(
    pattern: re.Pattern[str], big: str, starts: list[int], *, word_start: bool = True
) -> Iterator[tuple[int, int, int]]:
    """(text index, start, end) of ``pattern``'s first match in each text of a ``_joined``
    string that has one, a match inside a word skipped when ``word_start`` (patterns compiled
    by ``_compile`` lost their leading \\b); after a match the search jumps to the next
    text."""
    from bisect import bisect_right

    n = len(starts) - 1
    search = pattern.search
    pos = 0
    while True:
        m = search(big, pos)
        if m is None:
            return
        s, e = m.span()
        if e <= s or (word_start and _word_start_inside(big, s)):
            pos = s + 1  # empty, or starts inside a word (the dropped leading \b)
            continue
        r = bisect_right(starts, s) - 1
        yield r, s - starts[r], e - starts[r]
        if r + 1 >= n:
            return
        pos = starts[r + 1]


def _first_in_rows(
    pattern: re.Pattern[str],
    big: str,
    starts: list[int],
    rows: Iterable[int],
    *,
    word_start: bool = True,
) -> Iterator[tuple[int, int, int]]:
    """``_first_hits`` limited to ``rows`` (ascending): each row's text searched on its own
    stretch of ``big`` (``pos``/``endpos``: the same anchors and boundaries as the whole
    string gives it), so texts the prefilter ruled out cost nothing."""
    search = pattern.search
    for r in rows:
        pos, end = starts[r], starts[r + 1] - 1
        while True:
            m = search(big, pos, end)
            if m is None:
                break
            s, e = m.span()
            if e <= s or (word_start and _word_start_inside(big, s)):
                pos = s + 1
                continue
            yield r, s - starts[r], e - starts[r]
            break


def _hits(
    k: int,
    pattern: re.Pattern[str],
    big: str,
    starts: list[int],
    rows: list[list[int]] | None,
    *,
    word_start: bool = True,
) -> Iterator[tuple[int, int, int]]:
    """Pattern ``k``'s first match per text: over the rows ``prefilter`` left for it when it
    ran, else over the whole joined string."""
    if rows is None:
        return _first_hits(pattern, big, starts, word_start=word_start)
    return _first_in_rows(pattern, big, starts, rows[k], word_start=word_start)


_CLASS_ESCAPES = frozenset("wWsSdD")


def loosen(pattern: str) -> str:
    """A pattern that matches wherever ``pattern`` does, in a form hyperscan reads the same
    way on any text: every \\b and \\B dropped (an assertion only removes matches), and every
    character class that depends on Unicode tables (\\w, \\s, \\d, their negations, or a
    bracket holding one) made ``.``, any character; literals, groups and counts stay."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append("" if nxt in "bB" else "." if nxt in _CLASS_ESCAPES else pattern[i : i + 2])
            i += 2
        elif ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            unicode_class = False
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\":
                    unicode_class |= j + 1 < n and pattern[j + 1] in _CLASS_ESCAPES
                    j += 1
                j += 1
            out.append("." if unicode_class else pattern[i : j + 1])
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# hyperscan's loosened patterns, and their compiled databases, by prefilter name
_PREFILTER_PATTERNS: dict[str, list[str]] = {}
_PREFILTERS: dict[str, object] = {}


def _prefilter_db(name: str) -> object | None:
    """The compiled hyperscan database of prefilter ``name``, built once per process; None
    when hyperscan is not installed (or will not compile it: the plain scan then runs)."""
    if name in _PREFILTERS:
        return _PREFILTERS[name]
    try:
        import hyperscan
    except ImportError:
        _PREFILTERS[name] = None
        return None
    pats = _PREFILTER_PATTERNS[name]
    flags = (
        hyperscan.HS_FLAG_UTF8
        | hyperscan.HS_FLAG_DOTALL
        | hyperscan.HS_FLAG_SINGLEMATCH
        | hyperscan.HS_FLAG_ALLOWEMPTY
    )
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[p.encode() for p in pats], ids=list(range(len(pats))), flags=flags)
    except hyperscan.error:  # pragma: no cover - the patterns are fixed; tests compile them
        db = None
    _PREFILTERS[name] = db
    return db


def _note(k: int, _start: int, _end: int, _flags: int, ctx: tuple[list[list[int]], int]) -> None:
    rows, r = ctx
    rows[k].append(r)


def register_prefilter(name: str, patterns: Sequence[str]) -> None:
    """Make ``patterns`` (Python regex sources) prefilter ``name``, loosened for hyperscan."""
    _PREFILTER_PATTERNS[name] = [loosen(p) for p in patterns]
    _PREFILTERS.pop(name, None)


def _add(k: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    found.add(k)


def present(name: str, text: str) -> set[int] | None:
    """The patterns of prefilter ``name`` that may match somewhere in ``text`` (one hyperscan
    pass); None without hyperscan, or for a text that is no valid UTF-8 (a lone surrogate)."""
    db = _prefilter_db(name)
    if db is None:
        return None
    try:
        data = text.encode()
    except UnicodeEncodeError:
        return None
    found: set[int] = set()
    try:
        db.scan(data, match_event_handler=_add, context=found)  # type: ignore[attr-defined]
    except Exception:  # hyperscan.error: e.g. its scratch space in use by another thread
        return None
    return found


def prefilter(name: str, big: str, starts: list[int]) -> list[list[int]] | None:
    """Per pattern of prefilter ``name``, the texts of a ``_joined`` string (ascending
    indices) in which it may match: one hyperscan pass over each text for all patterns at
    once, each pattern reported at most once a text. None without hyperscan."""
    db = _prefilter_db(name)
    if db is None:
        return None
    rows: list[list[int]] = [[] for _ in _PREFILTER_PATTERNS[name]]
    scan_block = db.scan  # type: ignore[attr-defined]
    for r in range(len(starts) - 1):
        text = big[starts[r] : starts[r + 1] - 1]
        try:
            data = text.encode()
        except UnicodeEncodeError:  # a lone surrogate: no valid UTF-8, every pattern may match
            for found in rows:
                found.append(r)
            continue
        try:
            scan_block(data, match_event_handler=_note, context=(rows, r))
        except Exception:  # hyperscan.error: e.g. its scratch space in use by another thread
            return None  # the plain scan then runs
    return rows


def scan(
    texts: Sequence[str], signals: Sequence[int] | None = None
) -> list[list[tuple[int, int, int]]]:
    """Per text, the (signal index, start, end) of the first match of each of ``signals``
    (default: all) in that text.

    All texts are scanned at once, one pattern at a time, so the loop runs inside the regex
    engine; after a match the search jumps to the next text, so common signals ("I", "you")
    cost one match a text, not one a word. Where hyperscan is installed, one pass of it over
    each text first rules out the signals that cannot match there (``prefilter``), and each
    pattern is searched only in the texts left to it.
    """
    return _scan(texts, signals, gates=False)[0]


def scan_words(texts: Sequence[str]) -> tuple[list[list[tuple[int, int, int]]], np.ndarray]:
    """``scan`` of every signal, and the words ``gate_acts`` reads ((n, 2) bool: a first-person
    word, a word of commitment or future), from one pass over the texts."""
    hits, words = _scan(texts, None, gates=True)
    assert words is not None
    return hits, words


def _scan(
    texts: Sequence[str], signals: Sequence[int] | None, *, gates: bool
) -> tuple[list[list[tuple[int, int, int]]], np.ndarray | None]:
    out: list[list[tuple[int, int, int]]] = [[] for _ in texts]
    if not texts:
        return out, np.ones((0, 2), dtype=bool) if gates else None
    big, starts = _joined(texts)
    rows = prefilter("words", big, starts)
    for k in range(len(SIGNALS)) if signals is None else signals:
        for r, s, e in _hits(k, _PATTERNS[k], big, starts, rows):
            out[r].append((k, s, e))
    return out, _gate_words(texts, big, starts, rows) if gates else None


def find_signals(text: str) -> list[Evidence]:
    """Every signal match in ``text`` as evidence spans, in text order."""
    found = [
        Evidence(SIGNAL_LABELS[k], s, e, text[s:e], SIGNAL_NAMES[k]) for k, s, e in scan([text])[0]
    ]
    found.sort(key=lambda ev: (ev.start, ev.end))
    return found


def signal_matrix(
    texts: Sequence[str],
    signals: Sequence[int] | None = None,
    hits: list[list[tuple[int, int, int]]] | None = None,
) -> np.ndarray:
    """(n, len(signals)) float32: 1 where a signal fires in a text (default: all signals).
    ``hits`` reuses a ``scan`` covering at least ``signals``."""
    signals = tuple(range(len(SIGNALS))) if signals is None else tuple(signals)
    col = {k: j for j, k in enumerate(signals)}
    out = np.zeros((len(texts), len(signals)), dtype=np.float32)
    for r, found in enumerate(scan(texts, signals) if hits is None else hits):
        for k, _, _ in found:
            j = col.get(k)
            if j is not None:
                out[r, j] = 1.0
    return out


# What the codebook's definitions require of a post before an act can be its label (section 1):
# a testimony or confession is told in the first person ("unmarked first person is read as the
# author's own"), a pledge commits to act in future. A post lacking those words gets probability
# 0 for that act, the rest renormalised. First-person words of the languages the corpus holds
# (English, romanised Hindi) and a few other Latin-script languages; a text mostly in another
# script (Devanagari Hindi included) is not gated.
# (lower-case patterns for ``_joined`` texts; they keep their \b: for words this common the
# engine's own boundary test is cheaper than ``_first_hits`` rejecting matches inside words)
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|id|me|my|mine|myself|we|we're|we've|us|our|ours|"
    r"mujhe|mujhko|mera|meri|mere|maine|main|mai|hum|humne|hamare|hamari|humko|"
    r"yo|mi|je|moi|mon|ma|ich|mich|mir|mein|meine|eu|meu|minha|io)\b|\bj'"
)
_FUTURE = re.compile(
    r"\b(?:will|shall|going to|gonna|promise|pledge|commit|committed|vow|from now on|"
    r"never again|won't|wont|henceforth|starting (?:now|today|tomorrow)|from today|"
    r"in (?:the )?future)\b|'ll\b|#i ?will"
)
# the original call's reply, as the testimony signal of that name reads it
_ME_TOO_ALONE = re.compile(SIGNALS[SIGNAL_NAMES.index("me_too_alone")][2], re.IGNORECASE)
_OTHER_SCRIPT = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")  # a letter outside Latin scripts
# the signals, then the gates' words (the other-script test as any character outside ASCII
# and Latin-1/Latin Extended: wider than the letters it finds)
register_prefilter(
    "words",
    [
        *(pat for _, _, pat in SIGNALS),
        _FIRST_PERSON.pattern,
        _FUTURE.pattern,
        r"[^\x00-\x7f\x{c0}-\x{24f}]",
    ],
)
_TESTIMONY, _CONFESSION, _PLEDGE = (ACTS.index(a) for a in ("testimony", "confession", "pledge"))


def _other_script(text: str) -> bool:
    """Mostly letters of a script the gates' words do not cover."""
    foreign = len(_OTHER_SCRIPT.findall(text))
    return foreign > 0 and foreign * 2 >= sum(ch.isalpha() for ch in text)


def _gate_words(
    texts: Sequence[str], big: str, starts: list[int], rows: list[list[int]] | None
) -> np.ndarray:
    """(n, 2) bool: whether each text holds a first-person word, and a word of commitment or
    future; both true for a text mostly in another script (not gated)."""
    words = np.zeros((len(texts), 2), dtype=bool)
    at = len(SIGNALS)  # the gates' patterns follow the signals' in the "words" prefilter
    for j, pattern in enumerate((_FIRST_PERSON, _FUTURE)):
        for r, _, _ in _hits(at + j, pattern, big, starts, rows, word_start=False):
            words[r, j] = True
    for r, _, _ in _hits(at + 2, _OTHER_SCRIPT, big, starts, rows, word_start=False):
        if _other_script(texts[r]):
            words[r] = True  # not gated
    for r in np.flatnonzero(~words[:, 0]):
        if _ME_TOO_ALONE.search(texts[r]):
            words[r, 0] = True
    return words


def gate_acts(
    texts: Sequence[str], probs: np.ndarray, words: np.ndarray | None = None
) -> np.ndarray:
    """``probs`` (n, 7, ACTS order) with the acts a text's words rule out set to 0 and each
    row renormalised (a row left all 0 keeps its original values); ``words``: the texts'
    ``scan_words`` gate words, when already found."""
    out = np.array(probs, dtype=np.float64, copy=True)
    if not len(texts):
        return out
    if words is None:
        words = _scan(texts, (), gates=True)[1]
    first_person, future = words[:, 0], words[:, 1]
    out[~first_person, _TESTIMONY] = 0.0
    out[~first_person, _CONFESSION] = 0.0
    out[~future, _PLEDGE] = 0.0
    total = out.sum(axis=1, keepdims=True)
    empty = total[:, 0] <= 0
    out[empty] = probs[empty]
    total[empty] = 1.0
    return out / total
