"""Long-form article analysis (CODEBOOK section 6): stance, claims, people and hashtags named.

Offline, fast and explainable: the text is cut into sentences, each sentence into clauses at its
contrast markers; claim patterns and stance cues (``article_lexicon``) are matched per clause.
A match is *asserted*, *reported* (someone else's words: "critics say it went too far"; weight
x0.35) or *rebutted* (negated: "this is not a witch hunt"; counts x0.5 for the other side and is
not listed as a claim). Each claim has a polarity (``CLAIM_POLARITY``); stance cues add wording
toward the movement that is not a claim ("overdue reckoning", "mob"). The title counts x1.5 and
the closing paragraph x1.25, a sentence (or a whole paragraph) that the next one answers with
"But ..." x0.7; one sentence gives at most 3 to each side.

With the lexicon alone (``method="lexicon"``), stance from the weighted evidence S (supportive)
and C (critical): none (``null``) when S + C is below ``min_evidence``; ``mixed`` when the
smaller side is at least ``mixed_min_share`` (0.30) of S + C and at least ``mixed_min_weight``
(1.5, a couple of clear sentences); otherwise the larger side.

With the sentence model (``method="model"``, the default when shipped: ``article_model``, learned
from real op-ed sentences labelled per the codebook), each side of a sentence is the model's
probability for it times the sentence's position factor, plus the lexicon's weight for it
(``model_lexicon_weight``); the article is none when no sentence's most probable label is a side,
else decided as above with the ``model_*`` thresholds, which ``article_train`` tuned on the train
split; ``critical`` when its share exceeds ``model_critical_share``. A supportive article's
critical sentences are kept as ``criticisms`` with the claims they make.

The sentences that carry the stance are those with the largest net weight toward it (for
``mixed``, the strongest of each side).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from groundswell.analyze.article_evidence import (
    ArticleParams,
    ScoredSentence,
    score_sentence,
)
from groundswell.analyze.article_lexicon import CLAIM_POLARITY, CLAIMS
from groundswell.analyze.article_model import SentenceStanceModel, shipped_model
from groundswell.analyze.article_sentences import split_sentences, turns
from groundswell.analyze.registry import Analysis
from groundswell.errors import InputError
from groundswell.schema import Article, Quarantined, hashtags_in_text

STANCES = ("supportive", "critical", "mixed")
SIDE = {1: "supportive", -1: "critical"}


class ArticleAnalysis(msgspec.Struct, kw_only=True):
    """What ``groundswell article`` reports for one article (see the README for the JSON)."""

    id: str
    title: str
    source_file: str = ""
    stance: str | None
    method: str = "lexicon"
    scores: dict[str, float]
    stance_sentences: list[dict[str, Any]]
    criticisms: list[dict[str, Any]] = []
    claims: list[dict[str, Any]]
    rebutted: list[dict[str, Any]]
    people: list[dict[str, Any]]
    hashtags: list[str]
    sentences: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return msgspec.to_builtins(self)

    def shown(self, mask: Callable[[str], str]) -> ArticleAnalysis:
        """A copy fit to show: the title and every quoted sentence passed through ``mask`` (the
        care rules: private persons' names, e-mail addresses, handles)."""

        def each(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{**r, "sentence": mask(r["sentence"])} if "sentence" in r else r for r in rows]

        return msgspec.structs.replace(
            self,
            title=mask(self.title),
            stance_sentences=each(self.stance_sentences),
            criticisms=each(self.criticisms),
            claims=each(self.claims),
            rebutted=each(self.rebutted),
        )


def _people(text: str) -> list[dict[str, Any]]:
    """People named (CODEBOOK section 3), one entry per person: name (``[private person]``
    unless a public figure), role (accused > accuser > commentator over their mentions),
    mentions. Empty when the people module is not part of this installation."""
    try:
        from groundswell.analyze.people_mentions import PRIVATE, extract_mentions
    except ImportError:
        return []
    rank = {"accused": 0, "accuser": 1, "commentator": 2}
    merged: dict[tuple[str, int], dict[str, Any]] = {}
    for i, m in enumerate(extract_mentions(text, mask_private=False)):
        public = bool(m.get("public"))
        key = (m["canonical"], 0) if public else (m["canonical"].casefold(), 1)
        entry = merged.setdefault(
            key,
            {
                "name": m["canonical"] if public else PRIVATE,
                "role": m["role"],
                "mentions": 0,
                "public": public,
                "_first": i,
            },
        )
        entry["mentions"] += 1
        if rank.get(m["role"], 2) < rank.get(entry["role"], 2):
            entry["role"] = m["role"]
    out = sorted(merged.values(), key=lambda e: e.pop("_first"))
    return out


def _claims(
    scored: list[ScoredSentence], min_base: float = 0.8
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Claims made or reported (each with its strongest sentence), and claims rebutted."""
    made: dict[str, dict[str, Any]] = {}
    rebutted: dict[str, dict[str, Any]] = {}
    # each entry's sentence_indices as a set too: a list's "in" made 40,000 sentences quadratic
    seen: dict[tuple[bool, str], set[int]] = {}
    for sent in scored:
        if sent.index < 0:
            continue
        for ev in sent.evidence:
            if ev.claim is None:
                continue
            weight = ev.strength
            table = rebutted if ev.mode == "rebutted" else made
            entry = table.setdefault(
                ev.claim,
                {
                    "claim": ev.claim,
                    "polarity": SIDE.get(CLAIM_POLARITY[ev.claim], "none"),
                    "sentence": sent.text,
                    "sentence_index": sent.index,
                    "phrase": ev.phrase,
                    "mode": ev.mode,
                    "weight": 0.0,
                    "sentence_indices": [],
                    "_base": 0.0,
                    "_best": -1.0,
                },
            )
            entry["weight"] = round(entry["weight"] + weight, 3)
            entry["_base"] = max(entry["_base"], ev.base)
            indices = seen.setdefault((table is rebutted, ev.claim), set())
            if sent.index not in indices:
                indices.add(sent.index)
                entry["sentence_indices"].append(sent.index)
            if weight > entry["_best"]:
                entry.update(
                    sentence=sent.text,
                    sentence_index=sent.index,
                    phrase=ev.phrase,
                    mode=ev.mode,
                    _best=weight,
                )
    out = []
    for table in (made, rebutted):
        rows = [
            e
            for e in table.values()
            if (e.pop("_best") or True)
            and (e.pop("_base") >= min_base or len(e["sentence_indices"]) >= 3)
        ]
        rows.sort(key=lambda e: (-e["weight"], CLAIMS.index(e["claim"])))
        out.append(rows)
    return out[0], out[1]


def _stance_sentences(scored: list[ScoredSentence], stance: str | None, k: int) -> list[dict]:
    def row(s: ScoredSentence, side: str) -> dict[str, Any]:
        key = "supportive" if side == "supportive" else "critical"
        return {
            "sentence": s.text,
            "sentence_index": s.index,
            "side": side,
            "weight": round(
                getattr(s, key) - getattr(s, "critical" if key == "supportive" else "supportive"), 3
            ),
            "cues": [e.phrase for e in s.evidence if getattr(e, key) > 0],
        }

    body = [s for s in scored if s.index >= 0]
    sides = {"supportive": ["supportive"], "critical": ["critical"]}.get(
        stance or "", ["supportive", "critical"]
    )
    per_side = k if len(sides) == 1 else max(1, (k + 1) // 2)
    out = []
    for side in sides:
        rows = [row(s, side) for s in body]
        rows = [r for r in rows if r["weight"] > 0]
        rows.sort(key=lambda r: -r["weight"])
        out.extend(rows[:per_side])
    return out


def score_article(article: Article, params: ArticleParams) -> list[ScoredSentence]:
    """The title (index -1, when it is not the text's opening) and every body sentence, scored
    by the lexicon with its position factor (title, closing paragraph, conceded)."""
    sentences = split_sentences(article.text)
    last_paragraph = sentences[-1].paragraph if sentences else 0
    scored = []
    shown = article.title.rstrip("\u2026").strip()  # a title made from the first sentence
    if shown and not article.text.startswith(shown):
        scored.append(score_sentence(article.title, -1, params, params.title_weight))
    firsts = {s.paragraph: s for s in reversed(sentences)}  # each paragraph's first sentence
    turning_paragraphs = {p for p, s in firsts.items() if p > 0 and turns(s.text)}
    previous = ""
    for i, s in enumerate(sentences):
        factor = params.closing_weight if s.paragraph == last_paragraph and s.paragraph > 0 else 1.0
        after = sentences[i + 1] if i + 1 < len(sentences) else None
        if after is not None and turns(after.text):
            factor *= params.conceded_weight  # "X. But Y.": X is conceded
        elif s.paragraph + 1 in turning_paragraphs:
            factor *= params.conceded_weight  # a paragraph that the next one answers "But ..."
        scored.append(score_sentence(s.text, s.index, params, factor, previous))
        previous = s.text
    return scored


def _decide(
    sup: float,
    cri: float,
    min_evidence: float,
    mixed_share: float,
    mixed_weight: float,
    critical_share: float = 0.5,
) -> tuple[str | None, float]:
    """none / mixed / one side, from the two sides' weighted evidence: ``critical`` when the
    critical side's share of the evidence exceeds ``critical_share``."""
    total = sup + cri
    minority = min(sup, cri) / total if total else 0.0
    if total < min_evidence:
        return None, minority
    if minority >= mixed_share and min(sup, cri) >= mixed_weight:
        return "mixed", minority
    return ("critical" if cri > critical_share * total else "supportive"), minority


def lexicon_stance(scored: list[ScoredSentence], params: ArticleParams) -> tuple[str | None, float]:
    """The article's stance from the lexicon's evidence alone (``_decide`` with its thresholds)."""
    return _decide(
        sum(s.supportive for s in scored),
        sum(s.critical for s in scored),
        params.min_evidence,
        params.mixed_min_share,
        params.mixed_min_weight,
    )


def model_sides(
    scored: list[ScoredSentence],
    model: SentenceStanceModel,
    probs: np.ndarray | None = None,
    lexicon_weight: float = 0.0,
) -> list[ScoredSentence]:
    """The scored sentences with each side's weight replaced by the model's probability for it
    times the sentence's position factor (title, closing paragraph, conceded), plus
    ``lexicon_weight`` times the lexicon's own weight for that side."""
    probs = model.proba(scored) if probs is None else probs
    return [
        msgspec.structs.replace(
            s,
            supportive=round(float(p[0]) * s.factor + lexicon_weight * s.supportive, 4),
            critical=round(float(p[1]) * s.factor + lexicon_weight * s.critical, 4),
        )
        for s, p in zip(scored, probs, strict=True)
    ]


def model_stance(
    scored: list[ScoredSentence], model: SentenceStanceModel, params: ArticleParams
) -> tuple[str | None, float, list[ScoredSentence]]:
    """The article's stance from the sentence model: none when no sentence takes a side (its
    most probable label is ``none`` for every sentence), else decided from the two sides'
    summed probabilities (``_decide`` with the ``model_*`` thresholds)."""
    probs = model.proba(scored)
    sides = model_sides(scored, model, probs, params.model_lexicon_weight)
    if not len(probs) or not (probs.argmax(axis=1) < 2).any():
        return None, 0.0, sides
    stance, minority = _decide(
        sum(s.supportive for s in sides),
        sum(s.critical for s in sides),
        params.model_min_evidence,
        params.model_mixed_share,
        params.model_mixed_weight,
        params.model_critical_share,
    )
    return stance, minority, sides


def _criticisms(sides: list[ScoredSentence]) -> list[dict[str, Any]]:
    """The sentences a supportive article criticises the movement in, with the claims (of
    critical polarity) the lexicon finds in them: the named criticism."""
    out = []
    for s in sides:
        if s.index < 0 or s.critical < 0.5 * s.factor or s.critical <= s.supportive:
            continue
        claims = sorted(
            {
                e.claim
                for e in s.evidence
                if e.claim and CLAIM_POLARITY[e.claim] < 0 and e.mode != "rebutted"
            }
        )
        out.append({"sentence": s.text, "sentence_index": s.index, "claims": claims})
    return out


def analyze_article(
    article: Article | str,
    *,
    title: str = "",
    params: ArticleParams | None = None,
    method: str = "auto",
) -> ArticleAnalysis:
    """Stance, claims, people and hashtags of one article (an Article or its plain text).

    ``method``: ``model`` (the sentence model learned from real op-eds), ``lexicon`` (the
    phrase lexicon alone), or ``auto`` (the model when this installation ships it)."""
    if method not in ("auto", "model", "lexicon"):
        raise InputError(f"unknown article method {method!r}; use auto, model or lexicon")
    params = params or ArticleParams()
    if isinstance(article, str):
        from groundswell.ingest.article import article_id

        article = Article(id=article_id(title, article), title=title, text=article)
    scored = score_article(article, params)
    model = shipped_model() if method in ("auto", "model") else None
    if method == "model" and model is None:
        raise InputError("this installation ships no article stance model; use method='lexicon'")
    if model is not None:
        stance, minority, sides = model_stance(scored, model, params)
        sup = sum(s.supportive for s in sides)
        cri = sum(s.critical for s in sides)
        used = f"model article_stance {model.version}"
    else:
        sides = scored
        sup = sum(s.supportive for s in scored)
        cri = sum(s.critical for s in scored)
        stance, minority = lexicon_stance(scored, params)
        used = "lexicon"
    claims, rebutted = _claims(scored)
    return ArticleAnalysis(
        id=article.id,
        title=article.title,
        source_file=article.source_file,
        stance=stance,
        method=used,
        scores={
            "supportive": round(sup, 3),
            "critical": round(cri, 3),
            "minority_share": round(minority, 3),
            "evidence": round(sup + cri, 3),
        },
        stance_sentences=(_stance_sentences(sides, stance, params.top_sentences) if stance else []),
        criticisms=_criticisms(sides) if stance == "supportive" and model is not None else [],
        claims=claims,
        rebutted=rebutted,
        people=_people(article.text),
        hashtags=hashtags_in_text(f"{article.title}\n{article.text}"),
        sentences=sum(1 for s in scored if s.index >= 0),
    )


def analyze_files(
    paths: list[str], params: ArticleParams | None = None, method: str = "auto"
) -> tuple[list[ArticleAnalysis], list[Quarantined]]:
    """Read .txt/.md/.html articles with the article reader and analyse each; unreadable files
    come back as Quarantined records. Raises InputError when a path does not exist."""
    import os

    from groundswell.ingest import iter_records

    for p in paths:  # else the reader's open failure read "truncated or corrupt none stream"
        if not os.path.exists(p):
            raise InputError(f"{os.fspath(p)}: no such file or directory")
    done: list[ArticleAnalysis] = []
    failed: list[Quarantined] = []
    for rec in iter_records(paths, fmt="article"):
        if isinstance(rec, Article):
            done.append(analyze_article(rec, params=params, method=method))
        elif isinstance(rec, Quarantined):
            failed.append(rec)
    return done, failed


class ArticleStance(Analysis):
    """Stance and claims of every article in the store; per-article rows in ``article_analysis``."""

    name = "articles"
    title = "Long-form articles: stance and claims"
    version = "2"
    requires = ("articles",)
    produces = ("article_analysis",)
    params_class = ArticleParams

    def compute(self, store: Any) -> pd.DataFrame:
        con = store.con
        columns = [
            "id",
            "title",
            "stance",
            "supportive",
            "critical",
            "claims",
            "hashtags",
            "key_sentence",
        ]
        have = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'articles'"
        ).fetchone()[0]
        if not have:
            return pd.DataFrame(columns=columns)
        rows = con.execute(
            "SELECT id, title, text, source_file FROM articles ORDER BY created_at NULLS LAST, id"
        ).fetchall()
        results = [
            analyze_article(
                Article(id=i, title=t or "", text=x, source_file=f or ""), params=self.params
            )
            for i, t, x, f in rows
        ]
        if results and not getattr(store, "read_only", True):
            _write(con, results)
        return pd.DataFrame(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "stance": r.stance,
                    "supportive": r.scores["supportive"],
                    "critical": r.scores["critical"],
                    "claims": ", ".join(c["claim"] for c in r.claims),
                    "hashtags": " ".join(r.hashtags),
                    "key_sentence": r.stance_sentences[0]["sentence"] if r.stance_sentences else "",
                }
                for r in results
            ],
            columns=columns,
        )

    def render(self, frame: pd.DataFrame) -> str:
        from groundswell.care.names import fit_to_show

        frame = frame.drop(columns=["id"]).copy()
        for col in ("title", "key_sentence"):
            frame[col] = frame[col].map(lambda v: fit_to_show(str(v or "")))
        return super().render(frame) + f"<p>{html.escape(method_quality())}</p>"


def method_quality() -> str:
    """One sentence naming the stance method and its measured quality on real op-eds."""
    model = shipped_model()
    if model is None:
        return "Stance by the phrase lexicon alone (no sentence model in this installation)."
    ev = model.meta.get("evaluation", {})
    nan = float("nan")
    art, lex = ev.get("articles", {}), ev.get("articles_lexicon", {})
    return (
        f"Stance by the sentence model article_stance {model.version} with the phrase lexicon, "
        f"measured on {ev.get('test_articles', '?')} real op-eds it was not tuned on: accuracy "
        f"{art.get('accuracy', nan):.2f}, macro-F1 {art.get('macro_f1', nan):.2f} "
        f"(the lexicon alone: {lex.get('accuracy', nan):.2f} and "
        f"{lex.get('macro_f1', nan):.2f}); it finds few critical op-eds, so read the "
        "sentences it gives as evidence."
    )


def _write(con: Any, results: list[ArticleAnalysis]) -> None:
    """Upsert the per-article rows of ``article_analysis``."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS article_analysis (id VARCHAR PRIMARY KEY, stance VARCHAR, "
        "scores JSON, claims JSON, people JSON, hashtags VARCHAR[])"
    )
    enc = msgspec.json.encode
    con.executemany("DELETE FROM article_analysis WHERE id = ?", [[r.id] for r in results])
    con.executemany(
        "INSERT INTO article_analysis VALUES (?, ?, ?, ?, ?, ?)",
        [
            [
                r.id,
                r.stance,
                enc(r.scores).decode(),
                enc(r.claims).decode(),
                enc(r.people).decode(),
                r.hashtags,
            ]
            for r in results
        ],
    )
