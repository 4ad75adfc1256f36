"""Mask emails, phone numbers, street addresses and @handles in text before it is shown or
exported."""

from __future__ import annotations

import re
import unicodedata

from groundswell.care.links import mask_link_ids

# starts only where a run of address characters starts: tried from every character of a long
# run without "@" (a 3 MB word, a row of digits), the match took quadratic time (hours). The
# local part may be percent-encoded (jane%2Broe), and so may the "@" (%40, in a link's query),
# but never ends in an encoded "/": that is a profile link's "/@" (tiktok.com%2F%40jane.roe);
# the "@" may be full-width (jane＠example.com)
_EMAIL = re.compile(
    r"(?<![\w.+%-])(?:[\w.+-]|%[0-9A-Fa-f]{2})+(?<!%2F)(?<!%2f)(?:[@＠]|%40)[\w-]+(?:\.[\w-]+)+",
)
# written with spaces around the "@" (jane @ example.com, jane @example.com, jane@ example.com):
# an e-mail only when the right side is a domain, dotted labels ending in a plausible top-level
# domain (two letters, a country's, or a common generic one; all lower or all upper case), so
# "meet @ 5pm", "see you @ the park", "me @ work" and "hi @handle" stay. A Bluesky handle
# (@jane.bsky.social) is no address: it stays for the mention masking. One to three spaces
# (a tab, a no-break space) on either side; the local part starts where a run starts (linear).
_TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|name|pro|mobi|aero|coop|asia|jobs|museum|travel|"
    "app|dev|page|online|site|website|xyz|email|mail|social|club|shop|store|tech|blog|news|"
    "live|life|world|space|cloud|media|agency|studio|design|art|law|legal|health|family"
)
_SPACE = r"[ \t\u00a0]{1,3}"
_EMAIL_SPACED = re.compile(
    rf"(?<![\w.+%-])[\w.+-]+(?:{_SPACE}[@＠](?:{_SPACE})?|[@＠]{_SPACE})"
    r"(?![\w.-]*\.bsky\.social(?![\w-]|\.[^\W_]))"
    rf"(?:[^\W_][\w-]*\.)+(?:[a-z]{{2}}|[A-Z]{{2}}|(?:{_TLDS})|(?:{_TLDS.upper()}))"
    r"(?![\w-])"
)
# written to dodge harvesters: jane(at)example(dot)com, jane [at] example [dot] org
_EMAIL_DODGED = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]+ ?[(\[{] ?at ?[)\]}] ?[\w-]+"
    r"(?:(?: ?[(\[{] ?dot ?[)\]}] ?|\.)[\w-]+)+"
)

# -- phone numbers ----------------------------------------------------------------------------
# A number is a phone only in a phone's shape: international (+ or 00 and a country code, or
# %2B in a link), North American (3-3-4 digits, or 10 digits as the numbering plan allows
# them), local (555-0199, 9123 4567), a bracketed two-digit area code ((11) 98765-4321), or
# national with a leading 0 (07700 900123, 06 12 34 56 78,
# 030/1234567, (020) 7946 0958) in groups kept apart by one kind of separator. Years, counts
# (1,000,000; 100.000; 1 000 000), dates (2017-10-15, 15.10.2017), times, money and ids inside
# links (after "/", "-", "." or a letter) are not.
_SEP = r"(?:[ \u00a0.\-]|%20)"
# a character at a time (digits, one separator before a digit or "(", a parenthesised group):
# groups of any size, and no two ways to read a long row of digits (no backtracking blow-up)
# (one or two spaces after a bracketed area code: +55 (11)  98765-4321)
_INTERNATIONAL = (
    r"(?:\+|%2[Bb]|(?<!\d)00)[1-9]"
    rf"(?:\d|{_SEP}(?=[\d(])|\((?=\d{{1,5}}\))|(?<=\d)\)(?:[ \u00a0](?=[ \u00a0]\d))?)*"
)
_NORTH_AMERICAN = (
    rf"(?:1{_SEP}?)?(?:\(\d{{3}}\){_SEP}?|\d{{3}}{_SEP})\d{{3}}{_SEP}\d{{4}}"
    r"|1?[2-9]\d{2}[2-9]\d{6}"
)
# local numbers without an area code: 555-0199, 8 digits as 4-4 with a space (9123 4567,
# as in Singapore and Hong Kong; never a year: those start with 1 or 2), and an Indian mobile's
# 10 digits as 5-5 (98765 43210: its first digit is 6-9)
_LOCAL = r"[2-9]\d{2}-\d{4}|[3-9]\d{3}[ \u00a0]\d{4}|[6-9]\d{4}[ \u00a0]\d{5}"
# a two-digit area code in brackets (and up to two spaces), then a mobile's 9 and 4 digits (the
# 9 may stand apart before 6-9) or 8 digits (Brazil: (11) 98765-4321, (11) 9 8765-4321,
# (21) 3456-7890, (21) 8765-4321); the 8 never start 1 or 20, so "(15) 2017-2018" is kept
_AREA = (
    r"\(\d{2}\)[ \u00a0]{0,2}(?:9[ \u00a0][6-9]\d{3}|9\d{4}|[3-9]\d{3}|2[1-9]\d{2})"
    r"[-. \u00a0]?\d{4}"
)
_NATIONAL = (
    r"0[1-9]\d{8,10}"
    r"|0[1-9]\d{0,4}(?P<sep>[ \u00a0./\-]|%20)\d{2,8}(?:(?P=sep)\d{2,8}){0,4}"
    rf"|\(0\d{{1,4}}\){_SEP}?\d{{2,8}}(?:{_SEP}\d{{2,8}}){{0,3}}"
)
# a "+" number may also follow a word or a sign (Tel.+14155550199, WhatsApp/+44..., Ph+44...)
_PHONE = re.compile(
    r"(?:(?<=%20)|(?<![\w/#@$£€¥.+%-])|(?<![\d+])(?=\+))"
    rf"(?:{_INTERNATIONAL}|{_NORTH_AMERICAN}|{_NATIONAL}|{_AREA}|{_LOCAL})"
    r"(?![\w/@]|[.,]\d)"
)
# a phone link's number (tel:, sms:, callto:) whatever its shape, and WhatsApp's wa.me/<number>
_PHONE_LINK = re.compile(
    r"(?i)(\b(?:tel|sms|callto):|\bwa\.me/)(?:\+|%2[Bb])?[\d(](?:[\d().\-/]|%[0-9A-Fa-f]{2})*"
)

_ENCODED = re.compile(r"%2[0Bb]")  # a link's encoded space and "+", no digits of the number
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a digit of another script (Arabic-Indic ٩٧١ ...)

_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl)\b\.?"
)
# a whole @handle, not the "@" of an e-mail address: dotted and hyphenated names, domain
# handles (@jane-doe.bsky.social) and fediverse addresses (@user@instance.example), without a
# sentence's trailing dot or hyphen; group 1 is the handle without its "@" (or the full-width
# "＠" that Twitter also reads as a mention)
_PART = r"\w(?:[\w.-]*\w)?"
MENTION = re.compile(rf"(?<![\w@＠])[@＠]({_PART}(?:[@＠]{_PART})?)")


def _phone(match: re.Match[str]) -> str:
    """``[phone]``, or the match itself when it has too few digits to be one: 8 for an
    international number (+1 000 000 is a count), 9 for a national one with a leading 0
    (05.10.2017 is a date)."""
    found = match.group(0)
    if found.startswith(("+", "%2", "00")):
        least = 8
    elif found.lstrip("(").startswith("0"):
        least = 9
    else:
        return "[phone]"
    digits = sum(c.isdigit() for c in _ENCODED.sub("", found))
    return "[phone]" if digits >= least else found


def mask_phones(text: str) -> str:
    """Replace phone numbers (``_PHONE``'s shapes, also in another script's digits, and the
    number of a ``tel:`` link) by ``[phone]``."""
    if not text:
        return text
    if ":" in text or "wa.me" in text:
        text = _PHONE_LINK.sub(lambda m: m.group(1) + "[phone]", text)
    if text.isascii():
        return _PHONE.sub(_phone, text)
    # read with ASCII digits, one for one, so each match's place is the same in ``text``
    digits = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group(0))), text)
    if digits == text:
        return _PHONE.sub(_phone, text)
    parts, end = [], 0
    for m in _PHONE.finditer(digits):
        if _phone(m) != m.group(0):
            parts += (text[end : m.start()], "[phone]")
            end = m.end()
    parts.append(text[end:])
    return "".join(parts)


def mask_spaced_emails(text: str) -> str:
    """Replace e-mail addresses written with spaces around the "@" (``jane @ example.com``,
    ``jane @example.com``, ``jane@ example.com``) by ``[email]``.

    The rule: a run of address characters, one to three spaces (or tabs, no-break spaces)
    before or after the "@" (or full-width "＠"), then a domain: dotted labels whose last is a
    plausible top-level domain, two letters (a country's) or a common generic one (``com``,
    ``org``, ``net``, ``info``, ``social`` ...), in lower or in upper case. Without that right
    side it is no address: "meet @ 5pm", "see you @ the park", "me @ work" and "hi @handle"
    are kept. A Bluesky handle (``hi @jane.bsky.social``) is kept for the mention masking; a
    handle on its own domain (``by @nytimes.com``) cannot be told from an address and reads
    ``[email]`` with the word before it."""
    if not text or ("@" not in text and "＠" not in text):
        return text
    return _EMAIL_SPACED.sub("[email]", text)


def mask_emails(text: str) -> str:
    """Replace e-mail addresses, also percent-encoded (``jane%40example.org``), written as
    ``jane(at)example(dot)com`` and with spaces around the "@" (``jane @ example.com``: see
    ``mask_spaced_emails`` for when that is an address), by ``[email]``."""
    if not text:
        return text
    text = mask_spaced_emails(_EMAIL.sub("[email]", text))
    if "at" in text.lower():
        text = _EMAIL_DODGED.sub("[email]", text)
    return text


def mask_text(text: str) -> str:
    """Replace emails, phones and street addresses by ``[email]``, ``[phone]``, ``[address]``;
    also inside links (``mailto:``, ``tel:``, a query's ``email=jane%40example.org``)."""
    if not text:
        return text
    text = mask_emails(text)
    text = _ADDRESS.sub("[address]", text)
    return mask_phones(text)


def mask_handles(text: str) -> str:
    """Replace every @handle by ``@[account]`` (run ``mask_text`` first: e-mails stay whole)."""
    return MENTION.sub("@[account]", text) if "@" in text or "＠" in text else text


def mask_accounts(text: str) -> str:
    """Accounts in text as pages and the terminal show them: each one named in a link (a
    twitter/x, fediverse, Bluesky or reddit profile or status link, ``u/name``, a DID;
    ``care.links``) and every @handle replaced by ``[account]``, tracking parameters dropped
    (run ``mask_text`` first)."""
    if not text:
        return text
    return mask_handles(mask_link_ids(text))
