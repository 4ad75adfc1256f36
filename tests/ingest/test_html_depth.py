"""HTML nested deeper than a browser would build it (100,000 <div>s took lexbor 12 s to parse
and an article 27 s to ingest, quadratic in the depth) loses the tags past depth 512, never the
text; pages of ordinary depth pass through unchanged."""

from __future__ import annotations

from pathlib import Path

from groundswell.ingest.html_text import MAX_DEPTH, html_to_text, links_in_html, shallow
from groundswell.store import Store, ingest

PROSE = "Harvey Weinstein was accused. Some columnists said the movement went too far. "


def _deep(n: int, closed: bool = True) -> str:
    inner = f"<p>{PROSE * 3}<a href='https://example.org/deep'>source</a></p>"
    return "<div>" * n + inner + ("</div>" * n if closed else "")


def test_a_page_of_ordinary_depth_is_the_same_string():
    page = ("<div><section><ul>" + "<li>item<b>bold</b>" * 2000 + "</ul></section></div>") * 3
    page += "<p>unclosed paragraph" * 800 + "<br><img src=x>" * 600
    assert shallow(page) is page


def test_deep_nesting_keeps_the_text_and_the_links():
    for closed in (True, False):
        html = "<p>first</p>" + _deep(100_000, closed) + "<p>after</p>"
        flat = shallow(html)
        assert flat.count("<div>") == MAX_DEPTH - 1 or flat.count("<div>") == MAX_DEPTH
        assert flat.count("</div>") <= MAX_DEPTH
        text = html_to_text(html)
        assert text.startswith("first\n\n") and text.endswith("after")
        assert PROSE.strip() in text and "source" in text
        assert links_in_html(html) == ["https://example.org/deep"]


def test_end_tags_of_removed_elements_go_with_them():
    html = "<div>" * (MAX_DEPTH + 5) + "x" + "</div>" * (MAX_DEPTH + 5) + "<span>tail</span>"
    flat = shallow(html, MAX_DEPTH)
    assert flat.count("<div>") == flat.count("</div>") == MAX_DEPTH
    assert flat.endswith("x" + "</div>" * MAX_DEPTH + "<span>tail</span>")


def test_a_deeply_nested_article_is_read_whole(tmp_path: Path):
    page = tmp_path / "deep.html"
    page.write_text(
        "<html><head><title>Deep op-ed</title></head><body><p>Opening line.</p><p>Second.</p>"
        + _deep(100_000)
        + "</body></html>",
        encoding="utf-8",
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([page], store, progress=False)
        assert report.articles == 1 and report.balanced
        title, text = store.con.execute("SELECT title, text FROM articles").fetchone()
    assert title == "Deep op-ed"
    assert text.startswith("Opening line.\n\nSecond.") and PROSE.strip() in text
