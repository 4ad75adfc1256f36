"""A few example posts per speech act, shown under the care rules (CODEBOOK section 7).

What is shown: a short excerpt, the platform and the month. What never is: an author (not even
a pseudonym), an @handle, a link, an email, phone number or street address, the name of a private
person (``[private person]``), a post of a forgotten author or a forgotten post, or an example of
an act written by fewer than 10 distinct authors. Testimonies and confessions are first-person
disclosures of harm; the care rules give no consent to reprint them, so they are described, never
quoted.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from groundswell.care import MIN_CELL
from groundswell.care.names import NameMasker, fit_to_show
from groundswell.report.queries import latest_acts, table_columns
from groundswell.report.tables import shorten

PER_ACT = 3
EXCERPT_CHARS = 200
NOT_QUOTED = frozenset({"testimony", "confession"})
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)


def clean_excerpt(text: str, limit: int = EXCERPT_CHARS, names: NameMasker | None = None) -> str:
    """A post's text made fit to show: private persons' names (``names``, by default with the
    gazetteer's public figures), emails, phones, addresses, links and @handles replaced, then
    shortened to ``limit`` characters at a word."""
    return shorten(_URL.sub("[link]", fit_to_show(text, names)), limit)


def _forgotten_filter(con: Any) -> str:
    """A SQL condition keeping posts not named by the deletion list (always true without one)."""
    if not table_columns(con, "forgotten"):
        return "true"
    from groundswell.store.db import forgotten_sql

    try:
        con.execute(f"SELECT 1 FROM posts p WHERE NOT {forgotten_sql('p', 'posts')} LIMIT 1")
    except Exception:  # no hash macro on this connection: the posts are already forgotten
        return "true"
    return f"NOT {forgotten_sql('p', 'posts')}"


def example_posts(con: Any, per_act: int = PER_ACT) -> dict[str, list[dict[str, Any]]]:
    """Up to ``per_act`` cleaned excerpts for each act that may be quoted and has at least 10
    distinct authors: the posts the model is surest of, one per author, 30 to 600 characters.
    Each is ``{"text", "platform", "month"}``."""
    cols = table_columns(con, "acts")
    sure = (
        "coalesce(TRY_CAST(json_extract(a.scores, '$.' || a.act) AS DOUBLE), 0)"
        if "scores" in cols
        else "0"
    )
    source = latest_acts(con)
    if "scores" in cols:  # carry the scores of the act the post was given
        source = source.replace(" AS act", " AS act, arg_max(scores, classified_at) AS scores", 1)
        if "classified_at" not in cols:
            source = source.replace("arg_max(scores, classified_at)", "any_value(scores)")
    rows = con.execute(f"""
        WITH labelled AS (
            SELECT p.platform, p.text, p.created_at, p.author, a.act, {sure} AS sure
            FROM posts p JOIN {source} a USING (platform, id)
            WHERE p.author IS NOT NULL AND length(p.text) BETWEEN 30 AND 600
              AND {_forgotten_filter(con)}),
        enough AS (SELECT act FROM labelled GROUP BY act
                   HAVING count(DISTINCT author) >= {MIN_CELL}),
        one AS (SELECT * FROM labelled WHERE act IN (SELECT act FROM enough)
                QUALIFY row_number() OVER (PARTITION BY act, author
                                           ORDER BY sure DESC, md5(text)) = 1)
        SELECT act, platform, text, created_at FROM one
        QUALIFY row_number() OVER (PARTITION BY act ORDER BY sure DESC, md5(text)) <= {per_act * 3}
        ORDER BY act, sure DESC, md5(text)
    """).fetchall()
    out: dict[str, list[dict[str, Any]]] = {}
    names = NameMasker.for_store(con)
    for act, platform, text, created in rows:
        if act in NOT_QUOTED or len(out.get(act, [])) >= per_act:
            continue
        excerpt = clean_excerpt(text, names=names)
        if len(excerpt) < 20 or any(e["text"] == excerpt for e in out.get(act, [])):
            continue
        month = created.strftime("%b %Y") if created else ""
        out.setdefault(act, []).append({"text": excerpt, "platform": platform, "month": month})
    return out


def examples_html(examples: dict[str, list[dict[str, Any]]], acts: list[str]) -> str:
    """The examples of each act in ``acts`` order, or why an act has none."""
    parts = []
    for act in acts:
        shown = examples.get(act, [])
        if act in NOT_QUOTED:
            body = (
                '<p class="note">Not quoted: these are first-person disclosures, and the care '
                "rules give no consent to reprint them.</p>"
            )
        elif not shown:
            body = (
                f'<p class="note">None shown: fewer than {MIN_CELL} distinct authors, or no '
                "post of a length to quote (30 to 600 characters).</p>"
            )
        else:
            body = "".join(
                f'<blockquote class="example">{escape(e["text"])}'
                f'<span class="source">{escape(e["platform"])}, {escape(e["month"])}</span>'
                "</blockquote>"
                for e in shown
            )
        parts.append(f'<div class="act-examples"><h4>{escape(act)}</h4>{body}</div>')
    return "".join(parts)
