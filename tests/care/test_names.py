"""Private persons' names hidden wherever post text is shown, including the forms the people
analysis does not index: a lone given name, a name after a relation or title cue."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest

from groundswell.care.names import (
    NameMasker,
    census_given_names,
    lone_given_names,
    mask_private_names,
    merged_spans,
)
from groundswell.report.examples import clean_excerpt
from groundswell.schema import Post
from groundswell.store import Store
from groundswell.store.export import export_posts

P = "[private person]"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("My uncle Dave touched me when I was 9.", f"My uncle {P} touched me when I was 9."),
        ("her boss Mr. Henderson cornered her", f"her boss Mr. {P} cornered her"),
        ("a guy named Steve at the bar grabbed me", f"a guy named {P} at the bar grabbed me"),
        ("Coach Barlow's office was where", f"Coach {P}'s office was where"),
        ("My ex-boyfriend Tom Riley hit me.", f"My ex-boyfriend {P} hit me."),
        ("my friend Will drove me home", f"my friend {P} drove me home"),  # an everyday word
        ("Kayleigh told me everything.", f"{P} told me everything."),  # census list only
        ("Lt. Colonel Anna Derkach spoke", f"Lt. Colonel {P} spoke"),  # the whole name
        ("The Chew's Carla Hall on food", f"The Chew's {P} on food"),
        ("Dave On Monday said no", f"{P} On Monday said no"),
        ("my uncle dave touched me", f"my uncle {P} touched me"),  # written small, after a cue
        ("a guy named steve's friend", f"a guy named {P}'s friend"),
        # the rest of a name the people index cut short, and a hyphenated surname, go too
        ("Gerald Fitzwilliam Henderson assaulted me", f"{P} assaulted me"),
        ("accused by Rosalind Quayle-Barrington today", f"accused by {P} today"),
        ("Anna Maria Derkach-Wolff's office", f"{P}'s office"),
        ("Kayleigh Moore-Dunn told me", f"{P} told me"),
        # a surname after a cue with a capital inside, an apostrophe or a particle
        ("Mr. McDonald touched me", f"Mr. {P} touched me"),
        ("my boss Mr. DeVito yelled", f"my boss Mr. {P} yelled"),
        ("my uncle O'Brien did it", f"my uncle {P} did it"),
        ("Ms. O'Connor-Reilly saw it", f"Ms. {P} saw it"),
        ("Mrs. van Dyke did it", f"Mrs. {P} did it"),
        ("Mr. de la Cruz did it", f"Mr. {P} did it"),
    ],
)
def test_private_names_are_hidden(text, shown):
    assert mask_private_names(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Harvey Weinstein is facing justice. Harvey's lawyers disagree.",  # a public figure
        "Melania Trump speaks about #MeToo",  # a public figure's family name follows
        "Will you listen? Grace and Hope are virtues, in India and Georgia.",
        "St Anne's School speaks up",
        "@JaneDoe I believe you #MeToo #TimesUp",
        "Dr. Ford testified; Christine Blasey Ford was brave.",
        "my friend will drive me, the teacher said no",  # small words after a cue stay
    ],
)
def test_public_figures_and_everyday_words_stay(text):
    assert mask_private_names(text) == text


def test_census_names_come_from_the_wheel():
    census = census_given_names()
    assert len(census) > 5000 and {"marisol", "reginald", "mary"} <= census
    assert "will" in census and "will" not in lone_given_names()


def test_spans_are_sorted_and_merged():
    text = "my uncle Dave and Kayleigh"
    spans = NameMasker().spans(text)
    assert [text[s:e] for s, e in spans] == ["Dave", "Kayleigh"]
    assert merged_spans([(5, 9), (0, 3), (2, 6), (20, 30)], 12) == [(0, 9)]


def _store(path) -> Store:
    store = Store(path)
    texts = {
        "t1": "My stepdad Reginald abused me for years. #MeToo",
        "t2": "Kayla Ostrow should resign #MeToo",
    }
    store.write_batch(
        [
            Post(platform="twitter", id=pid, text=t, author=pid, created_at=datetime(2018, 1, 1))
            for pid, t in texts.items()
        ]
    )
    return store


def test_store_public_people_stay_named(tmp_path):
    """A person the store's people analysis made public (named by many) keeps their name."""
    with _store(tmp_path / "s.duckdb") as store:
        assert "Ostrow" not in NameMasker.for_store(store.con).mask("Kayla Ostrow should resign")
        store.con.execute(
            "CREATE TABLE person_mentions (platform VARCHAR, id VARCHAR, person VARCHAR, "
            'role VARCHAR, start INT, "end" INT, public BOOLEAN)'
        )
        store.con.execute(
            "INSERT INTO person_mentions VALUES ('twitter', 't2', 'Kayla Ostrow', 'accused', 0, "
            "12, true)"
        )
        masker = NameMasker.for_store(store.con)
    assert masker.mask("Kayla Ostrow should resign") == "Kayla Ostrow should resign"
    assert masker.mask("Reginald did it") == f"{P} did it"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exports_hide_private_names(tmp_path, fmt):
    out = tmp_path / f"posts.{fmt}"
    with _store(tmp_path / "s.duckdb") as store:
        export_posts(store, fmt, out)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        rows = list(csv.DictReader(out.open(newline="")))
    texts = {r["id"]: r["text"] for r in rows}
    assert texts and all("Reginald" not in t and "Ostrow" not in t for t in texts.values())
    assert any(f"My stepdad {P} abused me" in t for t in texts.values())


def test_report_excerpts_hide_lone_names():
    assert (
        clean_excerpt("Marisol saw it and told my aunt Dolores.")
        == f"{P} saw it and told my aunt {P}."
    )


def test_a_post_naming_thousands_is_masked_in_linear_time():
    """A 640 KB post naming "Dave" 20,000 times hung the export: each name was checked against
    every name found before it, and each replacement copied the whole text."""

    text = "I believe her. #MeToo Dave said " * 20_000
    shown = mask_private_names(text)
    assert shown == f"I believe her. #MeToo {P} said " * 20_000
    spans = NameMasker().spans("my uncle Dave and Kayleigh, " * 10_000)
    assert len(spans) == 20_000 and spans == merged_spans(spans, 10**9)
