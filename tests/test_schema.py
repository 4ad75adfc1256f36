"""Hashtag normalisation on hostile tags."""

from __future__ import annotations

from groundswell.schema import hashtags_in_text, normalise_hashtag


def test_trailing_punctuation_is_dropped_in_linear_time():
    """A tag with a long run of punctuation inside it ("#a" + 40,000 apostrophes + "b", in a
    post or an article) took 12 s to normalise, 200,000 of them minutes: the trailing-punctuation
    pattern was tried from each character of the run."""
    for tag in ("#a" + "'" * 200_000 + "b", "!" * 200_000 + "a", "a" + "_-" * 100_000 + "z"):
        assert normalise_hashtag(tag) == "#" + tag.lstrip("#").lower()
    assert hashtags_in_text("#a" + "'" * 200_000 + "b") == ["#a" + "'" * 200_000 + "b"]
    assert normalise_hashtag("#MeToo's") == "#metoo"
    assert normalise_hashtag("#MeToo!!!__") == "#metoo"
    assert normalise_hashtag("#!!!") is None
    assert normalise_hashtag("#ΛΙΓΝΑΔΗΣ") == "#λιγναδης"
