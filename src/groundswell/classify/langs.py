"""Cheap, offline language guess, so non-English posts are flagged rather than silently misread.

The post's own ``lang`` field wins when the platform gave one. Otherwise: the dominant script
(Devanagari, Arabic, CJK, ...) names the language; Latin-script text is told apart by stop words
(English, French, Spanish, Portuguese, Italian, German, Dutch, and romanised Hindi, common in
#MeTooIndia). Hashtags, mentions and links are ignored; too little text gives ``und``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

SUPPORTED = frozenset({"en", "und"})
_UNDEFINED = frozenset({"", "und", "qme", "qht", "qst", "zxx", "art", "qam", "qct", "qno"})

_STOP = {
    "en": "the and to of a in is it you that he was for on are with as i his they be at one have "
    "this from or had by not but what all were we when your can said there an my me she her "
    "so if no just about who been would do did has how our their them will its out up",
    "fr": "le la les des est et un une du en que qui dans pour pas sur au avec ce il elle je nous "
    "vous ils mais ou son sa ses ne plus par été cette moi tout aussi",
    "es": "el la los las de que y en un una por con para es no se su al lo como más pero sus le "
    "ya fue este ha sí porque esta entre cuando muy sin sobre también me yo hay nos",
    "pt": "o a os as de que e do da em um uma para com não é por mais dos das se na no ao foi eu "
    "ela ele também está são você isso muito",
    "it": "il lo la gli le di che e è un una per non con del della sono mi ho ma anche io si "
    "questo come più nel alla ha lei lui",
    "de": "der die das und ist nicht ein eine zu den mit von ich sie es auch auf für dem sich des "
    "wir ihr aber wie war hat mir mich",
    "nl": "de het een en van ik te dat die is niet op zijn met voor hij ze maar ook als aan er bij",
    "hi-Latn": "hai hain ki ke ka ko se ne nahi nahin kya aur bhi mein main ho tha thi toh yeh "
    "woh kuch sab apne apna kar karo ji hum tum aap unka uska bhai",
}
_STOP_LANGS: dict[str, tuple[str, ...]] = {}  # word -> the languages it is a stop word of
for _lang, _words in _STOP.items():
    for _w in set(_words.split()):
        _STOP_LANGS[_w] = (*_STOP_LANGS.get(_w, ()), _lang)
_WORD = re.compile(r"(?<![#@\w])[^\W\d_]+(?:'[^\W\d_]+)?")
_STRIP = re.compile(r"https?://\S+|[#@]\w+")
_SCRIPTS = (  # (unicode name prefix, language)
    ("DEVANAGARI", "hi"),
    ("ARABIC", "ar"),
    ("BENGALI", "bn"),
    ("TAMIL", "ta"),
    ("TELUGU", "te"),
    ("GUJARATI", "gu"),
    ("GURMUKHI", "pa"),
    ("KANNADA", "kn"),
    ("MALAYALAM", "ml"),
    ("CJK", "zh"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("CYRILLIC", "ru"),
    ("GREEK", "el"),
    ("HEBREW", "he"),
    ("THAI", "th"),
)


@functools.lru_cache(maxsize=65536)
def _script_of(ch: str) -> str | None:
    """The language of a non-ASCII letter's script (None for Latin and unlisted scripts)."""
    name = unicodedata.name(ch, "")
    for prefix, lang in _SCRIPTS:
        if name.startswith(prefix):
            return lang
    return None


def _script_language(text: str) -> str | None:
    """The language of the dominant non-Latin script, when non-Latin letters are the majority."""
    counts: dict[str, int] = {}  # languages in the order the text first uses them
    latin = 0
    for ch, k in Counter(text).items():  # distinct characters, in order of first use
        if not ch.isalpha():
            continue
        lang = None if ch.isascii() else _script_of(ch)
        if lang is None:
            latin += k  # ASCII or accented Latin letters
        else:
            counts[lang] = counts.get(lang, 0) + k
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    return lang if n > latin else None


def detect_language(text: str, lang: str | None = None) -> str:
    """A language code for ``text``: the platform's ``lang`` when given, else a guess."""
    if lang and lang.lower() not in _UNDEFINED:
        return lang.lower()
    body = _STRIP.sub(" ", text)
    if body.isascii():  # lower-casing ASCII keeps every character's class: lower once
        words = _WORD.findall(body.lower())
    else:
        script = _script_language(body)
        if script:
            return script
        words = [w.lower() for w in _WORD.findall(body)]
    if len(words) < 3:
        return "und"
    scores = dict.fromkeys(_STOP, 0)
    for langs in filter(None, map(_STOP_LANGS.get, words)):  # the stop words alone
        for k in langs:
            scores[k] += 1
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    if scores[best] == 0:
        return "und"
    if best != "en" and scores[best] <= scores["en"]:
        return "en"
    if best != "en" and scores[best] < 2:
        return "en" if scores["en"] else "und"
    return best


def is_supported(lang: str) -> bool:
    """Whether the models, trained on English, can be trusted for this language."""
    return lang in SUPPORTED or lang.startswith("en")
