"""The sentence splitter is linear in the length of the article, and splits exactly as the
quadratic one it replaced (a search of the whole text before every full stop, and a stop pattern
tried again from inside every run of stops)."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.analyze import article_sentences
from groundswell.analyze.article_sentences import Sentence, split_sentences

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURES = sorted(
    p
    for folder in (DATA / "articles", DATA / "articles_eval")
    for p in folder.iterdir()
    if p.suffix in (".txt", ".md", ".html")
)

_OLD_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
_OLD_WORD_BEFORE = re.compile(r"([\w.'’-]+)$")


def _old_word_before(text: str, end: int) -> str:
    m = _OLD_WORD_BEFORE.search(text, 0, end)
    return m.group(1) if m else ""


@contextmanager
def _old_splitter():
    """The splitter as it was: the old stop pattern, the word before found by searching from 0."""
    with (
        mock.patch.object(article_sentences, "_BOUNDARY", _OLD_BOUNDARY),
        mock.patch.object(article_sentences, "_word_before", _old_word_before),
    ):
        yield


def _texts() -> list[tuple[str, str]]:
    from groundswell.ingest import iter_records

    out = []
    for path in FIXTURES:
        out.append((f"{path.name} (file)", path.read_text(encoding="utf-8")))
        out.append((f"{path.name} (article)", next(iter(iter_records([path], fmt="article"))).text))
    return out


@pytest.mark.parametrize(("name", "text"), _texts(), ids=lambda v: v if len(v) < 60 else "")
def test_split_is_the_old_split_on_every_fixture(name, text):
    new = split_sentences(text)
    with _old_splitter():
        old = split_sentences(text)
    assert len(new) > 3, name
    assert new == old, name


_ATOMS = [
    ".", ".", "!", "?", "…", '"', "'", "”", "’", ")", "]", "(", "“", "‘", " ", "  ", "\n",
    "\n\n", "\n \n", "\t", ",", "-", "_", "a", "Ab", "The", "the", "Mr", "mr", "e.g", "U.S",
    "J", "x", "1", "9", "É", "é", "no", "No", "p.m", "Jan", "But", "St",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ATOMS), max_size=60).map("".join))
def test_split_is_the_old_split_on_tricky_text(text):
    new = split_sentences(text)
    with _old_splitter():
        old = split_sentences(text)
    assert new == old


def _shifted(sentences: list[Sentence], index: int, offset: int, paragraph: int) -> list:
    return [
        Sentence(index + s.index, s.text, offset + s.start, offset + s.end, paragraph + s.paragraph)
        for s in sentences
    ]


def test_a_long_text_splits_as_its_pieces_and_in_linear_time():
    pieces = [text for _, text in _texts()] * 12  # some 1.1 million characters
    sep = "\n\n"
    whole = sep.join(pieces)
    started = time.perf_counter()
    got = split_sentences(whole)
    took = time.perf_counter() - started
    want: list[Sentence] = []
    offset = paragraphs = 0
    for piece in pieces:
        part = split_sentences(piece)
        want += _shifted(part, len(want), offset, paragraphs)
        offset += len(piece) + len(sep)
        paragraphs += len(article_sentences._iter_paragraphs(piece))
    assert len(got) > 20_000
    assert got == want
    assert took < 30  # well under a second here; the quadratic splitter took over an hour


@pytest.mark.parametrize("stops", ["." * 100_000, "!" * 100_000, "…" * 100_000, "?!" * 50_000])
def test_a_long_run_of_stops_is_quick(stops):
    text = f"It ends here{stops} and goes on{stops} Then a new one."
    started = time.perf_counter()
    got = split_sentences(text)
    assert time.perf_counter() - started < 10  # milliseconds; minutes before
    assert [s.text for s in got] == [f"It ends here{stops} and goes on{stops}", "Then a new one."]


def test_a_long_word_before_a_stop_is_read_once():
    word = "x" * 2_000_000
    got = split_sentences(f"{word}. Next one. Mr. Smith came.")
    assert [s.text for s in got] == [f"{word}.", "Next one.", "Mr. Smith came."]
