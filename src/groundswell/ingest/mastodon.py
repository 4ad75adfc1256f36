"""Mastodon: REST API Status entities and the ActivityPub ``outbox.json`` of an account archive.

API shapes read: one Status, an array of Statuses (a timeline page), a search result
(``statuses``) and a thread context (``ancestors`` + ``descendants``), as JSON or JSON lines.
An archive is ``{"type": "OrderedCollection", "orderedItems": [Create | Announce ...]}``; real
archives repeat the ``orderedItems`` key (their lists are merged) and miscount ``totalItems``.

Choices, so that every instance sees the same post under the same key:

* ``id`` is the status's ActivityPub ``uri`` (global), not its instance-local snowflake ``id``;
  a status without one is keyed by its ``url``, and one whose ``uri`` is not text (a list, an
  object, a number) or whose key holds a control character or whitespace is quarantined, naming
  the field. A ``url``, ``tags`` or ``mentions`` of the wrong type is left out.
* ``author`` is the account's ActivityPub actor ``uri`` (the outbox's ``attributedTo``), and
  ``author_name`` and ``mentions`` are full handles ``user@host`` (a local ``acct`` gets the host of
  the account's URL).
* ``reply_to`` is the parent's ``uri``, the key the parent is stored under: ``in_reply_to_id``
  looked up among the statuses already read
  (this file, or earlier files of the run, by instance and local id), else rebuilt from the
  instance's URI scheme when reply and parent are both local to the instance that served them.
  Otherwise it is the instance-qualified key ``https://<instance>/api/v1/statuses/<local id>``
  (the parent's API address), which ``aliases`` maps to the parent's ``uri`` once the parent is
  read in the same run or a later one, so the store can rewrite it. The instance is the host of
  a local account (``acct`` without ``@``) in the same value or file, else the reader option
  ``instance`` (for a file in which every account is remote). The outbox's ``inReplyTo``
  is already a URI. ``quote_of`` from ``quoted_status_id`` follows the same rule.
* ``text`` is the HTML content as text; a content warning is kept in front as ``CW: <spoiler>``
  and a blank line, because a CW often names the subject. Mastodon's ``RE: <link>`` line of a
  quote post is dropped (the relation is ``quote_of``); poll options are not part of the text.
* A boost (API ``reblog``, outbox ``Announce``) is a repost record with ``repost_of`` = the boosted
  status's URI; the API also embeds the boosted status, which is stored as a post. A quote's
  ``quote_of`` is the quoted status's URI; the quoted status itself is context and is not stored.
* Followers-only and direct posts are not public: they are counted as read and quarantined with
  no raw bytes kept, unless the reader option ``include_private`` is true.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from groundswell.ingest.fields import first_text, objects, shown, stated_time
from groundswell.ingest.html_text import html_to_text, links_in_html
from groundswell.ingest.mastodon_outbox import (
    HIDDEN_CLASSES,
    NOT_PUBLIC,
    handle,
    is_outbox,
    key_problem,
    load_outbox,
    not_public,
    read_outbox,
    salvage_outbox,
    with_cw,
)
from groundswell.ingest.registry import (
    JSON_ERRORS,
    Head,
    Reader,
    guarded,
    iter_json_document_or_lines,
    quarantine,
)
from groundswell.ingest.source import Source
from groundswell.schema import (
    Post,
    Quarantined,
    Record,
    hashtags_in_text,
    merge_hashtags,
    metrics_of,
)

_METRICS = {k: k for k in ("replies_count", "reblogs_count", "favourites_count", "quotes_count")}


def _is_status(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and "uri" in obj
        and isinstance(obj.get("account"), dict)
        and "created_at" in obj
        and ("content" in obj or "text" in obj)
    )


class MastodonReader(Reader):
    """Mastodon API Status JSON (single, timeline, search, context) and archive outbox.json."""

    name = "mastodon"
    platform = "mastodon"

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self._uris: dict[str, str] = {}  # api_key(instance, local id) -> uri, over the run
        self._instances: dict[str, str] = {}  # source name -> the instance that served it

    def aliases(self) -> dict[str, str]:
        """Every instance-qualified key seen in this run, mapped to its status's ``uri``."""
        return dict(self._uris)

    def sniff(self, head: Head) -> float:
        obj = head.first_json
        if obj is not None:
            if isinstance(obj, list):
                # the first statuses decide, not only the first (it may be a bad record)
                return 0.95 if any(_is_status(x) for x in obj[:20]) else 0.0
            if _is_status(obj) or is_outbox(obj):
                return 0.95
            if (
                isinstance(obj, dict)
                and isinstance(obj.get("statuses"), list)
                and "accounts" in obj
            ):
                return 0.9
            if (
                isinstance(obj, dict)
                and isinstance(obj.get("ancestors"), list)
                and isinstance(obj.get("descendants"), list)
            ):
                return 0.9
            return 0.0
        txt = head.json_text
        if '"orderedItems"' in txt and ('"OrderedCollection"' in txt or "activitystreams" in txt):
            return 0.85
        if (
            '"uri"' in txt
            and '"account"' in txt
            and '"reblogs_count"' in txt
            and ('"favourites_count"' in txt)
        ):
            return 0.8
        return 0.0

    @property
    def include_private(self) -> bool:
        return bool(self.options.get("include_private"))

    def read(self, source: Source) -> Iterator[Record]:
        head = source.head().lstrip()
        if head[:1] == b"{" and b'"orderedItems"' in head:  # an archive: one document
            data = source.read_all()
            if isinstance(data, Quarantined):
                data.format = self.name
                yield data
                return
            try:
                obj = load_outbox(data)
            except (ValueError, UnicodeDecodeError, *JSON_ERRORS) as exc:
                salvaged = salvage_outbox(source, data, self.name, self.include_private)
                if salvaged is not None:  # cut short or damaged: every activity still readable
                    yield from salvaged
                    return
                yield Quarantined(
                    source_file=source.name,
                    line=1,
                    reason=f"invalid JSON: {exc}",
                    raw=data[:65536],
                    format=self.name,
                )
                return
            yield from self._value(source, 1, obj, {}, whole=True)
            return
        known: dict[str, str] = {}  # instance-local id -> uri, filled as statuses are seen
        for item in iter_json_document_or_lines(source, self.name):
            if not isinstance(item, tuple):
                yield item
                continue
            lineno, obj = item
            yield from self._value(source, lineno, obj, known, whole=lineno == 1)

    # -- API statuses ----------------------------------------------------------------------
    def _value(
        self, source: Source, lineno: int, obj: Any, known: dict[str, str], whole: bool
    ) -> Iterator[Record]:
        """Records of one top-level JSON value; ``whole`` numbers items by position."""
        if is_outbox(obj):
            yield from read_outbox(source, obj, self.name, self.include_private)
            return
        items = _statuses(obj)
        host = (
            _instance([v for _, v in items])
            or self._instances.get(source.name)
            or self.options.get("instance")
        )
        if host is not None:
            self._instances.setdefault(source.name, host)
        for _, value in items:  # index the whole value first: replies often precede parents
            for local_id, uri in _index(value, known):
                if host is not None:
                    self._uris.setdefault(api_key(host, local_id), uri)
        ctx = _Context(known, self._uris, host)
        for pos, value in items:
            line = pos if whole else lineno
            if _is_status(value):
                yield from guarded(source, self.name, line, value, self._status, line, value, ctx)
            else:
                yield quarantine(source, line, "not a Mastodon status", value, self.name)

    def _status(
        self,
        source: Source,
        line: int,
        st: dict,
        ctx: _Context,
    ) -> Iterator[Record]:
        field, uri = "uri", st.get("uri")
        if uri is None or uri == "":
            field, uri = "url", st.get("url")
        if not uri:
            yield quarantine(source, line, "status without uri", st, self.name)
            return
        if not isinstance(uri, str):  # a list or an object is no key: never str() it into one
            yield quarantine(source, line, f"status uri {shown(uri)} is not text", st, self.name)
            return
        if why := key_problem(uri, f"status {field}"):
            yield quarantine(source, line, why, st, self.name)
            return
        reblog = st.get("reblog")
        if isinstance(reblog, dict):
            target = first_text(reblog.get("uri"))
            if target is None:
                yield quarantine(
                    source, line, f"boost {uri} of a status without uri", st, self.name
                )
            elif why := key_problem(target, "reblog.uri"):  # the boosted status: no key either
                yield quarantine(
                    source, line, f"boost {uri} of a status whose {why}", st, self.name
                )
            else:
                yield from self._status(source, line, reblog, ctx)
                account = st.get("account") or {}
                yield Post(
                    platform="mastodon",
                    id=uri,
                    text="",
                    created_at=stated_time(st.get("created_at")),
                    author=_author(account),
                    author_name=handle(account.get("acct"), account.get("url")),
                    url=first_text(st.get("url")),
                    repost_of=target,
                    source_file=source.name,
                    source_line=line,
                    format=self.name,
                )
            return
        visibility = st.get("visibility")
        if visibility in NOT_PUBLIC and not self.include_private:
            yield not_public(source, line, visibility, self.name)
            return
        yield self._api_post(source, line, st, uri, ctx)

    def _api_post(
        self,
        source: Source,
        line: int,
        st: dict,
        uri: str,
        ctx: _Context,
    ) -> Post:
        content = st.get("content")
        if isinstance(content, str):
            body = html_to_text(content, hidden_classes=HIDDEN_CLASSES)
            urls = links_in_html(content)
        else:  # the delete-and-redraft shape carries the plain source text instead
            body, urls = str(st.get("text") or "").strip(), []
        text = with_cw(st.get("spoiler_text"), body)
        account = st.get("account") or {}
        quote = st.get("quote") if isinstance(st.get("quote"), dict) else {}
        quoted = quote.get("quoted_status") if isinstance(quote.get("quoted_status"), dict) else {}
        quote_of = first_text(quoted.get("uri")) or ctx.lookup(quote.get("quoted_status_id"))
        if quoted.get("url"):
            urls = [u for u in urls if u != quoted["url"]]
        return Post(
            platform="mastodon",
            id=uri,
            text=text,
            created_at=stated_time(st.get("created_at")),
            author=_author(account),
            author_name=handle(account.get("acct"), account.get("url")),
            url=first_text(st.get("url")) or uri,
            lang=st.get("language") or None,
            hashtags=merge_hashtags(
                [t.get("name") for t in objects(st.get("tags"))], hashtags_in_text(text)
            ),
            mentions=[
                h for m in objects(st.get("mentions")) if (h := handle(m.get("acct"), m.get("url")))
            ],
            urls=urls,
            reply_to=_reply_to(st, ctx),
            quote_of=quote_of,
            metrics=metrics_of(st, _METRICS),
            source_file=source.name,
            source_line=line,
            format=self.name,
        )


def _statuses(obj: Any) -> list[tuple[int, Any]]:
    """(1-based position, value) of every would-be status of the API shapes."""
    if isinstance(obj, list):
        values = obj
    elif isinstance(obj, dict) and isinstance(obj.get("statuses"), list):
        values = obj["statuses"]
    elif isinstance(obj, dict) and ("ancestors" in obj or "descendants" in obj):
        values = [
            v
            for key in ("ancestors", "descendants")
            if isinstance(obj.get(key), list)
            for v in obj[key]
        ]
    else:
        values = [obj]
    return list(enumerate(values, start=1))


def api_key(instance: str, local_id: str) -> str:
    """The instance-qualified key of a status known only by its local id: its API address."""
    return f"https://{instance}/api/v1/statuses/{local_id}"


def _instance(values: list[Any]) -> str | None:
    """The instance that served these statuses: the host of a local account (``acct`` without
    ``@``) among their authors, boosters and mentions; None when every account is remote."""
    for status in values:
        while isinstance(status, dict):
            mentions = status.get("mentions")
            accounts = [status.get("account"), *(mentions if isinstance(mentions, list) else ())]
            for acc in accounts:
                if isinstance(acc, dict) and isinstance(acc.get("url"), str):
                    acct = acc.get("acct")
                    if isinstance(acct, str) and acct and "@" not in acct.lstrip("@"):
                        host = urlsplit(acc["url"]).netloc
                        if host:
                            return host
            status = status.get("reblog")
    return None


def _index(status: Any, known: dict[str, str]) -> list[tuple[str, str]]:
    """Remember instance-local id -> uri for a status and the statuses it embeds; returns the
    pairs seen."""
    seen = []
    while isinstance(status, dict):
        uri = status.get("uri")
        if status.get("id") and isinstance(uri, str) and uri and key_problem(uri, "uri") is None:
            pair = (str(status["id"]), uri)
            known.setdefault(*pair)
            seen.append(pair)
        quote = status.get("quote")
        if isinstance(quote, dict) and isinstance(quote.get("quoted_status"), dict):
            seen += _index(quote["quoted_status"], known)
        status = status.get("reblog")
    return seen


class _Context:
    """What resolves a local id to a URI while reading one value: the file's own statuses, the
    run's statuses by instance, and the instance that served the value."""

    def __init__(self, known: dict[str, str], uris: dict[str, str], host: str | None) -> None:
        self.known, self.uris, self.host = known, uris, host

    def uri_of(self, local_id: Any) -> str | None:
        """The URI of a status read so far (this file, or this run on the same instance)."""
        lid = str(local_id)
        if lid in self.known:
            return self.known[lid]
        return self.uris.get(api_key(self.host, lid)) if self.host is not None else None

    def key_of(self, local_id: Any) -> str:
        """The instance-qualified key of a status not read (the bare id if the instance is
        unknown)."""
        return api_key(self.host, str(local_id)) if self.host is not None else str(local_id)

    def lookup(self, local_id: Any) -> str | None:
        if local_id is None or local_id == "":
            return None
        return self.uri_of(local_id) or self.key_of(local_id)


def _reply_to(st: dict, ctx: _Context) -> str | None:
    """The parent's URI: from the statuses read so far, else rebuilt from the instance's URI
    scheme when parent and reply are both local to the instance that served them, else the
    parent's instance-qualified key."""
    parent = st.get("in_reply_to_id")
    if parent is None or parent == "":
        return None
    found = ctx.uri_of(parent)
    if found is not None:
        return found
    uri, sid, account = str(st.get("uri") or ""), str(st.get("id") or ""), st.get("account") or {}
    tail = f"/statuses/{sid}"
    target_id = str(st.get("in_reply_to_account_id") or "")
    if sid and uri.endswith(tail) and target_id:
        target = (
            account
            if str(account.get("id")) == target_id
            else next(
                (
                    m
                    for m in st.get("mentions") or ()
                    if isinstance(m, dict)
                    and str(m.get("id")) == target_id
                    and "@" not in str(m.get("acct") or "@")
                ),
                None,
            )
        )
        base = uri[: -len(tail)]
        for key in ("id", "username") if target else ():
            own, theirs = str(account.get(key) or ""), str(target.get(key) or "")
            if own and theirs and base.endswith("/" + own):
                return f"{base[: -len(own)]}{theirs}/statuses/{parent}"
    return ctx.key_of(parent)


def _author(account: dict) -> str | None:
    """The account's actor URI, the key an outbox's ``attributedTo`` also uses."""
    for key in ("uri", "url"):
        if isinstance(account.get(key), str) and account[key]:
            return account[key]
    return handle(account.get("acct"), None) or (str(account["id"]) if account.get("id") else None)
