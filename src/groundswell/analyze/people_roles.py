"""The role of a person in a text (CODEBOOK section 3): accused, accuser or commentator.

Rule-based: cue words right after the mention ("X resigns", "X came forward", "X's accusers")
or right before it ("allegations against X", "I believe X"), within its sentence. Each cue has
a strength; the strongest side wins, a tie between roles or no cue gives ``commentator``.
"""

from __future__ import annotations

import re

ROLES = ("accused", "accuser", "commentator")

# an accusation in the sentence: what lets "X says" make X an accuser. The movement's own tag
# ("#MeToo", "me too") or the word "story" is not one: "X said #MeToo is changing Hollywood" is
# comment, not an accusation (issue 9)
_HARM = re.compile(  # matched against lower-cased text (faster than re.I)
    r"harass|assault|\brap(?:e|ed|es|ist|ing)\b|abus|grop|molest|accus|alleg|"
    r"misconduct|survivor|predator|sexual|came forward"
)
# after the mention: other names joined to it ("X and Y say ..."), then commas and spaces
_LEAD = (
    r"^(?:(?:\s*,|\s+and|\s*&)\s+(?-i:[A-Z][\w'’.-]*)(?:\s+(?-i:[A-Z][\w'’.-]*)){0,2})*"
    r"[\s,]*"
)
_AUX = (
    r"(?:(?:who|has|have|had|is|was|were|been|being|got|gets|allegedly|reportedly|now|also|"
    r"just|finally|publicly|openly|first|then|and|herself|himself|will|would|could|should|"
    r"must|may|might|to|did|does|agreed to|set to|has to|plans to|all|both)\s+){0,4}"
)
_PASSIVE = (
    r"(?:(?:who|is|was|were|has been|had been|have been|being|been|now|also|allegedly|"
    r"reportedly|publicly)\s+)+"
)
_HARM_VERBS = (
    r"harass\w*|sexually\s+\w+|assault\w*|grop\w*|rap(?:ed|es|ing)\b|abus\w*|molest\w*|"
    r"exposed (?:him|her)self|covered (?:it )?up|cover(?:s|ing)? (?:it )?up|masturbat\w*|"
    r"forced (?:him|her|them|me)|kissed|pinned|propositioned|"
    r"made (?:a |an |unwanted )*(?:sexual )?(?:advances?|pass)"
)
_SANCTIONS = (
    r"accused|charged|convicted|arrested|sentenced|indicted|fired|ousted|suspended|sued|"
    r"expelled|jailed|removed|named"
)
# (role, strength, pattern) matched at the start of the text right after the mention
_RIGHT: list[tuple[str, int, re.Pattern[str]]] = [
    # "X is a monster", "X, a serial predator,": named as the one who did it
    (
        "accused",
        2,
        re.compile(
            r"^\s*(?:is|was|,)\s+(?:a|an|the)\s+(?:\w+\s+)?"
            r"(?:monster|predator|abuser|rapist|harasser|molester|creep)\b",
            re.I,
        ),
    ),
    (
        "accuser",
        2,
        re.compile(
            _LEAD + _AUX + r"(?:harassed|assaulted|abused|groped|raped|molested|"
            r"attacked|targeted|victimi[sz]ed)\s+by\b",
            re.I,
        ),
    ),
    ("accused", 2, re.compile(_LEAD + _PASSIVE + r"(?:" + _SANCTIONS + r")\b", re.I)),
    ("accused", 2, re.compile(r"^[\s,]*accused\s*(?:of|by|in|after|over|,|:)", re.I)),
    (
        "accuser",
        2,
        re.compile(
            _LEAD + _AUX + r"(?:accus(?:es|ed|ing)\s+(?-i:[A-Z@]|him\b|her\b|them\b)|"
            r"alleg(?:es|ed)|(?:came|comes|coming|come) forward|testif\w+|"
            r"(?:spoke|speaks|speaking) (?:out|up)|confront\w*|"
            r"(?:writes|wrote|opens up|opened up|talks|talked|speaks|spoke) about "
            r"(?:her|his|their) (?:experience|story|assault|abuse|encounter|ordeal)|"
            r"(?:told|tells|shared|shares|sharing|recalls|recalled|describes|described) "
            r"(?:her|his|their|my) (?:story|experience)|recount\w*|filed (?:a )?(?:complaint|"
            r"lawsuit|suit|police report)|went public|goes public)",
            re.I,
        ),
    ),
    (
        "accused",
        2,
        re.compile(
            _LEAD + _AUX + r"(?:" + _HARM_VERBS + r"|resign\w*|stepp?(?:ed|s|ing)? down|"
            r"denie[sd]|deny|denying|apologi[sz]\w*|fired (?:from|after|over|for)|settled|"
            r"(?:faces|facing) (?:allegations|accusations|charges|claims|a lawsuit)|"
            r"out (?:at|as|from)|held (?:to account|accountable|responsible)|"
            r"brought down|taken down|" + _SANCTIONS + r")\b",
            re.I,
        ),
    ),
    (
        "accused",
        2,
        re.compile(
            r"^\.?['’]s\s+(?:\w+\s+)?(?:accusers?|victims?|trial|conviction|arrest|sentenc\w+|"
            r"abuse|misconduct|crimes?|behaviou?r|resignation|firing|downfall|harassment|"
            r"assaults?|denials?|apology)\b",
            re.I,
        ),
    ),
    (
        "accuser",
        2,
        re.compile(
            r"^\.?['’]s\s+(?:\w+\s+)?(?:testimony|story|account|allegations?|accusations?|lawsuit|"
            r"complaint|op-ed|essay|revelations?|courage|hearing)\b",
            re.I,
        ),
    ),
    (
        "accuser",
        2,
        re.compile(
            r"^\s*,\s*(?:(?:one|another) of (?:the )?(?:\w+['’]s )?(?:accusers|women|victims|"
            r"survivors)|(?:an?|the) (?:\w+ )?(?:accuser|survivor|victim|whistle-?blower))",
            re.I,
        ),
    ),
    (
        "accuser",
        1,
        re.compile(_LEAD + r"(?:says|say|said|writes|wrote|tweeted|told|tells)\b", re.I),
    ),
]
# matched at the end of the text right before the mention
_LEFT: list[tuple[str, int, re.Pattern[str]]] = [
    (
        "accused",
        2,
        re.compile(
            r"(?:(?:allegations?|accusations?|claims?|complaints?|charges?|lawsuits?|suits?|cases?|"
            r"testimony|evidence|reports?)\s+(?:against|involving)|(?:trial|conviction|arrest|"
            r"firing|ouster|downfall|victims?|accusers?|survivors?)\s+of|\baccused|\baccuses|"
            r"\baccuse|\baccusing|(?:harassed|assaulted|abused|groped|raped|molested|attacked)\s+by|"
            r"\bfire[sd]?|\bfiring|\bousts?|\bousted|\bsuspend(?:s|ed)?|\barrest(?:s|ed)?|"
            r"\bconvict(?:s|ed)?|\bcharged|\bsue[sd]?|\bsuing|\binvestigat\w+|\bban(?:s|ned)|"
            r"\bexposed|\bexposing|\bdisgraced|\breported|\bout(?:ed|ing)|\bconfront\w*|"
            r"(?:alleged|serial|accused)\s+(?:abuser|predator|rapist|harasser|molester)|"
            r"\bpredator|\babuser|\brapist|\bharasser)\s*$",
            re.I,
        ),
    ),
    (
        "accuser",
        2,
        re.compile(
            r"(?:\baccusers?|\bsurvivors?|\bvictims?|whistle-?blower|#ibelieve\w*|#istandwith\w*|"
            r"\bbelieve|\bbelieves|\bbelieving|stands? with|standing with|testimony (?:of|from|by)|"
            r"(?:allegations?|accusations?|story|account) (?:by|from))\s*$",
            re.I,
        ),
    ),
    (
        "accuser",
        1,
        re.compile(r"(?:[,\"”'’]\s*(?:says|said|writes|wrote|tweeted)|according to)\s*$", re.I),
    ),
    # "#MeToo X" names the accused in headlines, but a stronger cue after X overrides it
    ("accused", 1, re.compile(r"#metoo\s*:?\s*$", re.I)),
]
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)[.!?]+(?=\s)|\n")
WINDOW = 100


def role_of(text: str, start: int, end: int) -> str:
    """The role of the mention ``text[start:end]``, from cue words in its sentence.

    Rules (first that matches, per side; then the stronger side wins):
    ``accused``: "allegations against X", "X was accused", "X accused of", "X harassed ...",
    "X made unwanted advances", "X resigns", "X will resign", "X denies", "fired X",
    "X's accusers", "victims of X", "confronted X", and, weakly, "#MeToo X";
    ``accuser``: "X accuses Y", "X came forward", "X's testimony", "X testified",
    "X was harassed by", "X, one of Y's accusers", "accuser X", "I believe X",
    "X confronted Y", "X writes about her experience", and, weakly, "X says/said" or
    '"...," said X' when the sentence speaks of harm or accusation (the tag #MeToo alone does
    not: "X said #MeToo is changing Hollywood" is comment); "X was held to account" is accused.
    Names joined to X ("X and Y say ...") share the cue after them. A weak cue counts only
    when no strong one matches.
    A tie between ``accused`` and ``accuser`` at the same strength, or no cue, is ``commentator``.
    """
    left = text[max(0, start - WINDOW) : start]
    cut = list(_SENTENCE_END.finditer(left))
    if cut:
        left = left[cut[-1].end() :]
    right = text[end : end + WINDOW]
    stop = _SENTENCE_END.search(right)
    if stop:
        right = right[: stop.start() + 1]
    harm = _HARM.search(left.lower()) is not None or _HARM.search(right.lower()) is not None
    found: dict[str, int] = {}
    # right cues are anchored at the mention (match); left cues end at it and span at most
    # three words, so only those are searched
    tail = " ".join(left.split()[-3:]) + (" " if left[-1:].isspace() else "")
    for side, patterns, test in ((right, _RIGHT, "match"), (tail, _LEFT, "search")):
        for role, strength, pattern in patterns:
            if strength == 1 and role == "accuser" and not harm:
                continue  # "X says" is an accuser only in a sentence that accuses
            if getattr(pattern, test)(side):
                found[role] = max(found.get(role, 0), strength)
                break
    if not found:
        return "commentator"
    best = max(found.values())
    roles = [r for r, s in found.items() if s == best]
    return roles[0] if len(roles) == 1 else "commentator"
