"""Control and bidi characters in the static report and the dashboard: a tag or text holding
a NUL or U+202E (right-to-left override) was written raw into table cells and excerpts, where
the override reversed the cell's text. They read as visible escapes, as the CLI prints them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from groundswell.report import build_report
from groundswell.schema import Post
from groundswell.store import Store

RLO, NUL = "\u202e", "\x00"


def test_report_shows_nul_and_overrides_as_escapes(tmp_path):
    tag = f"#evil{RLO}oot{NUL}em"
    posts = [
        Post(platform="twitter", id=str(i), text=f"I believe you {tag} {RLO}reversed{NUL}",
             author=f"a{i}", created_at=datetime(2018, 1, 1, tzinfo=UTC) + timedelta(hours=i),
             hashtags=[tag])
        for i in range(30)
    ]  # fmt: skip
    with Store(tmp_path / "c.duckdb") as store:
        store.write_batch(posts, synthetic=False)
        page = build_report(store, tmp_path / "r.html").read_text(encoding="utf-8")
    assert RLO not in page and NUL not in page
    assert "#evil\\u202eoot\\u0000em" in page


def test_dashboard_sets_text_through_the_same_escapes():
    from groundswell.visible import HTML_UNPRINTABLE

    js = (Path(__file__).parents[2] / "src/groundswell/serve/static/app.js").read_text()
    source = re.search(r"const UNPRINTABLE = /(.*)/g;", js).group(1)
    mirrored = re.compile(source)
    for code in range(0x2100):
        char = chr(code)
        assert bool(mirrored.fullmatch(char)) == bool(HTML_UNPRINTABLE.fullmatch(char)), hex(code)
    assert "node.textContent = visible(value)" in js
    assert "createTextNode(visible(child))" in js
    assert 'visible(value ?? "")' in js  # esc(), the text Plotly shows


def test_every_text_the_dashboard_sets_goes_through_visible():
    """The model line, the family method, the testimony quality, the articles' method, the
    status and the error box were set with ``textContent = ...`` past ``el()``: a model name or
    method reason holding U+202E reversed the line. Every ``textContent``, ``innerText`` or
    ``nodeValue`` assignment in app.js is now ``visible(...)``."""
    js = (Path(__file__).parents[2] / "src/groundswell/serve/static/app.js").read_text()
    sets = re.findall(r"\.(?:textContent|innerText|nodeValue)\s*=\s*([^\n]*)", js)
    assert len(sets) >= 7  # el()'s, and the six lines set directly
    assert [s for s in sets if not s.startswith("visible(")] == []
    assert "createTextNode(" not in js.replace("createTextNode(visible(child))", "")


def test_a_form_value_is_sent_back_as_the_data_holds_it():
    """An option's ``value`` is what a filter sends to the API: made visible, a tag holding a
    control character was asked for by its escaped text and matched no post. Only what the
    page shows goes through ``visible()``."""
    js = (Path(__file__).parents[2] / "src/groundswell/serve/static/app.js").read_text()
    el = js[js.index("function el(") : js.index("\n}\n", js.index("function el("))]
    assert re.search(r'key === "value"\)\s*node\.setAttribute\(key, value\)', el)
    assert el.index('key === "value"') < el.index("node.setAttribute(key, visible(value))")
