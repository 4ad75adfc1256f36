"""Long-form articles (.html, .md, .txt) read into the articles table.

The fixtures are three short op-eds written for these tests (supportive, critical, mixed).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundswell.ingest.article import ArticleReader, article_id, looks_tabular
from groundswell.ingest.registry import Head, detect, load_readers
from groundswell.ingest.source import Source
from groundswell.store import Store, ingest

DATA = Path(__file__).resolve().parents[1] / "data" / "articles"
HTML = DATA / "floodgates.html"
MD = DATA / "due-process.md"
TXT = DATA / "two-cheers.txt"


def _articles(store: Store) -> dict[str, dict]:
    cur = store.con.execute("SELECT * FROM articles")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return {Path(r["source_file"]).name: r for r in rows}


def test_three_articles_reconcile(store):
    report = ingest([DATA], store)
    assert report.balanced
    assert report.read == report.stored + report.duplicates + report.reposts + report.quarantined
    assert report.articles == report.stored == 3 and report.by_format == {"article": 3}
    rows = _articles(store)
    for row in rows.values():
        assert row["id"] == article_id(row["title"], row["text"])
        assert len(row["text"].split()) > 250
        assert "\n\n" in row["text"]  # paragraphs are kept


def test_html_article(store):
    ingest([HTML], store)
    row = _articles(store)[HTML.name]
    raw = HTML.read_text(encoding="utf-8")
    assert row["title"] == raw.split("<h1>")[1].split("</h1>")[0]
    assert row["author"] == raw.split('name="author" content="')[1].split('"')[0]
    assert row["url"] == raw.split('rel="canonical" href="')[1].split('"')[0]
    published = raw.split('article:published_time" content="')[1].split('"')[0]
    assert row["created_at"] == datetime.fromisoformat(published).astimezone(UTC).replace(
        tzinfo=None
    )
    for dropped in ("dataLayer", "font-family", "Subscribe", "All rights reserved", "Sport"):
        assert dropped not in row["text"]
    first_p = raw.split("<p>")[1].split("</p>")[0]
    assert row["text"].split("\n\n")[1] == " ".join(
        first_p.replace("<em>", "").replace("</em>", "").split()
    )
    assert "wrote #MeToo already" in row["text"]  # a link's text stays inline


def test_markdown_article(store):
    ingest([MD], store)
    row = _articles(store)[MD.name]
    front = dict(
        line.split(": ", 1)
        for line in MD.read_text(encoding="utf-8").split("---")[1].strip().splitlines()
    )
    assert row["title"] == front["title"].strip('"')
    assert row["author"] == front["author"]
    assert row["url"] == front["url"]
    assert row["created_at"] == datetime.fromisoformat(front["date"])
    assert row["text"].startswith("Three months into the #MeToo era")
    assert "**" not in row["text"] and "](http" not in row["text"] and "# " not in row["text"]
    assert "A right to respond before a name is published." in row["text"].split("\n\n")


def test_text_article(store):
    ingest([TXT], store)
    row = _articles(store)[TXT.name]
    lines = TXT.read_text(encoding="utf-8").splitlines()
    assert row["title"] == lines[0]
    assert row["author"] == lines[1].split(": ", 1)[1]
    assert row["created_at"] == datetime(2018, 3, 8)  # "Date: 8 March 2018"
    assert not row["text"].startswith(("By:", "Date:", lines[0]))
    assert row["url"] is None


def test_same_text_twice_is_one_article(tmp_path, store):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(TXT.read_bytes())
    report = ingest([TXT, copy], store)
    assert report.balanced and report.stored == 1 and report.duplicates == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"id": "1", "text": "a post"}\n{"id": "2", "text": "another post"}\n',
        "id,text,created_at\n1,a post about #MeToo,2018-01-01\n2,another one,2018-01-02\n",
        "id\ttext\tauthor\n1\tsome words here\tu1\n2\tmore words here\tu2\n",
    ],
)
def test_tabular_txt_is_not_an_article(tmp_path, body):
    path = tmp_path / "export.txt"
    path.write_text(body, encoding="utf-8")
    source = Source(path)
    assert ArticleReader().sniff(Head(source, source.head())) == 0.0
    detected = detect(source, load_readers())
    assert detected is None or detected.name != "article"


def test_documentation_is_not_an_article(tmp_path):
    doc = tmp_path / "notes.md"
    doc.write_text(
        "# Data\n\n" + "".join(f"- `col{i}`: a column of the export\n" for i in range(20)),
        encoding="utf-8",
    )
    readme = tmp_path / "README.md"
    readme.write_text(TXT.read_text(encoding="utf-8"), encoding="utf-8")
    chat = tmp_path / "messages.html"
    chat.write_text(
        "<html><body>"
        + "".join(
            f'<div class="message"><div class="text">message {i} #MeToo</div></div>'
            for i in range(30)
        )
        + "</body></html>",
        encoding="utf-8",
    )
    for path in (doc, readme, chat):
        source = Source(path)
        assert ArticleReader().sniff(Head(source, source.head())) == 0.0


def test_looks_tabular():
    assert looks_tabular(json.dumps({"a": 1}))
    assert not looks_tabular(TXT.read_text(encoding="utf-8"))
