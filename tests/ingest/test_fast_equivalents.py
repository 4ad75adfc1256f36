"""The fast path's faster equivalents give exactly what the definitions they replace give: the
hashtag regexes that scan for '#' first, pseudonyms from precomputed HMAC states, and Twitter
times parsed for a whole batch with Arrow."""

from __future__ import annotations

import re
from datetime import UTC

from hypothesis import example, given, settings
from hypothesis import strategies as st

from groundswell.care.pseudonym import keyed_pseudonym, pseudonym_maker
from groundswell.ingest.columnar import _times
from groundswell.ingest.fields import stated_time
from groundswell.schema import _TAG_IN_TEXT, tags_written_in

# the definition before the '#'-first rewrite
_LOOK_BEHIND_FIRST = re.compile(r"(?<![\w&/])[#＃](\w[\w\u200c\u200d\u0900-\u0DFF'’]*)")
_TEXT_CHARS = st.sampled_from(list("#＃&/ a_1'’\u200cΣςß\u0915\u093f\n.-é"))


@settings(max_examples=400, deadline=None)
@given(st.text(_TEXT_CHARS, max_size=30) | st.text(max_size=30))
@example("&#a #b/#c x#d #e's ＃f &＃g ＃h#i #ς")
@example("&amp;#MeToo /#x")
def test_tag_regex_matches_as_before(text: str) -> None:
    assert _TAG_IN_TEXT.findall(text) == _LOOK_BEHIND_FIRST.findall(text)
    assert tags_written_in(text) == _LOOK_BEHIND_FIRST.findall(text)


@settings(max_examples=100, deadline=None)
@given(
    st.binary(min_size=1, max_size=100),
    st.sampled_from(["twitter", "reddit", "mastodon"]),
    st.lists(st.text(max_size=20), max_size=5),
)
def test_pseudonym_maker_is_keyed_pseudonym(key: bytes, platform: str, authors: list) -> None:
    make = pseudonym_maker(key, platform)
    assert [make(a) for a in authors] == [keyed_pseudonym(key, platform, a) for a in authors]


def _reference(value: object) -> object:
    """What the per-record parse gives: a naive UTC time, None, or 'bad' (no time, or out of
    range: the reader quarantines the line)."""
    try:
        dt = stated_time(value)
    except ValueError:
        return "bad"
    return None if dt is None else dt.astimezone(UTC).replace(tzinfo=None)


_DIGIT = st.sampled_from([*"0123456789", "٣", "x", " "])
_NUMBER = st.one_of(
    st.integers(0, 10_000).map(lambda i: f"{i:04d}"[-4:]),
    st.lists(_DIGIT, min_size=4, max_size=4).map("".join),
)


def _two(s: str) -> str:
    return s[-2:]


_V2 = st.builds(
    lambda y, mo, d, h, mi, s, ms, z: (
        f"{y}-{_two(mo)}-{_two(d)}T{_two(h)}:{_two(mi)}:{_two(s)}.{ms[-3:]}{z}"
    ),
    _NUMBER,
    _NUMBER,
    _NUMBER,
    _NUMBER,
    _NUMBER,
    _NUMBER,
    _NUMBER,
    st.sampled_from(["Z", "z", "", "+01:00"]),
)
_V1 = st.builds(
    lambda wd, mo, d, h, mi, s, off, y: (
        f"{wd} {mo} {_two(d)} {_two(h)}:{_two(mi)}:{_two(s)} {off} {y}"
    ),
    st.sampled_from(["Sun", "Mon", "Xyz"]),
    st.sampled_from(["Jan", "Feb", "Oct", "Dec", "Foo"]),
    _NUMBER,
    _NUMBER,
    _NUMBER,
    _NUMBER,
    st.sampled_from(["+0000", "+0100", "-0500"]),
    _NUMBER,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_V2, _V1, st.none(), st.text(max_size=30)), min_size=1, max_size=40))
def test_batch_times_are_the_per_record_times(values: list) -> None:
    out, bad = _times(values, "twitter")
    got = ["bad" if i in bad else v for i, v in enumerate(out.to_pylist())]
    assert got == [_reference(v) for v in values]


def test_batch_times_take_the_fast_shapes() -> None:
    """The regular shapes, leap days and the edges of a datetime's range; the irregular ones
    (30 February, hour 24, year 0) as the per-record parse has them."""
    values = [
        "2017-10-15T00:00:05.123Z",
        "Sun Oct 15 00:00:05 +0000 2017",
        "2016-02-29T23:59:59.000Z",
        "Mon Feb 29 00:00:00 +0000 2016",
        "0001-01-01T00:00:00.000Z",
        "9999-12-31T23:59:59.999Z",
        "2017-02-30T00:00:05.000Z",
        "Sun Feb 29 00:00:05 +0000 2017",
        "2017-10-15T24:00:00.000Z",
        "0000-01-01T00:00:00.000Z",
        "Sun Oct 15 00:00:05 +0100 2017",
        None,
    ]
    out, bad = _times(values, "twitter")
    got = ["bad" if i in bad else v for i, v in enumerate(out.to_pylist())]
    assert got == [_reference(v) for v in values]
    assert got[0].microsecond == 123_000 and got[1].second == 5
