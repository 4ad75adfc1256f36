"""Sentences and clauses of a long-form article, with their character offsets.

A careful regular-expression splitter: paragraph breaks always end a sentence; ``.`` ``!`` ``?``
end one when followed by space and a capital, a digit or an opening quote, except after a title
(``Mr.``, ``Dr.``), a common abbreviation (``e.g.``, ``Jan.``), an initial (``J. K. Rowling``) or a
dotted acronym (``U.S.``) followed by a name. Offsets let every piece of evidence be quoted exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Never the end of a sentence: a title or abbreviation that is followed by more of the sentence.
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "rev",
        "hon",
        "pres",
        "supt",
        "insp",
        "det",
        "messrs",
        "mme",
        "mlle",
    ]
)
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "v",
        "cf",
        "al",
        "approx",
        "ca",
        "no",
        "nos",
        "vol",
        "pp",
        "p",
        "fig",
        "ed",
        "eds",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "a.m",
        "p.m",
    ]
)
# After a dotted acronym (U.S.), these words begin a new sentence; any other capital continues.
_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "but",
        "and",
        "yet",
        "so",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "our",
        "in",
        "on",
        "at",
        "for",
        "if",
        "when",
        "while",
        "what",
        "why",
        "how",
        "as",
        "after",
        "before",
        "since",
        "although",
        "though",
        "however",
        "still",
        "many",
        "some",
        "most",
        "no",
        "none",
        "one",
        "such",
    ]
)
# A stop begins where a run of stops begins (the lookbehind): tried from inside a long run ("!!!!",
# "....") that is not followed by a new sentence, it rescanned the rest of the run each time.
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_WORD_CHAR = re.compile(r"[\w.'’-]")  # a character of the word before a full stop
_WORD_AFTER = re.compile(r"\s+[\"'“‘(\[]?([\w'’-]+)")

# Contrast markers that split a sentence into weighted clauses.
_CONTRAST_AFTER = re.compile(
    r"(?:[,;:—–-]\s*|\s)(?:but|yet|however|nonetheless|nevertheless|and yet|still)\b[,]?\s*", re.I
)
_CONCEDING_OPENER = re.compile(
    r"\s*(?:of course|to be sure|granted|admittedly|certainly|no doubt|undeniably|it is true|"
    r"it's true|true,|yes,|I do not doubt|I don't doubt|nobody doubts|no one doubts|no one denies|"
    r"nobody denies|I do not deny|I don't deny|I grant|I agree|none of this means|none of this "
    r"diminishes|nothing I say)\b",
    re.I,
)
_CONCESSIVE = re.compile(r"\b(?:although|though|even though|even if|whereas|granted that)\b", re.I)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, its offsets in the article text, its paragraph number."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Clause:
    """A stretch of a sentence (offsets relative to the sentence) and its weight.

    ``weight`` is below 1 for a clause that the sentence itself concedes or subordinates
    ("Yes, X, but Y": X), above 1 for the clause that carries the point (Y).
    """

    start: int
    end: int
    weight: float


def _is_boundary(text: str, dot_at: int, after: int) -> bool:
    """Whether the punctuation at ``dot_at`` really ends a sentence."""
    if text[dot_at] != ".":
        return True
    word = _word_before(text, dot_at)
    if not word:
        return True
    word = word.lower().strip("'’-")
    nxt = _WORD_AFTER.match(text, after)
    next_word = nxt.group(1).lower() if nxt else ""
    if word in _TITLES:
        return False
    if word in _ABBREVIATIONS:
        return next_word in _STARTERS
    if len(word) == 1 and word.isalpha():  # an initial: "J. K. Rowling"
        return False
    if "." in word:  # a dotted acronym: "U.S. Senate" goes on, "in the U.S. The" ends
        return next_word in _STARTERS
    return True


def _word_before(text: str, end: int) -> str:
    """The run of word characters (letters, digits, ``.`` ``'`` ``’`` ``-``) that ends at ``end``,
    or that ends just before a newline at ``end - 1``; "" when there is none.

    Found by stepping back from ``end``, so the cost is the length of the word: a search of
    ``text[:end]`` for ``[\\w.'’-]+$`` (what this replaces) tries every position from the start
    of the text and made splitting quadratic in its length. The run cannot reach back past the
    space after the previous candidate stop, so all the steps of one text add up to its length.
    """
    stop = end
    if stop > 0 and text[stop - 1] == "\n":  # as ``$`` matched before a final newline too
        stop -= 1
    start = stop
    while start > 0 and _WORD_CHAR.match(text, start - 1):
        start -= 1
    return text[start:stop]


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order, each with exact offsets (``text[start:end]``)."""
    out: list[Sentence] = []
    for paragraph_no, para in enumerate(_iter_paragraphs(text)):
        p_start, p_end = para
        cut = p_start
        for m in _BOUNDARY.finditer(text, p_start, p_end):
            if _is_boundary(text, m.start(), m.end()):
                _add(out, text, cut, m.end(), paragraph_no)
                cut = m.end()
        _add(out, text, cut, p_end, paragraph_no)
    return out


def _iter_paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _PARAGRAPH.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _add(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        out.append(Sentence(len(out), text[start:end], start, end, paragraph))


_TURN = re.compile(
    r"\s*[\"“]?(?:but|yet|however|still|nevertheless|nonetheless|even so|that said)\b", re.I
)


def turns(sentence: str) -> bool:
    """Whether the sentence opens by answering the one before ("But ...", "Yet ...")."""
    return _TURN.match(sentence) is not None


def clauses(sentence: str) -> list[Clause]:
    """The sentence cut at its contrast markers, each stretch weighted.

    "X, but Y": X 0.7, Y 1.15. "Although X, Y": X 0.7, Y 1.15. "Y, although X": Y 1.0, X 0.7.
    A sentence that opens by conceding ("Of course", "I do not doubt that") weighs 0.6.
    A sentence that opens with "But", "Yet", "Still" carries the point: 1.15.
    """
    n = len(sentence)
    marks = [m for m in _CONTRAST_AFTER.finditer(sentence) if m.start() > 0]
    opener = re.match(r"\s*(?:but|yet|still|however|nevertheless|nonetheless)\b", sentence, re.I)
    if marks:
        m = marks[-1]
        return [Clause(0, m.start(), 0.7), Clause(m.start(), n, 1.15)]
    if _CONCEDING_OPENER.match(sentence):  # "Of course X." concedes X
        return [Clause(0, n, 0.6)]
    c = _CONCESSIVE.search(sentence)
    if c is not None:
        if c.start() <= 2:  # "Although X, Y"
            comma = sentence.find(",", c.end())
            if comma > 0:
                return [Clause(0, comma, 0.7), Clause(comma, n, 1.15)]
            return [Clause(0, n, 0.85)]
        return [Clause(0, c.start(), 1.0), Clause(c.start(), n, 0.7)]
    return [Clause(0, n, 1.15 if opener else 1.0)]
