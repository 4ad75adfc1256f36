"""The typed shapes and column builders of the columnar fast path (see ``columnar``).

For each format: a msgspec Struct naming only the fields the post schema reads (fields whose mere
presence sends a line to the reader's own code are kept as undecoded ``Raw``), an ``accept``
that says which decoded lines the fast path takes exactly, and a ``columns`` that turns the
accepted lines of a batch into the post columns, column by column, with ``pyarrow.compute``
where a column is a pure string operation. Each mirrors its reader (twitter_v2, twitter_v1,
reddit) line for line; ``tests/store/test_columnar.py`` holds them equal.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import Annotated, Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from groundswell.ingest.fields import BASE36_ID, REDDIT_FULLNAME, is_tweet_id
from groundswell.ingest.reddit import _MD_HEADING, REDDIT, _clean, is_deleted_text
from groundswell.ingest.twitter_v1 import CONTROL_KEYS
from groundswell.schema import MAX_METRIC, normalise_hashtag, tags_written_in

UNSET = msgspec.UNSET
_encode = msgspec.json.Encoder().encode
Columns = dict[str, Any]
# a metric as ``schema.metric`` keeps it; any other value sends the line to the reader's code
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_METRIC)]
Votes = Annotated[int, msgspec.Meta(ge=-MAX_METRIC, le=MAX_METRIC)]


@lru_cache(maxsize=100_000)
def _merge(raw_tags: tuple[str, ...]) -> list[str]:
    """``schema.merge_hashtags`` of one record's tags (cached: tag sets repeat)."""
    seen: dict[str, None] = {}
    for raw in raw_tags:
        norm = normalise_hashtag(raw)
        if norm:
            seen.setdefault(norm, None)
    return list(seen)


def _none_if_empty(values: list[str | None]) -> pa.Array:
    arr = pa.array(values, pa.string())
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _metrics(encoded: list[bytes | None]) -> pa.Array:
    """Encoded count structs as the store writes them: compact JSON, None for no counts."""
    arr = pa.array(encoded, pa.binary()).cast(pa.string())
    return pc.if_else(pc.equal(arr, "{}"), pa.scalar(None, pa.string()), arr)


def _twitter_urls(ids: pa.Array, usernames: list[str | None]) -> tuple[pa.Array, pa.Array]:
    """The post URLs (``https://twitter.com/<handle or i/web>/status/<id>``) and the
    handle-free ones a pseudonymised store keeps."""
    handle = pc.coalesce(_none_if_empty(usernames), pa.scalar("i/web"))
    url = pc.binary_join_element_wise("https://twitter.com/", handle, "/status/", ids, "")
    safe = pc.binary_join_element_wise("https://twitter.com/i/web/status/", ids, "")
    return url, safe


# -- Twitter v2 (twarc2 flatten) -----------------------------------------------------------------
class V2Tag(msgspec.Struct, gc=False):
    tag: str | None = ""


class V2Mention(msgspec.Struct, gc=False):
    username: str | None = None


class V2Url(msgspec.Struct, gc=False):
    url: str | None = ""
    expanded_url: str | None = None
    unwound_url: str | None = None


class V2Entities(msgspec.Struct, gc=False):
    hashtags: list[V2Tag] | None = None
    mentions: list[V2Mention] | None = None
    urls: list[V2Url] | None = None


class V2Ref(msgspec.Struct, gc=False):
    type: str | None = None
    id: str | None = None


class V2Author(msgspec.Struct, gc=False):
    id: str | None = None
    username: str | None = None


class V2Metrics(msgspec.Struct, omit_defaults=True, gc=False):
    retweet_count: Count | None = None
    reply_count: Count | None = None
    like_count: Count | None = None
    quote_count: Count | None = None
    impression_count: Count | None = None
    bookmark_count: Count | None = None


class V2Tweet(msgspec.Struct, gc=False):
    id: str | None = None
    text: str | None = None
    author_id: str | None = None
    author: V2Author | None = None
    created_at: str | None = None
    lang: str | None = None
    entities: V2Entities | None = None
    referenced_tweets: list[V2Ref] | None = None
    public_metrics: V2Metrics | None = None
    note_tweet: msgspec.Raw = UNSET  # long tweets: the reader's own code
    data: msgspec.Raw = UNSET  # a response page: the reader's own code


def _is_retweet(refs: list[V2Ref]) -> bool:
    return any(r.type == "retweeted" and r.id for r in refs)


def v2_accept(tweets: list[V2Tweet]) -> list[bool]:
    """Flattened tweets with id and text that are not retweets and not long tweets."""
    return [
        is_tweet_id(t.id)
        and t.text is not None
        and t.data is UNSET
        and t.note_tweet is UNSET
        and not (
            t.referenced_tweets
            and (_is_retweet(t.referenced_tweets) or not _refs_are_tweets(t.referenced_tweets))
        )
        for t in tweets
    ]


def _refs_are_tweets(refs: list[V2Ref]) -> bool:
    """Whether every referenced id is a tweet id, none missing from a retweet, reply or quote
    (else the reader quarantines the tweet)."""
    kinds = ("replied_to", "quoted", "retweeted")
    return all(is_tweet_id(r.id) if r.id is not None else r.type not in kinds for r in refs)


def _v2_refs(refs: list[V2Ref]) -> tuple[str | None, str | None]:
    """(replied_to, quoted): the last of each kind, as the reader's dict keeps it."""
    reply = quote = None
    for r in refs:
        if r.type and r.id:
            if r.type == "replied_to":
                reply = r.id
            elif r.type == "quoted":
                quote = r.id
    return reply, quote


def v2_columns(tweets: list[V2Tweet]) -> Columns:
    ids = pa.array([t.id for t in tweets], pa.string())
    authors = [t.author for t in tweets]
    usernames = [a.username if a is not None else None for a in authors]
    url, safe = _twitter_urls(ids, usernames)
    text = pa.array([t.text for t in tweets], pa.string())
    for old, new in (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = pc.replace_substring(text, old, new)
    ents = [t.entities for t in tweets]
    refs = [_v2_refs(t.referenced_tweets) if t.referenced_tweets else (None, None) for t in tweets]
    return {
        "id": ids,
        "url": url,
        "url_safe": safe,
        "author": [
            t.author_id or (a.id if a is not None else None) or None
            for t, a in zip(tweets, authors, strict=True)
        ],
        "author_name": usernames,
        "created_at": [t.created_at for t in tweets],
        "lang": [t.lang for t in tweets],
        "text": text,
        "hashtags": [
            _merge(tuple([h.tag for h in e.hashtags if h.tag is not None]))
            if e is not None and e.hashtags
            else []
            for e in ents
        ],
        "mentions": [
            [m.username for m in e.mentions if m.username] if e is not None and e.mentions else []
            for e in ents
        ],
        "urls": [
            [u.unwound_url or u.expanded_url or u.url or "" for u in e.urls]
            if e is not None and e.urls
            else []
            for e in ents
        ],
        "reply_to": [r[0] for r in refs],
        "quote_of": [r[1] for r in refs],
        "metrics": _metrics(
            [_encode(t.public_metrics) if t.public_metrics is not None else None for t in tweets]
        ),
    }


# -- Twitter v1.1 --------------------------------------------------------------------------------
class V1Tag(msgspec.Struct, gc=False):
    text: str | None = ""


class V1Mention(msgspec.Struct, gc=False):
    screen_name: str | None = None


class V1Url(msgspec.Struct, gc=False):
    url: str | None = ""
    expanded_url: str | None = None


class V1Entities(msgspec.Struct, gc=False):
    hashtags: list[V1Tag] | None = None
    user_mentions: list[V1Mention] | None = None
    urls: list[V1Url] | None = None


class V1User(msgspec.Struct, gc=False):
    id_str: str | None = None
    screen_name: str | None = None


class V1Metrics(msgspec.Struct, omit_defaults=True, gc=False):
    retweet_count: int | None = None
    like_count: int | None = None
    quote_count: int | None = None
    reply_count: int | None = None


# keys whose presence sends a v1.1 line to the reader's own code: longer texts, retweets, quotes,
# search pages, user objects and the stream's control messages
V1_OTHER = (
    "full_text",
    "extended_tweet",
    "retweeted_status",
    "quoted_status",
    "quoted_tweet",
    "statuses",
    "screen_name",
    *CONTROL_KEYS,
)


class V1Tweet(msgspec.Struct, gc=False):
    id_str: str | None = None
    text: str | None = None
    user: V1User | None = None
    created_at: str | None = None
    lang: str | None = None
    entities: V1Entities | None = None
    in_reply_to_status_id_str: str | None = None
    quoted_status_id_str: str | None = None
    retweet_count: Count | None = None
    favorite_count: Count | None = None
    quote_count: Count | None = None
    reply_count: Count | None = None
    full_text: msgspec.Raw = UNSET
    extended_tweet: msgspec.Raw = UNSET
    retweeted_status: msgspec.Raw = UNSET
    quoted_status: msgspec.Raw = UNSET
    quoted_tweet: msgspec.Raw = UNSET
    statuses: msgspec.Raw = UNSET
    screen_name: msgspec.Raw = UNSET
    delete: msgspec.Raw = UNSET
    limit: msgspec.Raw = UNSET
    scrub_geo: msgspec.Raw = UNSET
    status_withheld: msgspec.Raw = UNSET
    user_withheld: msgspec.Raw = UNSET
    disconnect: msgspec.Raw = UNSET
    warning: msgspec.Raw = UNSET
    friends: msgspec.Raw = UNSET
    friends_str: msgspec.Raw = UNSET
    event: msgspec.Raw = UNSET
    for_user: msgspec.Raw = UNSET
    control: msgspec.Raw = UNSET
    direct_message: msgspec.Raw = UNSET


_v1_other = attrgetter(*V1_OTHER)
_NONE_OTHER = (UNSET,) * len(V1_OTHER)


def v1_accept(tweets: list[V1Tweet]) -> list[bool]:
    """Tweets with id, text, user and time that are neither extended, retweets, quotes nor
    control messages."""
    return [
        bool(t.id_str)
        and t.text is not None
        and t.user is not None
        and bool(t.created_at)
        and _v1_other(t) == _NONE_OTHER
        and (not t.in_reply_to_status_id_str or is_tweet_id(t.in_reply_to_status_id_str))
        and (not t.quoted_status_id_str or is_tweet_id(t.quoted_status_id_str))
        for t in tweets
    ]


def _in_text(text: str) -> list[str]:
    """``schema.hashtags_in_text``: the tags written in the text, normalised, first seen first."""
    if "#" not in text and "＃" not in text:
        return []
    return _merge(tuple(tags_written_in(text)))


@lru_cache(maxsize=100_000)
def _merge_with_text(tags: tuple[str, ...], written: tuple[str, ...]) -> list[str]:
    """``merge_hashtags(tags, hashtags_in_text(text))`` given the tags ``written`` in the text
    (cached as one lookup: both tag sets repeat)."""
    return _merge(tags + tuple(_merge(written)))


def _v1_tags(ent: V1Entities | None, text: str) -> list[str]:
    tags = (
        tuple([h.text for h in ent.hashtags if h.text is not None])
        if ent is not None and ent.hashtags
        else ()
    )
    if "#" in text or "＃" in text:
        return _merge_with_text(tags, tuple(tags_written_in(text)))
    return _merge(tags) if tags else []


def v1_columns(tweets: list[V1Tweet]) -> Columns:
    ids = pa.array([t.id_str for t in tweets], pa.string())
    users = [t.user for t in tweets]
    usernames = [u.screen_name for u in users]
    url, safe = _twitter_urls(ids, usernames)
    texts = [html.unescape(t.text) if "&" in t.text else t.text for t in tweets]
    ents = [t.entities for t in tweets]
    return {
        "id": ids,
        "url": url,
        "url_safe": safe,
        "author": _none_if_empty([u.id_str for u in users]),
        "author_name": usernames,
        "created_at": [t.created_at for t in tweets],
        "lang": [t.lang for t in tweets],
        "text": texts,
        "hashtags": [_v1_tags(e, x) for e, x in zip(ents, texts, strict=True)],
        "mentions": [
            [m.screen_name for m in e.user_mentions if m.screen_name]
            if e is not None and e.user_mentions
            else []
            for e in ents
        ],
        "urls": [
            [u.expanded_url or u.url or "" for u in e.urls] if e is not None and e.urls else []
            for e in ents
        ],
        "reply_to": _none_if_empty([t.in_reply_to_status_id_str for t in tweets]),
        "quote_of": _none_if_empty([t.quoted_status_id_str for t in tweets]),
        "metrics": _metrics(
            [
                _encode(V1Metrics(t.retweet_count, t.favorite_count, t.quote_count, t.reply_count))
                for t in tweets
            ]
        ),
    }


# -- Reddit dumps --------------------------------------------------------------------------------
class RedditLine(msgspec.Struct, gc=False):
    id: str | None = None
    body: str | None = None
    author: str | None = None
    created_utc: int | float | str | None = None
    parent_id: str | None = None
    link_id: str | None = None
    permalink: str | None = None
    score: Votes | None = None
    num_comments: Count | None = None
    ups: Votes | None = None
    downs: Votes | None = None
    subreddit: msgspec.Raw = UNSET  # must be present, as the reader's dump-line test says
    title: msgspec.Raw = UNSET  # present: a submission, the reader's own code


class RedditMetrics(msgspec.Struct, omit_defaults=True, gc=False):
    score: int | None = None
    num_comments: int | None = None
    ups: int | None = None
    downs: int | None = None


def reddit_accept(lines: list[RedditLine]) -> list[bool]:
    """Dump comments with id, body and time whose body is not a deletion marker, replying to
    a fullname or to nothing."""
    return [
        bool(d.id)
        and BASE36_ID.fullmatch(d.id) is not None
        and (d.parent_id is None or REDDIT_FULLNAME.fullmatch(d.parent_id) is not None)
        and d.body is not None
        and d.created_utc is not None
        and d.subreddit is not UNSET
        and d.title is UNSET
        and not ("[" in d.body and is_deleted_text(d.body))
        for d in lines
    ]


def _reddit_urls(
    lines: list[RedditLine], authors: list[str | None]
) -> tuple[list[str | None], list[str | None]]:
    """The reader's ``_url`` for each comment, and the URL a pseudonymised store keeps (none
    where the URL names the author), in one pass."""
    urls: list[str | None] = []
    safe: list[str | None] = []
    comments = REDDIT + "/comments/"
    for d, author in zip(lines, authors, strict=True):
        permalink = d.permalink
        if (
            permalink is not None
            and permalink.startswith(("/", "http"))
            and not (author and author.lower() in permalink.lower())
        ):
            url = REDDIT + permalink if permalink.startswith("/") else permalink
        else:
            link = (d.link_id or "").partition("_")[2]
            url = f"{comments}{link}/_/{d.id}/" if link else None
        urls.append(url)
        safe.append(None if url and author and author.lower() in url.lower() else url)
    return urls, safe


def _reddit_tags(text: str) -> list[str]:
    return _in_text(_MD_HEADING.sub(" ", text) if "##" in text else text)


def reddit_columns(lines: list[RedditLine]) -> Columns:
    authors = [d.author if d.author and d.author != "[deleted]" else None for d in lines]
    urls, safe = _reddit_urls(lines, authors)
    texts = [_clean(d.body) if "&" in d.body else d.body for d in lines]
    n = len(lines)
    return {
        "id": pc.binary_join_element_wise("t1_", pa.array([d.id for d in lines], pa.string()), ""),
        "url": urls,
        "url_safe": safe,
        "author": authors,
        "author_name": authors,
        "created_at": [d.created_utc for d in lines],
        "lang": pa.nulls(n, pa.string()),
        "text": texts,
        "hashtags": [_reddit_tags(x) if "#" in x or "＃" in x else [] for x in texts],
        "mentions": pa.array([[]] * n, pa.list_(pa.string())),
        "urls": pa.array([[]] * n, pa.list_(pa.string())),
        "reply_to": [d.parent_id for d in lines],
        "quote_of": pa.nulls(n, pa.string()),
        "metrics": _metrics(
            [_encode(RedditMetrics(d.score, d.num_comments, d.ups, d.downs)) for d in lines]
        ),
    }


# format -> (line struct, accept, columns, platform)
SHAPES: dict[str, tuple[type, Callable[[list], list[bool]], Callable[[list], Columns], str]] = {
    "twitter_v2": (V2Tweet, v2_accept, v2_columns, "twitter"),
    "twitter_v1": (V1Tweet, v1_accept, v1_columns, "twitter"),
    "reddit": (RedditLine, reddit_accept, reddit_columns, "reddit"),
}
