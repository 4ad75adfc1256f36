"""Named people: alias merging, roles, the public-figure rule, attention, and privacy."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from people_planted import (
    ALIAS_FORMS,
    INVENTED,
    PRIVATE_NAME,
    alias_posts,
    attention_posts,
    background,
    invented_figure_posts,
    post,
    private_posts,
    write_posts,
)

from groundswell.analyze.people import PeopleAnalysis, attention, people, suppressed
from groundswell.analyze.people_mentions import (
    PRIVATE,
    build_index,
    extract_mentions,
    find_people,
)
from groundswell.analyze.people_roles import ROLES


def _names(frame) -> list[str]:
    return list(frame["person"])


def _everything_but_posts(store) -> str:
    """Every value of every table except the raw posts, as one string."""
    con = store.con
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name <> 'posts'"
        ).fetchall()
    ]
    dump = []
    for table in tables:
        for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
            dump.append(" ".join(str(v) for v in row))
    return "\n".join(dump)


# -- text level ---------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ALIAS_FORMS)
def test_every_alias_form_maps_to_one_canonical_person(form):
    text = f"Thank you {form} for starting this"
    found = extract_mentions(text)
    assert [m["canonical"] for m in found] == ["Alyssa Milano"]
    m = found[0]
    assert m["public"] is True
    assert text[m["start"] : m["end"]] == form.removesuffix("'s")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("#MJAkbar must go", "#MJAkbar"),
        ("why won't the GoI demand #MJAkbar’s resignation", "#MJAkbar"),
        ("HarveyWeinstein is done", "HarveyWeinstein"),
        ("#Weinstein trending again", "#Weinstein"),
    ],
)
def test_hashtags_and_squashed_names_map_to_the_person(text, name):
    found = extract_mentions(text)
    assert len(found) == 1 and found[0]["name"] == name and found[0]["public"]
    assert "#MeToo" not in {m["name"] for m in extract_mentions("#MeToo #TimesUp")}


def test_ambiguous_or_common_surname_alone_is_not_a_person():
    assert extract_mentions("Affleck won an award") == []  # Ben and Casey
    assert extract_mentions("a rose by any other name") == []
    assert extract_mentions("Capitol Hill was quiet") == []  # Hill: a common word
    assert [m["canonical"] for m in extract_mentions("Ben Affleck won")] == ["Ben Affleck"]


def test_corpus_surname_merges_only_when_unique():
    from groundswell.analyze.people_mentions import Person

    index = build_index([Person("Mark Dunn")])
    assert [h.person.canonical for h in find_people("Dunn lied.", index)] == ["Mark Dunn"]
    index = build_index([Person("Mark Dunn"), Person("Sarah Dunn")])
    assert find_people("Dunn lied.", index) == []


def test_private_people_are_masked_by_default():
    found = extract_mentions("My manager Gregory Vanterpool harassed me.")
    assert found and found[0]["name"] == PRIVATE and found[0]["canonical"] == PRIVATE
    assert found[0]["public"] is False
    raw = extract_mentions("My manager Gregory Vanterpool harassed me.", mask_private=False)
    assert raw[0]["canonical"] == PRIVATE_NAME


ROLE_CASES = [
    (
        "Ashley Judd says Harvey Weinstein harassed her.",
        {"Ashley Judd": "accuser", "Harvey Weinstein": "accused"},
    ),
    ("Allegations against Kevin Spacey keep piling up", {"Kevin Spacey": "accused"}),
    ("#MeToo Louis C.K. admits the stories are true", {"Louis C.K.": "accused"}),
    ("Matt Lauer fired after a complaint from a colleague", {"Matt Lauer": "accused"}),
    ("Charlie Rose resigns from the network", {"Charlie Rose": "accused"}),
    ("Honestly, Harvey Weinstein is a monster and everyone knew.", {"Harvey Weinstein": "accused"}),
    ("Harvey Weinstein is a producer who spoke at the panel.", {"Harvey Weinstein": "commentator"}),
    ("Roy Moore was accused by several women", {"Roy Moore": "accused"}),
    (
        "Judd accused Weinstein of harassment",
        {"Ashley Judd": "accuser", "Harvey Weinstein": "accused"},
    ),
    ("Rose McGowan came forward last week.", {"Rose McGowan": "accuser"}),
    ("Christine Blasey Ford's testimony was brave.", {"Christine Blasey Ford": "accuser"}),
    (
        "Dr. Ford testified before the committee about Kavanaugh",
        {"Christine Blasey Ford": "accuser", "Brett Kavanaugh": "commentator"},
    ),
    ("I believe Anita Hill. Always have.", {"Anita Hill": "accuser"}),
    ("Terry Crews was groped by an agent, he says", {"Terry Crews": "accuser"}),
    ("Matt Damon says there is a spectrum of behaviour", {"Matt Damon": "commentator"}),
    ("Oprah Winfrey gave a speech at the Golden Globes", {"Oprah Winfrey": "commentator"}),
    ("The victims of Larry Nassar spoke in court", {"Larry Nassar": "accused"}),
    (
        "Simone Biles says she was abused by Larry Nassar",
        {"Simone Biles": "accuser", "Larry Nassar": "accused"},
    ),
    ("Tarana Burke started the movement years ago.", {"Tarana Burke": "commentator"}),
    (
        "Gwyneth Paltrow and Angelina Jolie say Weinstein harassed them",
        {"Gwyneth Paltrow": "accuser", "Angelina Jolie": "accuser", "Harvey Weinstein": "accused"},
    ),
    (
        "Asia Argento, one of Weinstein's accusers, spoke at Cannes",
        {"Asia Argento": "accuser", "Harvey Weinstein": "accused"},
    ),
    (
        "Anthony Rapp says Kevin Spacey made a sexual advance when he was 14",
        {"Anthony Rapp": "accuser", "Kevin Spacey": "accused"},
    ),
    (
        "Aly Raisman confronted Larry Nassar in court",
        {"Aly Raisman": "accuser", "Larry Nassar": "accused"},
    ),
    (
        "Weinstein, Spacey and Lauer all resigned",
        {"Harvey Weinstein": "accused", "Kevin Spacey": "accused", "Matt Lauer": "accused"},
    ),
    ('"He raped me," said Rose McGowan', {"Rose McGowan": "accuser"}),
    ("Al Franken will resign from the Senate", {"Al Franken": "accused"}),
    ("#MeToo Tarana Burke came forward about her own story", {"Tarana Burke": "accuser"}),
    ("Oprah Winfrey was touched by the letters", {"Oprah Winfrey": "commentator"}),
    ("I reported Peter Halloran to HR and nothing happened", {PRIVATE: "accused"}),
    ("Thank you Will Anyone and Rose Garden", {}),
    # issue 9 item 5: the sentence around the name decides
    ("In the end men like Harvey Weinstein were held to account.", {"Harvey Weinstein": "accused"}),
    ("Harvey Weinstein, who was convicted in 2020, appealed.", {"Harvey Weinstein": "accused"}),
    ("The case against Harvey Weinstein opens today.", {"Harvey Weinstein": "accused"}),
    ("Harvey Weinstein's accusers spoke to the press.", {"Harvey Weinstein": "accused"}),
    (
        "Oprah Winfrey said the #MeToo movement is changing Hollywood.",
        {"Oprah Winfrey": "commentator"},
    ),
    ("Oprah Winfrey wrote that #MeToo needs more voices.", {"Oprah Winfrey": "commentator"}),
    (
        "Rose McGowan accused Harvey Weinstein of rape.",
        {"Rose McGowan": "accuser", "Harvey Weinstein": "accused"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), ROLE_CASES)
def test_roles_from_cue_words(text, expected):
    got = {m["canonical"]: m["role"] for m in extract_mentions(text)}
    assert got == expected


NAMEISH = st.sampled_from(
    [
        "Harvey",
        "Weinstein",
        "#MJAkbar",
        "@Alyssa_Milano",
        "Milano's",
        "’s",
        "'s",
        " ",
        ".",
        "Mark",
        "Dunn",
        "#",
        "@",
        "C.K.",
        "Louis",
        "accused",
        "of",
        ",",
        "\n",
        "É",
        "ß",
        "İ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMEISH, max_size=30).map("".join) | st.text(max_size=200))
def test_extract_mentions_never_fails_and_spans_are_in_the_text(text):
    for m in extract_mentions(text, mask_private=False):
        assert 0 <= m["start"] < m["end"] <= len(text)
        assert m["role"] in ROLES
        assert text[m["start"] : m["end"]] == m["name"]


# -- store level --------------------------------------------------------------------------------
@pytest.fixture
def planted(store):
    write_posts(
        store,
        background(40) + alias_posts() + private_posts(5) + attention_posts({0: 12, 1: 3, 2: 20}),
    )
    return store


def test_aliases_merge_in_the_store(planted):
    frame = people(planted).set_index("person")
    row = frame.loc["Alyssa Milano"]
    assert row["mentions"] == len(ALIAS_FORMS)
    assert row["authors"] == len(ALIAS_FORMS)
    assert row["kind"] == "entertainer"
    assert not any("Milano" in p and p != "Alyssa Milano" for p in frame.index)


def test_attention_counts_distinct_authors_per_day(planted):
    att = attention(planted)
    hw = att[att["person"] == "Harvey Weinstein"]
    assert list(hw["authors"]) == [12, 3, 20]
    assert list(hw["mentions"]) == [13, 4, 21]  # the first author of each day posts twice
    row = people(planted).set_index("person").loc["Harvey Weinstein"]
    assert row["authors"] == 20 and str(row["peak_day"])[:10] == "2017-10-17"
    assert row["accused"] == row["authors"]  # "allegations against ..." every time
    assert row["accuser"] == 0 and row["commentator"] == 0
    shown_row = suppressed(people(planted)).set_index("person").loc["Harvey Weinstein"]
    assert shown_row["accused"] == 20 and shown_row["accuser"] == "< 10"  # 0 authors: small
    shown = suppressed(hw)
    assert list(shown["authors"]) == [12, "< 10", 20]


def test_private_person_never_appears_by_name(planted, tmp_path, capsys):
    from groundswell.cli import main

    frame = people(planted)
    att = attention(planted)
    assert PRIVATE in _names(frame)
    private_row = frame.set_index("person").loc[PRIVATE]
    assert private_row["persons"] == 1 and private_row["authors"] == 5
    html = PeopleAnalysis().render(PeopleAnalysis().compute(planted))
    surname = PRIVATE_NAME.split()[1]
    for text in (frame.to_csv(), att.to_csv(), html, _everything_but_posts(planted)):
        assert surname not in text
    planted.close()
    db = str(planted.path)
    assert main(["people", "--db", db, "--json"]) == 0
    out = capsys.readouterr().out
    assert surname not in out
    doc = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert PRIVATE in [p["person"] for p in doc]
    private = next(p for p in doc if p["person"] == PRIVATE)  # 5 authors: suppressed
    assert private["authors"] is None and "authors" in private["suppressed"]


def test_private_person_named_by_many_authors_becomes_public(store):
    write_posts(store, background(10) + private_posts(26))
    assert PRIVATE_NAME in _names(people(store))  # default min_authors=25
    row = people(store).set_index("person").loc[PRIVATE_NAME]
    assert row["kind"] == "named by many" and row["authors"] == 26
    assert PRIVATE_NAME not in _names(people(store, min_authors=27))
    assert PRIVATE_NAME not in _everything_but_posts(store)


def test_sentence_start_after_a_first_name_is_not_a_person(store):
    """ "Thanks Sarah Great job": the corpus also writes "great" in lower case, so "Sarah Great"
    is no name; a surname never written in lower case ("Vanterpool") stays one."""
    texts = ["Thanks Sarah Great job on the panel", "what a great thread", "so great to see"]
    write_posts(store, [post(f"s{i}", f"sa{i}", t) for i, t in enumerate(texts)] + private_posts(3))
    frame = people(store, min_authors=1)
    assert "Sarah Great" not in _names(frame)
    assert PRIVATE_NAME in _names(frame)


def test_invented_figure_without_a_given_name_merges_all_forms(store):
    write_posts(store, background(5) + invented_figure_posts(10))
    frame = people(store, min_authors=10).set_index("person")
    row = frame.loc[INVENTED]
    assert row["kind"] == "named by many"
    assert row["mentions"] == 10 and row["authors"] == 10  # every form, one person
    assert row["accused"] == 10
    assert "New York" not in frame.index and PRIVATE not in frame.index


def test_corpus_index_carries_the_store_public_rule_to_other_texts(store):
    from groundswell.analyze.people import corpus_index

    write_posts(store, background(5) + invented_figure_posts(10) + private_posts(3))
    article = f"An op-ed: {INVENTED} resigned. Also, {PRIVATE_NAME} was named."
    index = corpus_index(store, min_authors=10)
    got = {m["canonical"]: m["public"] for m in extract_mentions(article, index=index)}
    assert got == {INVENTED: True, PRIVATE: False}
    plain = {m["canonical"] for m in extract_mentions(article)}  # gazetteer only
    assert INVENTED not in plain


def test_small_threshold_makes_five_authors_enough(planted):
    assert PRIVATE_NAME in _names(people(planted, min_authors=5))
    assert PRIVATE_NAME not in _names(people(planted, min_authors=6))


def test_forget_removes_mentions(planted):
    from groundswell.store.forget import forget

    people(planted)
    before = planted.con.execute("SELECT count(*) FROM person_mentions").fetchone()[0]
    forget(planted, ["al0"])
    after = planted.con.execute("SELECT count(*) FROM person_mentions").fetchone()[0]
    assert after == before - 1
    assert people(planted).set_index("person").loc["Alyssa Milano", "mentions"] == 4


def test_analysis_runs_and_renders_a_chart(planted):
    analysis = PeopleAnalysis()
    frame = analysis.run(planted)
    spec = analysis.chart(frame)  # the report draws it
    assert spec is not None and "Harvey Weinstein" in spec.series
    assert len(spec.days) == len(spec.series["Harvey Weinstein"])
    html = analysis.render(frame)
    assert "Harvey Weinstein" in html and "&lt; 10" in html
    runs = planted.con.execute("SELECT command FROM runs").fetchall()
    assert ("analyze:people",) in runs


def test_read_only_store_works_without_writing(planted, tmp_path):
    from groundswell.store import Store

    planted.close()
    with Store(planted.path, read_only=True) as ro:
        frame = people(ro)
        assert "Harvey Weinstein" in _names(frame)
    with Store(planted.path) as rw:
        tables = {
            r[0]
            for r in rw.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        assert "person_mentions" not in tables


def test_ner_path_finds_names_without_a_known_given_name(store):
    from groundswell.analyze.people_ner import ner_available

    if not ner_available():
        pytest.skip("spaCy model not installed (extra 'ner')")
    texts = [
        "My supervisor Dorian Pike harassed me at work for years, she says.",
        "Dorian Pike was at the party too.",  # no cue: one cued post is too few to discover
    ]
    write_posts(store, [post(f"n{i}", f"na{i}", t) for i, t in enumerate(texts)])
    without = people(store).set_index("person")
    assert PRIVATE not in without.index
    with_ner = people(store, ner=True).set_index("person")
    assert with_ner.loc[PRIVATE, "mentions"] == 2
    assert "Pike" not in _everything_but_posts(store)


def test_cli_table_output_and_missing_store(planted, tmp_path, capsys):
    from groundswell.cli import main

    planted.close()
    assert main(["people", "--db", str(planted.path)]) == 0
    out = capsys.readouterr().out
    assert "Harvey Weinstein" in out and PRIVATE in out
    assert PRIVATE_NAME.split()[1] not in out
    assert main(["people", "--db", str(tmp_path / "none.duckdb")]) == 3
    assert "no such store" in capsys.readouterr().err


def test_real_tweets_name_every_akbar_mention_and_no_contraction(shared_data, store):
    """On the real #MeToo sample: every "MJ Akbar" spelling maps to the gazetteer figure, and
    no discovered person is a sentence fragment such as "Donald Don't"."""
    import csv
    import re

    path = shared_data / "metoo-unlabelled.csv"
    if not path.exists():
        pytest.skip("metoo-unlabelled.csv not present")
    with path.open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    spelled = re.compile(r"\bM\.?\s?J\.?\s?Akbar\b", re.I)
    with_akbar = [t for t in texts if spelled.search(t)]
    assert with_akbar
    for text in with_akbar:
        assert "M.J. Akbar" in {m["canonical"] for m in extract_mentions(text)}, text
    write_posts(store, [post(f"r{i}", f"ra{i}", t, day=i % 20) for i, t in enumerate(texts)])
    frame = people(store, min_authors=3)
    any_akbar = [t for t in texts if "akbar" in t.lower()]  # "Akbar resigns": surname alone
    authors = frame.set_index("person").loc["M.J. Akbar", "authors"]
    assert len(with_akbar) <= authors <= len(any_akbar)
    assert not [p for p in frame["person"] if re.search(r"['’]t\b", p)]


# -- issue 9 item 5: people as they are named ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My manager Mary Ann Dunn harassed me for a year", "Mary Ann Dunn"),
        ("Jean van der Berg harassed two interns", "Jean van der Berg"),
        ("Omar bin Talal groped a colleague", "Omar bin Talal"),
    ],
)
def test_names_of_three_or_more_parts_are_kept_whole(text, name):
    assert [m["name"] for m in extract_mentions(text, mask_private=False)] == [name]


def test_long_name_merges_with_its_shorter_forms(store):
    forms = [
        "My manager Mary Ann Dunn harassed me for a year",
        "Mary Dunn groped a colleague at the party",
        "Ann Dunn was fired after the allegations",
        "Dunn denies the allegations",
    ]
    write_posts(store, [post(f"md{i}", f"mda{i}", t) for i, t in enumerate(forms)])
    frame = people(store, min_authors=4).set_index("person")
    assert "Mary Ann Dunn" in frame.index and frame.loc["Mary Ann Dunn", "mentions"] == 4
    assert not {"Mary Dunn", "Ann Dunn", "Mary Ann", PRIVATE} & set(frame.index)


MOVEMENT_TEXTS = [
    "MeToo Full story: my boss harassed me for years",
    "#MeToo Full story of how he assaulted me",
    "TimesUp Now for every abuser, harassment must end",
    "@Karen Mills harassed nobody, she was accused falsely",
]


def test_movement_tags_and_handles_are_never_name_parts(store):
    posts = [
        post(f"mt{i}_{k}", f"mta{i}_{k}", t) for k in range(3) for i, t in enumerate(MOVEMENT_TEXTS)
    ]
    write_posts(store, posts)
    names = " ".join(_names(people(store, min_authors=1))).casefold()
    assert "metoo" not in names and "full" not in names and "timesup" not in names
    assert "karen" not in names and PRIVATE not in names


def test_ner_names_skip_tag_and_handle_fragments_and_keep_particles(monkeypatch):
    from groundswell.analyze import people_ner

    planted = {
        MOVEMENT_TEXTS[0]: ["MeToo Full"],
        MOVEMENT_TEXTS[1]: ["MeToo Full"],
        MOVEMENT_TEXTS[3]: ["Karen Mills"],
        "Jean van der Berg harassed two interns, she said": ["Jean van der Berg"],
        "My manager Mary Ann Dunn's abuse went on, she says": ["Mary Ann Dunn's"],
    }

    class Ent:
        def __init__(self, text, name):
            self.text, self.label_ = name, "PERSON"
            self.start_char = text.index(name)
            self.end_char = self.start_char + len(name)

    class Nlp:
        def pipe(self, texts, batch_size):
            for text in texts:
                yield type("Doc", (), {"ents": [Ent(text, n) for n in planted.get(text, [])]})

    monkeypatch.setattr(people_ner, "_nlp", lambda: Nlp())
    assert people_ner.ner_person_names(list(planted)) == {"Jean van der Berg", "Mary Ann Dunn"}


def test_a_post_naming_a_figure_and_others_thousands_of_times_is_read_in_linear_time():
    """A 920 KB post of "Donald Trump met Dave Brown." 40,000 times took 25 s (hours at 4 MB):
    each name found by capitals was checked against every indexed name in the text."""

    text = "Donald Trump met Dave Brown. " * 40_000
    hits = find_people(text)
    assert len(hits) == 80_000
    assert {h.name for h in hits} == {"Donald Trump", "Dave Brown"}
