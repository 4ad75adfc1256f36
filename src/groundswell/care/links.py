"""Accounts named inside links and ids, found once for every place that writes or shows them.

Exports replace each by a keyed pseudonym (``care.pseudonym.pseudonymise_ids``); pages and the
terminal replace it by ``[account]`` (``mask_link_ids``), as they show every @handle as
``@[account]``. Both drop tracking parameters, which name the sharing account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, unquote

ACCOUNT = "[account]"

_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]+")
# a link's "/", as browsers read it: "//", "/./" and "/../" are one "/" (instagram.com//jane)
_SLASH = r"/(?:\.{0,2}/)*"
# handles inside links: twitter/x profiles and statuses (and intent links by screen_name or
# user_id), Bluesky-client profiles, reddit users (also written bare in text as u/name or
# r/u_name; twitter's i/user/<id> is found as such), Instagram, Facebook, YouTube, TikTok,
# Threads and LinkedIn profiles, Telegram users and channels, and fediverse users (last: the
# /@name of a YouTube, TikTok or Threads link is that platform's). A name never takes a
# sentence's final dot.
HANDLE_IN_LINK: tuple[tuple[str, re.Pattern[str]], ...] = (
    # not the "x.com/" that ends dropbox.com/ or netflix.com/
    (
        "twitter",
        re.compile(
            rf"(?i)((?<![\w-])(?:twitter|x)\.com{_SLASH})(?!i/|intent/|hashtag/|search)(\w{{1,50}})\b"
        ),
    ),
    # (a short path, and parameters never past the next "?": a row of "twitter.com/a" without
    # one took each start to the end of the text, quadratic)
    (
        "twitter",
        re.compile(
            r"(?i)((?:twitter|x)\.com/[^\s\"?]{0,100}\?(?:[^\s\"#&?]*&)*(?:screen_name|user_id)=)"
            r"(\w+)"
        ),
    ),
    ("bluesky", re.compile(r"(/profile/|/starter-pack/)([A-Za-z0-9._:-]+)")),
    # after any character but a letter or digit (**u/name**, >u/name, "u/name"; not menu/item);
    # the patterns start at a literal character, which the search skips to (a lookbehind first
    # tried every position: twice as slow over 50,000 posts)
    ("reddit", re.compile(r"(?i)(u(?<![^\W_]u)(?:ser)?/)([A-Za-z0-9_-]{3,20})")),
    # a user's profile subreddit, r/u_<name>: the same account (r/u_ and its pseudonym)
    ("reddit", re.compile(r"(?i)(/u_)(?<![^\W_]r/u_)(?<=r/u_)([A-Za-z0-9_-]{3,20})")),
    # profiles on other platforms, written with or without https:// (not their posts, reels,
    # groups, pages of their own or help pages, whose paths name no person)
    (
        "instagram",
        re.compile(
            rf"(?i)((?<![\w-])(?:instagr\.am|instagram\.com){_SLASH}(?:stories{_SLASH})?)"
            r"(?!(?:p|reels?|tv|explore|accounts|about|direct|developer|legal|web|stories)\b)"
            r"([A-Za-z0-9_.]{0,29}[A-Za-z0-9_])"
        ),
    ),
    (
        "facebook",
        re.compile(
            rf"(?i)((?<![\w-])(?:facebook|fb)\.com{_SLASH})(?!(?:groups|pages|events|watch|"
            r"hashtag|sharer|share|story\.php|permalink\.php|photo|photos|login|help|policies|"
            r"privacy|marketplace|gaming|ads|business|notes|media|video|videos|reel|reels|"
            r"dialog|plugins|l\.php|profile\.php|home\.php|search|settings|messages|"
            r"notifications|stories|legal|about|fundraisers|live|people)\b)"
            r"([A-Za-z0-9.]{4,49}[A-Za-z0-9])"
        ),
    ),
    # the id may follow other parameters (profile.php?sk=about&id=...), never past the next "?"
    (
        "facebook",
        re.compile(rf"(?i)((?:facebook|fb)\.com{_SLASH}profile\.php\?(?:[^\s\"#&?]*&)*id=)(\d+)"),
    ),
    (
        "facebook",
        re.compile(rf"(?i)((?:facebook|fb)\.com{_SLASH}people{_SLASH})([^/\s\"?#]+/\d+)"),
    ),
    (
        "youtube",
        re.compile(
            rf"(?i)((?<![\w-])youtube\.com{_SLASH}(?:@|(?:user|c|channel){_SLASH}))"
            r"([A-Za-z0-9_.-]{0,99}[A-Za-z0-9_-])"
        ),
    ),
    (
        "tiktok",
        re.compile(rf"(?i)((?<![\w-])tiktok\.com{_SLASH}@)([A-Za-z0-9_.]{{0,23}}[A-Za-z0-9_])"),
    ),
    (
        "threads",
        re.compile(
            rf"(?i)((?<![\w-])threads\.(?:net|com){_SLASH}@)([A-Za-z0-9_.]{{0,29}}[A-Za-z0-9_])"
        ),
    ),
    # a profile (/in/jane-roe-12345) or an old public one, whose path after the name is part
    # of the id (/pub/jane-roe/12/345/678, /pub/dir/jane/roe)
    (
        "linkedin",
        re.compile(rf"(?i)((?<![\w-])linkedin\.com{_SLASH}in{_SLASH})([A-Za-z0-9_%-]{{3,100}})"),
    ),
    (
        "linkedin",
        re.compile(
            rf"(?i)((?<![\w-])linkedin\.com{_SLASH}pub{_SLASH})"
            r"([A-Za-z0-9_%-]{1,100}(?:/[A-Za-z0-9_%-]{1,100}){0,3})"
        ),
    ),
    # Telegram users and channels (t.me/<name>, its /s/ preview, telegram.me, telegram.dog, a
    # message link t.me/<name>/123, tg://resolve?domain=<name>, tg://user?id=<n>), not its
    # invite, sticker, share and other pages, nor a private channel's t.me/c/<id>
    (
        "telegram",
        re.compile(
            r"(?i)(\.(?:(?<=(?<![\w-])t\.)|(?<=(?<![\w-])telegram\.))"
            rf"(?:me|dog){_SLASH}(?:s{_SLASH})?)"
            r"(?!(?:joinchat|addstickers|addemoji|addtheme|addlist|share|proxy|socks|iv|c|"
            r"setlanguage|login|confirmphone|invoice|boost|bg|contact|m)\b)"
            r"([A-Za-z][A-Za-z0-9_]{2,63})"
        ),
    ),
    (
        "telegram",
        re.compile(
            r"(?i)(tg://(?:resolve\?(?:[^\s\"#&?]*&)*domain|user\?(?:[^\s\"#&?]*&)*id)=)(\w+)"
        ),
    ),
    # the link's path never runs past the next link (a text of "http://" repeated 150,000
    # times took each start to the end of the run: quadratic, hours)
    (
        "mastodon",
        re.compile(
            r"(https?://(?:(?!https?://)[^\s\"])+?/(?:users/|@))([A-Za-z0-9_.-]*[A-Za-z0-9_-])"
        ),
    ),
)
# a keyed pseudonym already in place (``keyed_pseudonym``) is no account to replace
_PSEUDONYM = re.compile(r"u_[0-9a-f]{20}")
# a percent-encoded link inside another (Facebook's l.php?u=, Google's /url?q=, an archive's
# path): a whole run of a query value's characters with an encoded "/" (%2F, or %252F encoded
# twice) in it; it starts only where such a run starts, so a long run is read once
_ENCODED_LINK = re.compile(
    r"(?<![\w.~+%-])(?:[\w.~+-]|%[0-9A-Fa-f]{2})*%(?:25)?2[Ff](?:[\w.~+-]|%[0-9A-Fa-f]{2})*"
)
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
    ``linkedin``, ``telegram``). Keyed pseudonyms (``u_`` and 20 hex digits) are left as they
    are."""
    if not value:
        return value
    value = drop_tracking(value)
    if "%" in value:
        value = _ENCODED_LINK.sub(lambda m: _replace_encoded(m.group(0), replace), value)
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


def _replace_encoded(found: str, replace: Callable[[str, str], str]) -> str:
    """A percent-encoded link (``found``) with its accounts replaced as ``replace_ids`` does,
    encoded again (brackets kept, so a page shows ``%2F[account]``); as it was if it names
    none."""
    link = unquote(found)
    done = replace_ids(link, replace)
    return found if done == link else quote(done, safe="[]")


def mask_link_ids(value: str) -> str:
    """``value`` as a page shows it: each account named in a link (``replace_ids``) is
    ``[account]`` and tracking parameters are dropped."""
    return replace_ids(value, lambda _kind, _name: ACCOUNT)
