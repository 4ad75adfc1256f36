"""Post text as the dashboard shows it, on hostile posts."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")


def test_a_post_naming_many_people_is_shown_in_linear_time():
    """A 2.4 MB post naming "Dave" 40,000 times (the post browser took minutes when each name
    was cut out with a copy of the whole text; now joined once): every name hidden, spans
    merged, handles and emails masked."""
    from groundswell.care.names import NameMasker
    from groundswell.serve.cells import shown_text

    text = "I believe her. Dave said @jane_doe, mail jane@example.org. " * 40_000
    shown = shown_text(text, [(0, 1), (0, 6)], NameMasker())
    one = "I believe her. [private person] said @[account], mail [email]. "
    assert shown == "[private person]" + one[6:] + one * 39_999  # spans merged: "I beli"
