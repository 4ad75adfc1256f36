"""Mask emails, phone numbers, street addresses and @handles in text before it is shown or
exported."""

from __future__ import annotations

import re

from groundswell.care.links import mask_link_ids

# starts only where a run of address characters starts: tried from every character of a long
# run without "@" (a 3 MB word, a row of digits), the match took quadratic time (hours). The
# local part may be percent-encoded (jane%2Broe), and so may the "@" (%40, in a link's query).
_EMAIL = re.compile(
    r"(?<![\w.+%-])(?:[\w.+-]|%[0-9A-Fa-f]{2})+(?:@|%40)[\w-]+(?:\.[\w-]+)+",
)
# written to dodge harvesters: jane(at)example(dot)com, jane [at] example [dot] org
_EMAIL_DODGED = re.compile(
    r"(?i)(?<![\w.+-])[\w.+-]+ ?[(\[{] ?at ?[)\]}] ?[\w-]+"
    r"(?:(?: ?[(\[{] ?dot ?[)\]}] ?|\.)[\w-]+)+"
)

_PHONE = re.compile(
    r"(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?![\w/])"
)
# a phone link's number (tel:, sms:, callto:) whatever its shape, and WhatsApp's wa.me/<number>
_PHONE_LINK = re.compile(
    r"(?i)(\b(?:tel|sms|callto):|\bwa\.me/)(?:\+|%2[Bb])?[\d(](?:[\d().\-/]|%[0-9A-Fa-f]{2})*"
)

_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl)\b\.?"
)
# an @handle (Twitter, Bluesky, a fediverse @user@instance), not the "@" of an e-mail address
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]*(?:@[A-Za-z0-9_.-]+)?")


def mask_phones(text: str) -> str:
    """Replace phone numbers (and the number of a ``tel:`` link) by ``[phone]``."""
    if not text:
        return text
    if ":" in text or "wa.me" in text:
        text = _PHONE_LINK.sub(lambda m: m.group(1) + "[phone]", text)
    return _PHONE.sub("[phone]", text)


def mask_emails(text: str) -> str:
    """Replace e-mail addresses, also percent-encoded (``jane%40example.org``) and written as
    ``jane(at)example(dot)com``, by ``[email]``."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
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
    return _HANDLE.sub("@[account]", text) if "@" in text else text


def mask_accounts(text: str) -> str:
    """Accounts in text as pages and the terminal show them: each one named in a link (a
    twitter/x, fediverse, Bluesky or reddit profile or status link, ``u/name``, a DID;
    ``care.links``) and every @handle replaced by ``[account]``, tracking parameters dropped
    (run ``mask_text`` first)."""
    if not text:
        return text
    return mask_handles(mask_link_ids(text))
