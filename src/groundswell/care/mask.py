"""Mask emails, phone numbers, street addresses and @handles in text before it is shown or
exported."""

from __future__ import annotations

import re

from groundswell.care.links import mask_link_ids

# starts only where a run of address characters starts: tried from every character of a long
# run without "@" (a 3 MB word, a row of digits), the match took quadratic time (hours)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?![\w/])"
)
# an @handle (Twitter, Bluesky, a fediverse @user@instance), not the "@" of an e-mail address
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.-]*(?:@[A-Za-z0-9_.-]+)?")
_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl)\b\.?"
)


def mask_text(text: str) -> str:
    """Replace emails, phones and street addresses by ``[email]``, ``[phone]``, ``[address]``."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _ADDRESS.sub("[address]", text)
    return _PHONE.sub("[phone]", text)


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
