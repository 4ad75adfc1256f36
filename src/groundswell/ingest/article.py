"""Long-form articles (op-eds, essays): one .txt, .md or .html file each, read as an Article.

Invisible characters (zero-width spaces, byte-order marks, soft hyphens) are dropped and no-break
spaces read as spaces before anything else, so they are never taken for the text. The id is the
sha256 of the title and text with whitespace normalised: the same article saved as HTML and as
text is stored once, two different articles never share an id. The title is the first heading
(``<h1>``, ``# ...``), else ``<title>``, else a short first line set apart from the body; a text
without one is all body. An article saved as one run-on line (headline, standfirst, date, body) is
split at a date near its start, else kept whole as body. Dates and authors come from HTML
``<meta>`` tags or a metadata block at the top (``---`` front matter or ``Date:``/``By:`` lines).
Detection needs both an article suffix and prose, however short: a .txt that holds JSON, CSV or a
list of numbers is left to the other readers. An HTML page is an article when it has an
``<article>`` or paragraphs, or, with one ``<p>`` or none, when its text runs on in few long
blocks; a chat log's many short messages and an embedded post are not.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from groundswell.ingest.registry import Head, Reader, quarantine
from groundswell.ingest.source import Source
from groundswell.schema import Article, Quarantined, Record, TimeOutOfRangeError, parse_time

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
# Files that describe a data set or a project, not articles about the movement.
_DOC_NAMES = (
    "readme",
    "provenance",
    "license",
    "licence",
    "changelog",
    "changes",
    "contributing",
    "notice",
    "authors",
    "install",
    "fields",
    "codebook",
)
_DROP = "script, style, nav, header, footer, aside, noscript, form, iframe, svg, figure, button"
# a post embedded in a page (a tweet, an Instagram or TikTok post): a post, not an article
_EMBED = re.compile(r"class=[\"']?(?:twitter-tweet|instagram-media|tiktok-embed|bluesky-embed)")
_BLOCK_WORDS = 8  # the fewest words on average in a block of a page's prose
_META_LINE = re.compile(r"^(date|published|by|author|url|source|title)\s*:\s*(.+)$", re.I)
_DATE_FORMATS = (
    "%d %B %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*"
_RUN_ON_DATE = re.compile(
    rf"\b(?:\d{{1,2}} {_MONTH} \d{{4}}|{_MONTH} \d{{1,2}},? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b"
)
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def visible(text: str) -> str:
    """The text without invisible characters (zero-width spaces and joiners, byte-order marks,
    soft hyphens, direction marks), line breaks as ``\\n`` and no-break spaces as spaces."""
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def article_id(title: str, text: str) -> str:
    """The sha256 (hex) of the title and text with whitespace normalised: the same article saved
    twice gets one id, any two different articles two."""
    normal = " ".join(title.split()) + "\n\n" + " ".join(text.split())
    return hashlib.sha256(normal.encode()).hexdigest()


def _display_title(text: str) -> str:
    """A title for an article saved without one: its first sentence, cut at a word near 80."""
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= 80 else first[:80].rsplit(" ", 1)[0] + "\u2026"


def parse_date(value: str | None) -> datetime | None:
    """ISO-8601 or a written date (``12 March 2018``, ``March 12, 2018``) as UTC, else None.
    A time out of range raises TimeOutOfRangeError (the reader quarantines the article)."""
    if not value:
        return None
    try:
        dt = parse_time(value.strip())
    except TimeOutOfRangeError:
        raise
    except ValueError:
        dt = None
    if dt is not None:
        return dt
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def looks_tabular(text: str) -> bool:
    """True when the first lines are JSON values or rows with the same number of delimiters."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:5]
    if not lines:
        return False
    if lines[0].lstrip()[:1] in ("{", "["):
        return True
    if len(lines) < 2:
        return False
    for delim in (",", "\t", ";", "|"):
        counts = {ln.count(delim) for ln in lines[:-1]}  # the head's last line may be cut short
        if (
            len(counts) == 1
            and counts.pop() >= 2
            and lines[0].count(" ") < 3 * lines[0].count(delim)
        ):
            return True
    return False


def looks_like_prose(text: str) -> bool:
    """True for running paragraphs; False for documentation (code, tables, mostly list items)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and lines[0] == "---":  # front matter is metadata, not structure
        end = next((i for i, ln in enumerate(lines[1:], 1) if ln == "---"), 0)
        lines = lines[end + 1 :]
    words = " ".join(lines).split()
    lettered = sum(1 for w in words if sum(c.isalpha() for c in w) >= 2)
    if lettered < 6 or lettered < 0.6 * len(words) or text.count("`") >= 4:
        return False
    structured = sum(1 for ln in lines if ln.startswith(("|", "```")) or _MD_ITEM.match(ln))
    return structured <= 0.35 * len(lines)


def _runs_on(text: str) -> bool:
    """Whether the text of a page with one paragraph or none (an op-ed in ``<div>``s) is prose in
    few, long blocks: a chat log's or an app's many short ones are not."""
    blocks = [b for b in text.split("\n\n") if b.strip()]
    return looks_like_prose(text) and len(text.split()) >= _BLOCK_WORDS * len(blocks)


def _html_article(html: str) -> tuple[str, str, dict[str, str]]:
    """(title, plain text, metadata) of an HTML page."""
    from selectolax.lexbor import LexborHTMLParser

    from groundswell.ingest.html_text import html_to_text, shallow

    tree = LexborHTMLParser(shallow(html))
    meta: dict[str, str] = {}
    for node in tree.css("meta"):
        key = (node.attributes.get("property") or node.attributes.get("name") or "").lower()
        if key and node.attributes.get("content"):
            meta.setdefault(key, node.attributes["content"] or "")
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical is not None and canonical.attributes.get("href"):
        meta["url"] = canonical.attributes["href"] or ""
    time_node = tree.css_first("time[datetime]")
    if time_node is not None:
        meta.setdefault("time", time_node.attributes.get("datetime") or "")
    title_node = tree.css_first("title")
    page_title = title_node.text(strip=True) if title_node is not None else ""
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return page_title, "", meta
    h1 = root.css_first("h1")
    title = (h1.text(strip=True) if h1 is not None else "") or page_title
    paragraphs = [p for p in html_to_text(root.html or "").split("\n\n") if p.strip()]
    if paragraphs and paragraphs[0].strip() == title:
        paragraphs = paragraphs[1:]
    return title, "\n\n".join(paragraphs), meta


def _front_matter(lines: list[str], meta: dict[str, str]) -> list[str]:
    """The lines after a ``---`` front-matter block, its ``key: value`` pairs put in ``meta``
    (nested values and list items are skipped); the lines unchanged when there is none."""
    if not lines or lines[0].strip() != "---":
        return lines
    end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
    if not end:
        return lines
    for ln in lines[1:end]:
        if ln[:1].isspace() or ln.lstrip().startswith(("-", "#")):
            continue
        key, _, value = ln.partition(":")
        if value.strip():
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return lines[end + 1 :]


def _is_title(lines: list[str], i: int) -> bool:
    """Whether line ``i``, the first of the text, is a headline: short, not a sentence ending in a
    full stop, and set apart (a blank or metadata line follows, and more text comes after)."""
    line = lines[i].strip()
    rest = [ln.strip() for ln in lines[i + 1 :]]
    if not any(rest) or len(line.split()) > 25 or line.endswith((".", ",", ";")):
        return False
    return not rest[0] or bool(_META_LINE.match(rest[0]))


def _split_run_on(line: str, meta: dict[str, str]) -> tuple[str, str]:
    """(title, body) of an article saved as one line: headline, standfirst and a date glued to
    the body. Split at a date near the start (the date goes to ``meta``); else all of it is body."""
    m = _RUN_ON_DATE.search(line[:400])
    if m is not None:
        before, after = line[: m.start()].strip(" |-\u2013\u2014:\u00b7"), line[m.end() :]
        after = after.lstrip(" |-\u2013\u2014:\u00b7")
        words = len(before.split())
        if (words == 0 or 3 <= words <= 40) and len(after.split()) > words:
            try:
                when = parse_date(m.group(0))
            except TimeOutOfRangeError:
                when = None
            if when is not None:
                meta.setdefault("date", m.group(0))
                return before, after
    return "", line


def _plain_article(text: str, markdown: bool) -> tuple[str, str, dict[str, str]]:
    """(title, text, metadata) of a Markdown or plain-text article."""
    meta: dict[str, str] = {}
    lines = _front_matter(text.splitlines(), meta)
    title = meta.pop("title", "")
    body: list[str] = []
    in_header = True  # metadata and the title are read only before the first paragraph
    for i, ln in enumerate(lines):
        stripped = ln.strip()
        m = _META_LINE.match(stripped)
        if in_header and m:
            meta.setdefault(m.group(1).lower(), m.group(2).strip())
            continue
        if (
            markdown
            and stripped.startswith("#")
            and (not title or stripped.lstrip("#").strip() == title)
        ):
            title = title or stripped.lstrip("#").strip()
            continue
        if in_header and not title and stripped and _is_title(lines, i):
            title = stripped
            continue
        if stripped:
            in_header = False
        item = _MD_ITEM.match(ln) if markdown else None
        if item:  # a list item is a paragraph of its own
            body.extend(["", ln[item.end() :].rstrip(), ""])
            continue
        body.append(ln.rstrip())
    paragraphs = [" ".join(p.split()) for p in "\n".join(body).split("\n\n")]
    if markdown:
        paragraphs = [
            _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", p.lstrip("#> ").strip()))
            for p in paragraphs
        ]
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) == 1 and not title and "\n" not in "\n".join(body).strip():
        title, paragraphs[0] = _split_run_on(paragraphs[0], meta)
    return title, "\n\n".join(paragraphs), meta


_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.I)


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML page names in its head (``<meta charset>``, or an ``http-equiv``
    content's ``charset=``) when Python knows it, else None."""
    m = _CHARSET.search(data[:8192])
    if m is None:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None


class ArticleReader(Reader):
    """One article per .txt/.md/.html file."""

    name = "article"
    platform = ""

    def sniff(self, head: Head) -> float:
        if head.suffix not in SUFFIXES or head.first_json is not None:
            return 0.0
        text = head.text
        if head.suffix in (".html", ".htm"):
            low = text.lower()  # a page of paragraphs, not a chat log or an app's HTML export
            if "<article" in low or low.count("<p") >= 2:
                return 0.6
            return 0.6 if not _EMBED.search(low) and _runs_on(_html_article(text)[1]) else 0.0
        stem = (head.source.member or head.source.path.name).rsplit("/", 1)[-1].lower()
        if stem.startswith(_DOC_NAMES) or looks_tabular(text) or not looks_like_prose(text):
            return 0.0
        return 0.6

    def read(self, source: Source) -> Iterator[Record]:
        data = source.read_all()
        if isinstance(data, Quarantined):
            data.format = self.name
            yield data
            return
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # a page saved as it was served: no UTF-8, but in the charset its head declares
            charset = declared_charset(data)
            if charset is None or charset.startswith("utf-8"):
                yield quarantine(source, 1, f"invalid UTF-8: {exc}", data[:65536], self.name)
                return
            raw = data.decode(charset, "replace")
        is_html = source.suffix in (".html", ".htm") or raw.lstrip()[:15].lower().startswith(
            ("<!doctype html", "<html")
        )
        raw = visible(raw)
        if is_html:
            title, text, meta = _html_article(raw)
        else:
            title, text, meta = _plain_article(raw, source.suffix in (".md", ".markdown"))
        title = " ".join(visible(title).split())
        text = "\n\n".join(
            p for p in (" ".join(q.split()) for q in visible(text).split("\n\n")) if p
        )
        if not text.strip():
            yield quarantine(source, 1, "article without text", data[:65536], self.name)
            return
        try:
            created = parse_date(
                meta.get("article:published_time")
                or meta.get("date")
                or meta.get("published")
                or meta.get("time")
                or meta.get("dc.date")
            )
        except TimeOutOfRangeError as exc:
            yield quarantine(source, 1, f"{type(exc).__name__}: {exc}", data[:65536], self.name)
            return
        author = (meta.get("author") or meta.get("article:author") or meta.get("by") or "").strip()
        url = meta.get("url") or meta.get("og:url") or meta.get("source")
        yield Article(
            id=article_id(title, text),
            title=title or _display_title(text),
            text=text,
            created_at=created,
            author=author or None,
            url=url or None,
            source_file=source.name,
            format=self.name,
        )
