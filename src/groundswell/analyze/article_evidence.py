"""Evidence in one sentence of an article: claim patterns and stance cues, each match asserted,
reported or rebutted, weighted by its clause and the article's parameters.

A match is *reported* when someone else's words carry it (an attribution such as "critics say"
or quote marks before it in its clause), *rebutted* when a negator stands at most three words
before it ("this is not a witch hunt"), unless the claim is one whose negation still makes it
(``due_process``: "no chance to answer") or the negation concedes ("I do not doubt that ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

import msgspec

from groundswell.analyze.article_lexicon import (
    ACCUSED_WORDS,
    ATTRIBUTION,
    CLAIM_POLARITY,
    NEGATION,
    QUOTED_AFTER,
    SURVIVOR_WORDS,
    Pattern,
    lexicon,
    word_starts,
)
from groundswell.analyze.article_sentences import clauses
from groundswell.analyze.registry import Params

_AGENT = re.compile(r"\s+(?:could|would|can|will|might|had the power)\b", re.I)
_POSSESSIVE = re.compile(r"\b(?:his|her|my)\b", re.I)
_NOT_NEGATION = ("not only", "not just", "not merely", "not simply", "not least")
# "I do not doubt that X", "no one denies X": the negation concedes X rather than rebutting it
_DOUBLE_NEGATION = re.compile(
    r"\b(?:doubt|deny|denies|dispute|question|disagree|illusion|mistake|secret|wonder)\w*", re.I
)


@dataclass
class ArticleParams(Params):
    """Thresholds and weights of article analysis (defaults documented in the module)."""

    mixed_min_share: float = 0.30
    mixed_min_weight: float = 1.5
    min_evidence: float = 1.0
    reported_weight: float = 0.35
    rebutted_weight: float = 0.5
    title_weight: float = 1.5
    closing_weight: float = 1.25
    conceded_weight: float = 0.7
    sentence_cap: float = 3.0
    top_sentences: int = 3
    # the sentence model's sides are sums of probabilities (times position factors); tuned on
    # the train split (article_train)
    model_min_evidence: float = 0.5
    model_mixed_share: float = 0.45
    model_mixed_weight: float = 1.0
    model_critical_share: float = 0.45
    model_lexicon_weight: float = 1.0  # the lexicon's evidence added to the model's sides


class Evidence(msgspec.Struct):
    """One matched phrase in one sentence."""

    phrase: str
    claim: str | None  # None for a stance cue
    mode: str  # asserted, reported, rebutted
    base: float  # the pattern's own weight
    strength: float  # the weight after clause, position and mode factors, whatever the side
    supportive: float
    critical: float


class ScoredSentence(msgspec.Struct):
    index: int  # -1 for the title
    text: str
    supportive: float
    critical: float
    evidence: list[Evidence]
    factor: float = 1.0  # the position factor (title, closing paragraph, conceded) applied


# how far back a negation, an attribution or a person word still governs a phrase: a clause of
# real prose is shorter; a "sentence" of a whole text without full stops must not be read again
# for each phrase in it (quadratic time)
LOOKBACK = 300
_BUCKET = 64


def _mode(text: str, clause_start: int, start: int, end: int, keep_negated: bool = False) -> str:
    before = text[max(clause_start, start - LOOKBACK) : start]
    neg = NEGATION.search(before)
    if (
        neg
        and not keep_negated
        and not neg.group(0).lower().startswith(_NOT_NEGATION)
        and not _DOUBLE_NEGATION.search(neg.group(0))
    ):
        return "rebutted"
    if ATTRIBUTION.search(before):
        return "reported"
    if before.rstrip()[-1:] in ("'", '"', "“", "‘") and QUOTED_AFTER.match(text[end:]):
        return "reported"
    return "asserted"


def _previous_owner(previous: str) -> str | None:
    """Whose harm the previous sentence makes it: its first person word (survivor or accused)."""
    firsts = [
        (m.start(), claim)
        for regex, claim in (
            (SURVIVOR_WORDS, "burden_on_survivors"),
            (ACCUSED_WORDS, "public_shaming_harm"),
        )
        if (m := regex.search(previous))
    ]
    return min(firsts)[1] if firsts else None


def _harmed(text: str, start: int, end: int, fallback: Callable[[], str | None]) -> str | None:
    """Whose career or life is harmed: the nearest person word before ``end`` decides, else
    ``fallback()`` (the previous sentence's first person word)."""
    owner = _POSSESSIVE.search(text, start, end)  # "ruined his career": his decides
    if owner:
        return "public_shaming_harm" if owner.group(0).lower() == "his" else "burden_on_survivors"
    best: tuple[int, str] | None = None
    for regex, claim in (
        (SURVIVOR_WORDS, "burden_on_survivors"),
        (ACCUSED_WORDS, "public_shaming_harm"),
    ):
        for m in regex.finditer(text, max(0, start - LOOKBACK), end):
            if claim == "public_shaming_harm" and _AGENT.match(text, m.end()):
                continue  # "a word from him could end a career": he is the one who harms
            if best is None or m.start() > best[0]:
                best = (m.start(), claim)
    if best is not None:
        return best[1]
    return fallback()


def _matches(text: str, previous: str = "") -> list[tuple[int, int, Pattern]]:
    """Every pattern match, overlaps resolved: one match per claim per span, cues yield to
    claims, and a short phrase inside another claim's short phrase yields to it."""
    found = []
    lex = lexicon()
    # a pattern whose matches begin a word none of the text's words begins like is not run: the
    # ~300 patterns scanned every character of every sentence (15 s a MB of op-ed)
    have = word_starts(text)
    for pat, starts in zip(lex.patterns, lex.starts or [None] * len(lex.patterns), strict=True):
        if have is not None and starts is not None and have.isdisjoint(starts):
            continue
        for m in pat.regex.finditer(text):
            if m.end() > m.start():
                found.append((m.start(), m.end(), pat))
    harm_re, harm_weight = lex.harm
    # the previous sentence is searched once, not once per harm phrase: a run-on sentence of
    # 8,000 "lost everything" after a long one without a person word took 7 minutes (quadratic)
    fallback = cache(partial(_previous_owner, previous))
    for m in harm_re.finditer(text):
        claim = _harmed(text, m.start(), m.end(), fallback)
        if claim:
            found.append(
                (m.start(), m.end(), Pattern(claim, harm_re, harm_weight, CLAIM_POLARITY[claim]))
            )
    for claim, weight, regexes in lex.together:
        hits = [r.search(text) for r in regexes]
        if all(hits):
            first = hits[0]
            found.append(
                (
                    first.start(),
                    first.end(),
                    Pattern(claim, regexes[0], weight, CLAIM_POLARITY[claim]),
                )
            )
    found.sort(key=lambda t: (t[2].claim is None, -(t[1] - t[0]), -t[2].weight))
    kept: list[tuple[int, int, Pattern]] = []
    # kept matches by the stretches of _BUCKET characters they cover, so a match is checked
    # against the ones near it, not every one before it (a run-on "sentence" of 100,000 matches
    # took hours)
    near: dict[int, list[tuple[int, int, Pattern]]] = {}
    for s, e, pat in found:
        buckets = range(s // _BUCKET, (max(e, s + 1) - 1) // _BUCKET + 1)
        clash = any(
            not (s >= ke or e <= ks)
            and (
                kp.claim == pat.claim
                or pat.claim is None
                or kp.claim is None
                or (ks <= s and e <= ke and ke - ks <= 40)
            )
            for b in buckets
            for ks, ke, kp in near.get(b, ())
        )
        if not clash:
            kept.append((s, e, pat))
            for b in buckets:
                near.setdefault(b, []).append((s, e, pat))
    return sorted(kept, key=lambda t: t[0])


def score_sentence(
    text: str, index: int, params: ArticleParams, factor: float = 1.0, previous: str = ""
) -> ScoredSentence:
    """The evidence in one sentence and its weight for each side."""
    spans = clauses(text)
    best: dict[tuple[str | None, int, bool], Evidence] = {}  # the strongest per claim or cue
    for start, end, pat in _matches(text, previous):
        clause = next((c for c in spans if c.start <= start < c.end), spans[-1])
        mode = _mode(text, clause.start, start, end, pat.keep_negated)
        w = pat.weight * clause.weight * factor
        polarity = pat.polarity
        if mode == "reported":
            w *= params.reported_weight
        elif mode == "rebutted":
            w *= params.rebutted_weight
            polarity = -polarity
        sup = w if polarity > 0 or (pat.claim is None and polarity == 0) else 0.0
        cri = w if polarity < 0 or (pat.claim is None and polarity == 0) else 0.0
        key = (
            pat.claim or pat.regex.pattern,
            pat.polarity if pat.claim is None else 0,
            mode == "rebutted",
        )
        if key not in best or w > best[key].strength:
            best[key] = Evidence(
                text[start:end],
                pat.claim,
                mode,
                pat.weight,
                round(w, 3),
                round(sup, 3),
                round(cri, 3),
            )
    evidence = list(best.values())
    sup = min(params.sentence_cap, sum(e.supportive for e in evidence))
    cri = min(params.sentence_cap, sum(e.critical for e in evidence))
    return ScoredSentence(index, text, round(sup, 3), round(cri, 3), evidence, factor)
