"""Long-form articles (op-eds, essays): one .txt, .md or .html file each, read as an Article.

The id is the first 16 hex of the sha256 of the plain text, so the same article saved as HTML and as
text is stored once. The title is the first heading (``<h1>``, ``# ...``), else ``<title>``, else
the first line. Dates and authors come from HTML ``<meta>`` tags or a metadata block at the top
(``---`` front matter or ``Date:``/``By:`` lines). Detection needs both an article suffix and prose:
a .txt that holds JSON or CSV is left to the other readers.
"""

from __future__ import annotations

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
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


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
    if len(" ".join(lines).split()) < 40 or text.count("`") >= 4:
        return False
    structured = sum(1 for ln in lines if ln.startswith(("|", "```")) or _MD_ITEM.match(ln))
    return structured <= 0.35 * len(lines)


def _html_article(html: str) -> tuple[str, str, dict[str, str]]:
    """(title, plain text, metadata) of an HTML page."""
    from selectolax.lexbor import LexborHTMLParser

    from groundswell.ingest.html_text import html_to_text

    tree = LexborHTMLParser(html)
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


def _plain_article(text: str, markdown: bool) -> tuple[str, str, dict[str, str]]:
    """(title, text, metadata) of a Markdown or plain-text article."""
    meta: dict[str, str] = {}
    lines = text.splitlines()
    if markdown and lines and lines[0].strip() == "---":  # front matter
        end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), 0)
        for ln in lines[1:end]:
            key, _, value = ln.partition(":")
            if value.strip():
                meta[key.strip().lower()] = value.strip().strip("'\"")
        lines = lines[end + 1 :]
    title = meta.pop("title", "")
    body: list[str] = []
    in_header = True  # metadata lines are read only before the first paragraph
    for ln in lines:
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
        if not title and stripped:
            title = stripped
            continue
        if stripped and title:
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
    return title, "\n\n".join(p for p in paragraphs if p), meta


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
            return 0.6 if "<article" in low or low.count("<p") >= 2 else 0.0
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
            yield quarantine(source, 1, f"invalid UTF-8: {exc}", data[:65536], self.name)
            return
        is_html = source.suffix in (".html", ".htm") or raw.lstrip()[:15].lower().startswith(
            ("<!doctype html", "<html")
        )
        if is_html:
            title, text, meta = _html_article(raw)
        else:
            title, text, meta = _plain_article(raw, source.suffix in (".md", ".markdown"))
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
            id=hashlib.sha256(text.encode()).hexdigest()[:16],
            title=title or text[:80],
            text=text,
            created_at=created,
            author=author or None,
            url=url or None,
            source_file=source.name,
            format=self.name,
        )
