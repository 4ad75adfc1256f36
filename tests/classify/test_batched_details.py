"""The classify stage's batch shortcuts against text-by-text references: details read with each
pattern run once over a whole batch equal those read text by text, and the store's records
(details only for testimonies) equal the full records where the store keeps them."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.classify import details as d
from groundswell.classify.run import load_classifier
from groundswell.classify.store import _rows

PIECES = [
    "When I was 12",
    "i was 45 and",
    "a 16-year-old",
    "my uncle",
    "My Boss",
    "a strange man",
    "two men",
    "on the bus",
    "at a company party",
    "at the party",
    "in high school",
    "at work",
    "he groped me",
    "raped",
    "sent me dick pics",
    "threatened to fire me",
    "office",
    # halves of phrases: a batch joined carelessly would read "my" + "uncle" as one
    "my",
    "a",
    "uncle",
    "strange man",
    "when i was",
    "15",
    "years old",
    "on the",
    "bus",
    "\x00",  # the batch's own separator inside a text
    "\n",
    "İ",  # letters the lowering maps one for one
    "ſ",
    "#MeToo",
    "",
]


def _one_by_one(text: str) -> d.Details:
    """What the details of ``text`` are, each pattern run over this text alone (the plain
    definition the batched reading must equal)."""
    low = d._lowered(text)

    def spans(field: str, items) -> list[d.Span]:
        return [
            d.Span(field, label, m.start(), m.end(), text[m.start() : m.end()])
            for label, pat in items
            for m in pat.finditer(low)
        ]

    rel = spans("relation", d._REL.items())
    taken = [(s.start, s.end) for s in rel]
    for m in d._REL_STRANGER.finditer(low):
        if not any(m.start() < e and s < m.end() for s, e in taken):
            rel.append(
                d.Span("relation", "stranger", m.start(), m.end(), text[m.start() : m.end()])
            )
    sett = sorted(spans("setting", d._SET.items()), key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[d.Span] = []
    for s in sett:
        if not any(s.start < k.end and k.start < s.end for k in kept):
            kept.append(s)
    return d.Details(
        d._most_said(rel), d._most_said(kept), _minor(text, low), spans("harm", d._HARM.items())
    )


def _minor(text: str, low: str) -> d.Span | None:
    def span(label, m):
        return d.Span("minor_at_time", label, m.start(), m.end(), text[m.start() : m.end()])

    ages = [(int(m.group(1) or m.group(2)), m) for m in d._AGE.finditer(low)]
    for age, m in ages:
        if 3 <= age < 18:
            return span("yes", m)
    if m := d._MINOR.search(low):
        return span("yes", m)
    for age, m in ages:
        if 18 <= age < 100:
            return span("no", m)
    m = d._ADULT.search(low)
    return span("no", m) if m else None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join), max_size=20))
def test_batched_details_equal_text_by_text(texts):
    assert d.read_many(texts) == [_one_by_one(t) for t in texts]


def test_batched_details_equal_text_by_text_on_long_mixed_texts():
    rng = random.Random(5)
    texts = [
        "".join(rng.choice(PIECES) + rng.choice([" ", "", ". ", "\x00"]) for _ in range(60))
        for _ in range(300)
    ]
    got = d.read_many(texts)
    assert got == [_one_by_one(t) for t in texts]
    found = Counter(x.relation.label for x in got if x.relation)
    assert {"family", "boss", "stranger"} <= set(found)  # the texts say them: read, not missed
    assert sum(x.minor is not None for x in got) > 200


def test_store_records_keep_every_field_the_store_writes():
    clf = load_classifier("student")
    rng = random.Random(2)
    texts = [" ".join(rng.choices(PIECES, k=rng.randint(2, 14))) for _ in range(400)]
    full = clf.predict(texts)
    lean = clf.predict(texts, details=False)
    acts = Counter(r["act"] for r in full)
    assert acts["testimony"] >= 20 and len(acts) >= 3
    detail_keys = {"harm", "relation", "setting", "minor_at_time"}
    for f, s in zip(full, lean, strict=True):
        if f["act"] == "testimony":
            assert s == f
        else:
            assert not detail_keys & set(s)
            assert s == {k: v for k, v in f.items() if k not in detail_keys and "_scores" not in k}
    keys = [("twitter", str(i)) for i in range(len(texts))]
    for a, b in zip(_rows(keys, full), _rows(keys, lean), strict=True):
        stamp = [c for c in a.column_names if c == "classified_at"]  # the time of the run
        assert a.drop_columns(stamp).equals(b.drop_columns(stamp))
