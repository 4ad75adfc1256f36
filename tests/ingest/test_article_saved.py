"""Articles as people save them (issue 9, item 3): one run-on line copied from a news page, no
title, a short note, Markdown front matter, invisible characters. Every text here was written for
these tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.analyze.article import analyze_files
from groundswell.ingest.article import ArticleReader
from groundswell.ingest.registry import Head, detect, load_readers
from groundswell.ingest.source import Source
from groundswell.schema import Article
from groundswell.store import ingest

BODY = (
    "When the hashtag reached our small town, the library put up a board where anyone could pin "
    "a note. Within a week it was covered. Most notes were short, a first name and a year. The "
    "board did not fix anything, but it made the silence harder to keep, and that is a start."
)


def _read(path: Path) -> list:
    return list(ArticleReader().read(Source(path)))


def _article(path: Path) -> Article:
    records = _read(path)
    assert len(records) == 1 and isinstance(records[0], Article), records
    return records[0]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_run_on_line_with_date_splits_title_and_body(tmp_path):
    line = (
        "The board at the library Notes pinned by neighbours said more than any speech "
        "12 March 2018 " + BODY
    )
    art = _article(_write(tmp_path, "scraped.txt", line + "\n"))
    assert art.created_at == datetime(2018, 3, 12, tzinfo=UTC)
    assert art.text == BODY
    assert art.title.startswith("The board at the library")
    assert "2018" not in art.title


def test_run_on_line_without_date_is_all_body(tmp_path):
    line = "Opinion | " + BODY
    art = _article(_write(tmp_path, "scraped.txt", line))
    assert art.text == line  # nothing is dropped, nothing is refused
    assert art.title  # a title for display, taken from the text


def test_cli_reads_a_run_on_line(tmp_path):
    path = _write(tmp_path, "scraped.txt", BODY)
    done, failed = analyze_files([str(path)])
    assert not failed and len(done) == 1


def test_ingest_stores_a_run_on_line(tmp_path, store):
    path = _write(tmp_path, "scraped.txt", BODY)
    report = ingest([path], store)
    assert report.balanced and report.articles == 1 and report.quarantined == 0


def test_text_without_a_title_keeps_its_first_sentence(tmp_path):
    first = "Nobody in the office said anything at first, and then everybody did at once."
    text = first + "\nIt took a single message to start it.\n\n" + BODY + "\n"
    art = _article(_write(tmp_path, "untitled.txt", text))
    assert art.text.startswith(first)


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u00a0", "\u2060", "\u200d "])
def test_invisible_characters_are_never_the_text(tmp_path, invisible):
    art = _article(_write(tmp_path, "one.txt", BODY + "\n\n" + invisible + "\n"))
    assert art.text == BODY


def test_invisible_only_is_refused(tmp_path):
    records = _read(_write(tmp_path, "blank.txt", "\u200b\n\ufeff\n"))
    assert len(records) == 1 and records[0].reason == "article without text"


def test_different_texts_get_different_ids(tmp_path):
    other = BODY.replace("library", "town hall")
    a = _article(_write(tmp_path, "a.txt", BODY + "\n\n\u200b\n"))
    b = _article(_write(tmp_path, "b.txt", other + "\n\n\u200b\n"))
    assert a.id != b.id
    c = _article(_write(tmp_path, "c.txt", "A pinboard\n\n" + BODY))
    d = _article(_write(tmp_path, "d.txt", "A different headline\n\n" + BODY))
    assert c.id != d.id


def test_different_texts_are_both_stored(tmp_path, store):
    _write(tmp_path, "a.txt", BODY + "\n\n\u200b\n")
    _write(tmp_path, "b.txt", BODY.replace("library", "town hall") + "\n\n\u00a0\n")
    report = ingest([tmp_path], store)
    assert report.balanced and report.articles == 2 and report.duplicates == 0


def test_same_text_with_other_spacing_is_one_article(tmp_path, store):
    _write(tmp_path, "a.txt", "A pinboard\n\n" + BODY + "\n")
    _write(tmp_path, "b.txt", "\ufeffA pinboard\r\n\r\n" + BODY.replace(". ", ".  ") + "\u200b\r\n")
    report = ingest([tmp_path], store)
    assert report.balanced and report.articles == 1 and report.duplicates == 1


def test_markdown_front_matter(tmp_path):
    text = (
        "---\n"
        'title: "Notes on a board: what the town wrote"\n'
        "date: 2018-03-12\n"
        "author: Jo Okafor\n"
        "tags:\n  - metoo\n  - libraries\n"
        "---\n\n" + BODY + "\n"
    )
    art = _article(_write(tmp_path, "board.md", text))
    assert art.title == "Notes on a board: what the town wrote"
    assert art.author == "Jo Okafor"
    assert art.created_at == datetime(2018, 3, 12, tzinfo=UTC)
    assert art.text == BODY


def test_front_matter_in_a_txt(tmp_path):
    text = "---\ntitle: A board\nauthor: Jo Okafor\n---\n" + BODY + "\n"
    art = _article(_write(tmp_path, "board.txt", text))
    assert art.title == "A board" and art.author == "Jo Okafor" and art.text == BODY


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("short.txt", "Enough is enough. We believe you, and we will keep saying it.\n"),
        ("short.md", "# We believe you\n\nEnough is enough. We will keep saying it.\n"),
        ("scraped.txt", BODY),
    ],
)
def test_short_articles_are_detected(tmp_path, name, text):
    source = Source(_write(tmp_path, name, text))
    detected = detect(source, load_readers())
    assert detected is not None and detected.name == "article"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("ids.txt", "1234567890\n1234567891\n1234567892\n"),
        ("list.md", "- one\n- two\n- three\n"),
        ("code.md", "```\npip install groundswell\n```\n"),
        ("posts.txt", '{"id": "1", "text": "a post"}\n'),
        ("table.txt", "id,text\n1,a post about #MeToo\n2,another\n"),
    ],
)
def test_short_non_prose_is_not_an_article(tmp_path, name, text):
    source = Source(_write(tmp_path, name, text))
    assert ArticleReader().sniff(Head(source, source.head())) == 0.0


ONE_PARAGRAPH = (
    "<html><head><title>Why I believe</title></head><body><h1>Why I believe</h1><p>Survivors "
    "deserve to be believed, and the movement is far from over. We owe them more than hashtags; "
    "we owe them changed workplaces, laws and habits.</p></body></html>"
)
IN_DIVS = (
    '<html><body><div class="post">Survivors deserve to be believed, and the movement is far '
    "from over.<br><br>We owe them more than hashtags.</div></body></html>"
)


@pytest.mark.parametrize("html", [ONE_PARAGRAPH, IN_DIVS], ids=["one-p", "divs"])
def test_a_short_html_article_is_ingested(tmp_path, store, html):
    """A page of one ``<p>`` (or none) was "no known format" to ingest, yet read by
    ``groundswell article``: detection wanted two paragraphs or an ``<article>``."""
    path = _write(tmp_path, "op-ed.html", html)
    assert detect(Source(path), load_readers()).name == "article"
    report = ingest([path], store, progress=False)
    assert report.articles == 1 and report.balanced
    (text,) = store.con.execute("SELECT text FROM articles").fetchone()
    assert text.startswith("Survivors deserve to be believed")
    assert analyze_files([str(path)])[0]


@pytest.mark.parametrize(
    "html",
    [
        '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">We believe survivors and we '
        "will keep saying it until the laws change #MeToo</p>&mdash; Ada (@ada) "
        '<a href="https://twitter.com/ada/status/1">March 1, 2024</a></blockquote>'
        '<script async src="https://platform.twitter.com/widgets.js"></script>',
        "<html><body>"
        + "".join(f'<div class="message">message {i} from a chat #MeToo</div>' for i in range(30))
        + "</body></html>",
        "<html><script>alert(1)</script><style>x{}</style></html>",
        "<html><body><p>Short op-ed.</p></body></html>",
    ],
    ids=["embedded-tweet", "chat", "script", "two-words"],
)
def test_a_page_that_is_no_article_is_not_taken_for_one(tmp_path, html):
    source = Source(_write(tmp_path, "page.html", html))
    assert ArticleReader().sniff(Head(source, source.head())) == 0.0


@pytest.mark.parametrize(
    ("charset", "meta"),
    [
        ("iso-8859-1", '<meta charset="iso-8859-1">'),
        (
            "windows-1252",
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        ),
        ("shift_jis", "<meta charset=Shift_JIS>"),
    ],
)
def test_a_page_in_the_charset_its_head_declares_is_read(tmp_path, charset, meta):
    """A page saved as it was served, not in UTF-8, is read in the charset it declares."""
    title = "Café déjà vu" if charset != "shift_jis" else "運動は社会を変えた"
    body = (
        "Le mouvement #MeToo a changé la société."
        if charset != "shift_jis"
        else ("#MeToo 運動は社会を変えた。私たちは被害者を信じる。")
    )
    page = f"<html><head>{meta}<title>{title}</title></head><body><p>{body}</p></body></html>"
    path = tmp_path / "page.html"
    path.write_bytes(page.encode(charset))
    done, failed = analyze_files([str(path)])
    assert not failed and len(done) == 1
    assert done[0].title == title and "#metoo" in done[0].hashtags


def test_a_page_that_is_no_utf8_and_declares_nothing_is_still_refused(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes("<html><body><p>Café #metoo</p></body></html>".encode("latin-1"))
    done, failed = analyze_files([str(path)])
    assert not done and "invalid UTF-8" in failed[0].reason
