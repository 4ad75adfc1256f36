"""Accounts named inside links and ids, found once for every place that writes or shows them.

Exports replace each by a keyed pseudonym (``care.pseudonym.pseudonymise_ids``); pages and the
terminal replace it by ``[account]`` (``mask_link_ids``), as they show every @handle as
``@[account]``. Both drop tracking parameters, which name the sharing account.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ACCOUNT = "[account]"

_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]+")
# handles inside links: fediverse users, twitter/x profiles and statuses (and intent links by
# screen_name or user_id), Bluesky-client profiles, reddit users (also written bare in text as
# u/name; twitter's i/user/<id> is found as such), and Instagram, Facebook, YouTube, TikTok,
# Threads and LinkedIn profiles
HANDLE_IN_LINK: tuple[tuple[str, re.Pattern[str]], ...] = (
    # the link's path never runs past the next link (a text of "http://" repeated 150,000
    # times took each start to the end of the run: quadratic, hours)
    (
        "mastodon",
        re.compile(r"(https?://(?:(?!https?://)[^\s\"])+?/(?:users/|@))([A-Za-z0-9_.-]+)"),
    ),
    # not the "x.com/" that ends dropbox.com/ or netflix.com/
    (
        "twitter",
        re.compile(
            r"(?i)((?<![\w-])(?:twitter|x)\.com/)(?!i/|intent/|hashtag/|search)(\w{1,15})\b"
        ),
    ),
    ("twitter", re.compile(r"(?i)((?:twitter|x)\.com/[^\s\"]*?[?&](?:screen_name|user_id)=)(\w+)")),
    ("bluesky", re.compile(r"(/profile/|/starter-pack/)([A-Za-z0-9._:-]+)")),
    ("reddit", re.compile(r"(?i)((?:^|[\s/(])u(?:ser)?/)([A-Za-z0-9_-]{3,20})")),
    # profiles on other platforms, written with or without https:// (not their posts, reels,
    # groups, pages of their own or help pages, whose paths name no person)
    (
        "instagram",
        re.compile(
            r"(?i)((?<![\w-])(?:instagr\.am|instagram\.com)/(?:stories/)?)"
            r"(?!(?:p|reels?|tv|explore|accounts|about|direct|developer|legal|web|stories)\b)"
            r"([A-Za-z0-9_.]{0,29}[A-Za-z0-9_])"  # a name never ends in a dot
        ),
    ),
    (
        "facebook",
        re.compile(
            r"(?i)((?<![\w-])(?:facebook|fb)\.com/)(?!(?:groups|pages|events|watch|hashtag|"
            r"sharer|share|story\.php|permalink\.php|photo|photos|login|help|policies|privacy|"
            r"marketplace|gaming|ads|business|notes|media|video|videos|reel|reels|dialog|plugins|"
            r"l\.php|profile\.php|home\.php|search|settings|messages|notifications|stories|"
            r"legal|about|fundraisers|live|people)\b)([A-Za-z0-9.]{4,49}[A-Za-z0-9])"
        ),
    ),
    ("facebook", re.compile(r"(?i)((?:facebook|fb)\.com/profile\.php\?id=)(\d+)")),
    ("facebook", re.compile(r"(?i)((?:facebook|fb)\.com/people/)([^/\s\"?#]+/\d+)")),
    (
        "youtube",
        re.compile(r"(?i)((?<![\w-])youtube\.com/(?:@|user/|c/|channel/))([A-Za-z0-9_.-]{1,100})"),
    ),
    ("tiktok", re.compile(r"(?i)((?<![\w-])tiktok\.com/@)([A-Za-z0-9_.]{1,24})")),
    ("threads", re.compile(r"(?i)((?<![\w-])threads\.(?:net|com)/@)([A-Za-z0-9_.]{1,30})")),
    ("linkedin", re.compile(r"(?i)((?<![\w-])linkedin\.com/in/)([A-Za-z0-9_%-]{3,100})")),
)
# a keyed pseudonym already in place (``keyed_pseudonym``) is no account to replace
_PSEUDONYM = re.compile(r"u_[0-9a-f]{20}")
_TRACKING = re.compile(
    r"(?i)(?<=[?&])(?:utm_[a-z]+|hss_channel|fbclid|gclid|igshid|ref_src|ref_url)=[^&#\s\"]*&?"
)


def drop_tracking(value: str) -> str:
    """``value`` without tracking parameters (``utm_*``, ``fbclid``, ``ref_src`` ...) in its
    links; a ``?`` or ``&`` left with nothing after it goes too."""
    if "=" not in value:
        return value
    return re.sub(r"[?&](?=#|\s|\"|$)", "", _TRACKING.sub("", value))


def replace_ids(value: str, replace: Callable[[str, str], str]) -> str:
    """``value`` (a text, an id or a link) with tracking parameters dropped and every account
    named in a link replaced by ``replace(kind, name)``: ``kind`` is ``"did"`` for a Bluesky
    DID, else the platform whose link names it (``mastodon``, ``twitter``, ``bluesky``,
    ``reddit``, ``instagram``, ``facebook``, ``youtube``, ``tiktok``, ``threads``,
    ``linkedin``). Keyed pseudonyms (``u_`` and 20 hex digits) are left as they are."""
    if not value:
        return value
    value = drop_tracking(value)
    if "did:" in value:
        value = _DID.sub(lambda m: replace("did", m.group(0)), value)
    for kind, pattern in HANDLE_IN_LINK:
        value = pattern.sub(
            lambda m, k=kind: (
                m.group(1)
                + (m.group(2) if _PSEUDONYM.fullmatch(m.group(2)) else replace(k, m.group(2)))
            ),
            value,
        )
    return value


def mask_link_ids(value: str) -> str:
    """``value`` as a page shows it: each account named in a link (``replace_ids``) is
    ``[account]`` and tracking parameters are dropped."""
    return replace_ids(value, lambda _kind, _name: ACCOUNT)
