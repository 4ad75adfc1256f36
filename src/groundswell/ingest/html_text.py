"""HTML to plain text for posts and articles whose body is HTML (Mastodon, ActivityPub, web pages).

Paragraphs and other blocks become blank-line separated, ``<br>`` a newline, links their visible
text; elements hidden by a class (Mastodon's ``invisible`` URL parts) and non-content elements
(script, style) are dropped; entities are unescaped and runs of spaces collapsed as a browser would.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "blockquote",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "figure",
        "figcaption",
        "hr",
        "address",
        "details",
        "summary",
        "main",
        "nav",
    }
)
SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title", "svg", "iframe"})
HIDDEN_CLASSES = ("invisible",)

# Browsers stop nesting at a depth of 512 (Chromium's parser limit); lexbor builds deeper trees
# in quadratic time (100,000 nested <div>: 12 s to parse), so elements deeper than this lose
# their tags, never their text.
MAX_DEPTH = 512
VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
# elements a new sibling of their kind closes: a run of them is no deeper than one
SELF_CLOSING_RUNS = frozenset(
    "a p li dt dd tr td th option optgroup thead tbody tfoot rb rt rp".split()  # noqa: SIM905
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_PARA = "\x00P"  # marker for a paragraph boundary, resolved when joining
_LINE = "\x00L"  # marker for a line break


def _hidden(node: LexborNode, hidden_classes: Iterable[str]) -> bool:
    classes = (node.attributes.get("class") or "").split()
    return any(c in classes for c in hidden_classes)


def shallow(html: str, max_depth: int = MAX_DEPTH) -> str:
    """``html`` with the tags of elements nested deeper than ``max_depth`` (and their matching
    end tags) removed, their content kept; the string itself when nothing is that deep. Linear
    in the length of ``html``."""
    if html.count("<") <= max_depth:
        return html
    depth = 0
    dropped: Counter[str] = Counter()
    cuts: list[tuple[int, int]] = []
    for m in _TAG.finditer(html):
        end, name = m.group(1), m.group(2).lower()
        if name in VOID_TAGS or name in SELF_CLOSING_RUNS or m.group(3):
            continue
        if end:
            if dropped[name]:
                dropped[name] -= 1
                cuts.append(m.span())
            else:
                depth = max(depth - 1, 0)
        elif depth >= max_depth:
            dropped[name] += 1
            cuts.append(m.span())
        else:
            depth += 1
    if not cuts:
        return html
    pieces, at = [], 0
    for start, stop in cuts:
        pieces.append(html[at:start])
        at = stop
    pieces.append(html[at:])
    return "".join(pieces)


def html_to_text(html: str, *, hidden_classes: Iterable[str] = HIDDEN_CLASSES) -> str:
    """The readable text of an HTML fragment or page.

    ``hidden_classes`` names classes whose elements are not shown to readers (and so dropped).
    """
    if not html or ("<" not in html and "&" not in html):
        return (html or "").strip()
    hidden = tuple(hidden_classes)
    tree = LexborHTMLParser(shallow(html))
    root = tree.body or tree.root
    if root is None:
        return ""
    parts: list[str] = []
    # iterative walk: (node, in_pre); an item None closes a block element
    stack: list[tuple[LexborNode, bool] | None] = []
    child = root.first_child
    children = []
    while child is not None:
        children.append(child)
        child = child.next
    stack.extend((c, False) for c in reversed(children))
    while stack:
        item = stack.pop()
        if item is None:
            parts.append(_PARA)
            continue
        node, in_pre = item
        tag = node.tag
        if tag == "-text":
            text = node.text(deep=False) or ""
            parts.append(text if in_pre else _SPACES.sub(" ", text))
            continue
        if tag == "br":
            parts.append(_LINE)
            continue
        if tag in SKIP_TAGS or tag.startswith("-") or _hidden(node, hidden):
            continue  # comments, doctype, hidden elements
        block = tag in BLOCK_TAGS
        if block:
            parts.append(_PARA)
            stack.append(None)
        kids = []
        child = node.first_child
        while child is not None:
            kids.append(child)
            child = child.next
        pre = in_pre or tag == "pre"
        stack.extend((c, pre) for c in reversed(kids))
    return _join(parts)


def _join(parts: list[str]) -> str:
    text = "".join(parts)
    text = text.replace(_LINE, "\n")
    lines = [line.strip(" ") for line in text.replace(_PARA, "\n\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def links_in_html(html: str, *, skip_classes: Iterable[str] = ("mention", "hashtag")) -> list[str]:
    """The ``href`` of every link in ``html`` except those with a class in ``skip_classes``
    (Mastodon marks mention and hashtag links so), in order, without repeats."""
    if not html or "<a" not in html.lower():
        return []
    skip = tuple(skip_classes)
    seen: dict[str, None] = {}
    for node in LexborHTMLParser(shallow(html)).css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href and not _hidden(node, skip) and not href.startswith(("#", "javascript:")):
            seen.setdefault(href, None)
    return list(seen)
