"""The report's built-in sections, each an HTML fragment from the numbers in ``queries``.

Care rules (CODEBOOK section 7): no author id or name appears; every table with a count of
distinct authors goes through ``suppress_small_cells`` so cells under 10 authors read "< 10".
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import pandas as pd

from groundswell.care import (
    MIN_CELL,
    WITHHELD,
    complementary_cells,
    mask_text,
    suppress_small_cells,
)
from groundswell.report import charts, queries
from groundswell.report.axes import count_period
from groundswell.report.colours import TagColours
from groundswell.report.glossary import glossary_html
from groundswell.report.tables import CELL_CHARS, TOP_ROWS, more_row, shorten, wrap
from groundswell.store.dates import EARLIEST

if TYPE_CHECKING:
    import pandas as pd

TOP_TAGS_CHARTED = 8
TOP_TAGS_LISTED = 15  # rows of the top-hashtags table


def table(
    header: list[str],
    rows: list[list[Any]],
    cls: str = "data",
    *,
    top: int | None = None,
    what: str = "rows",
) -> str:
    """A plain HTML table that fits the page: numbers right-aligned, every cell escaped, long
    text shortened (the whole text in the hover), only the first ``top`` rows with "and K more
    ``what``", in a container that scrolls sideways when the table is wider than the page."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for row in rows if top is None else rows[:top]:
        cells = []
        for v in row:
            v = v.item() if hasattr(v, "item") else v  # numpy scalars to Python
            num = isinstance(v, int | float) and not isinstance(v, bool)
            text = (
                f"{v:,}"
                if isinstance(v, int) and not isinstance(v, bool)
                else (f"{v:.1%}" if isinstance(v, float) else str(v))
            )
            if num:
                cells.append(f'<td class="num">{escape(text)}</td>')
            elif len(text) > CELL_CHARS:
                cells.append(f'<td title="{escape(text)}">{escape(shorten(text))}</td>')
            else:
                cells.append(f"<td>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if top is not None and len(rows) > top:
        body.append(more_row(len(rows) - top, len(header), what))
    return wrap(
        f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def section(anchor: str, title: str, body: str) -> str:
    """A top-level report section with its heading."""
    return f'<section id="{anchor}"><h2>{escape(title)}</h2>\n{body}\n</section>\n'


def note(text: str) -> str:
    """A muted explanatory paragraph."""
    return f'<p class="note">{escape(text)}</p>'


def intro(text: str) -> str:
    """A section's opening paragraph: what it shows, in plain words."""
    return f'<p class="intro">{escape(text)}</p>'


def method_details(body_html: str, summary: str = "Method details") -> str:
    """Parameters and technical notes, folded away under a small "Method details" toggle."""
    return f'<details class="method"><summary>{escape(summary)}</summary>{body_html}</details>'


def error_box(what: str, exc: BaseException) -> str:
    """What failed and why (masked), shown in place of a result."""
    message = mask_text(f"{type(exc).__name__}: {exc}")
    return f'<div class="error"><strong>{escape(what)} failed.</strong> {escape(message)}</div>'


def overview_section(ov: dict[str, Any]) -> str:
    """Totals, posts per platform and the list of articles."""
    first = ov["first"].date().isoformat() if ov["first"] else "n/a"
    last = ov["last"].date().isoformat() if ov["last"] else "n/a"
    # posts of fewer than 10 distinct authors: their totals read < 10, as the platform rows do
    few = 0 < ov["authors"] < MIN_CELL or (ov["posts"] and not ov["authors"])
    cards = [
        ("posts", "< 10" if few else f"{ov['posts']:,}"),
        (
            "reposts",
            "< 10" if 0 < ov.get("reposters", MIN_CELL) < MIN_CELL else f"{ov['reposts']:,}",
        ),
        ("articles", f"{ov['articles']:,}"),
        ("quarantined records", f"{ov['quarantined']:,}"),
        ("distinct authors", "< 10" if few else f"{ov['authors']:,}"),
    ]
    tiles = "".join(
        f'<div class="tile"><span class="big">{escape(v)}</span>{escape(k)}</div>' for k, v in cards
    )
    # a platform's posts (reposts) by fewer than 10 distinct authors read < 10, as in `stats`,
    # and the smallest other platform "withheld" beside a lone one: the totals are shown above
    platforms = ov["by_platform"]
    rows = [[p] for p, *_ in platforms]
    for count, who in ((1, 3), (2, 4)):
        counts = [int(r[count]) for r in platforms]
        small = [n > 0 and r[who] < MIN_CELL for n, r in zip(counts, platforms, strict=True)]
        extra = complementary_cells(counts, small)
        for i, (row, n) in enumerate(zip(rows, counts, strict=True)):
            row.append("< 10" if small[i] else WITHHELD if i in extra else n)
    return section(
        "overview",
        "Overview",
        f'<div class="tiles">{tiles}</div>'
        f"<p>Posts dated from {first} to {last}."
        + _left_out(
            ov.get("dated_out_of_span"),
            f"state a time before {EARLIEST.year} or in the future (a clock or export error)",
        )
        + _left_out(ov.get("undated"), "state no time")
        + "</p>"
        + table(["platform", "posts", "reposts"], rows)
        + _articles(ov.get("article_list") or []),
    )


def _left_out(n: int | None, what: str) -> str:
    """The overview's sentence on ``n`` posts whose time is ``what``, counted everywhere but
    left out of series over days ("" when there are none)."""
    if not n:
        return ""
    return f" {n:,} more {what}: they are counted everywhere but left out of the charts over days."


def _articles(articles: list[tuple[Any, ...]]) -> str:
    if not articles:
        return ""
    rows = [[mask_text(t or "(untitled)"), str(d or ""), f or "", w] for t, d, f, w in articles]
    return "<h3>Long-form articles</h3>" + table(
        ["title", "date", "format", "words"], rows, top=TOP_ROWS, what="articles"
    )


def reconciliation_section(runs: list[dict[str, Any]]) -> str:
    """Each ingest run: read = stored + duplicates + reposts + quarantined, and reads by format."""
    if not runs:
        return section(
            "reconciliation",
            "Ingest reconciliation",
            note("No ingest run is recorded in this store."),
        )
    rows = []
    by_format: dict[str, int] = {}
    for run in runs:
        started = run["started_at"].strftime("%Y-%m-%d %H:%M") if run["started_at"] else ""
        rows.append(
            [
                started,
                run.get("read", 0),
                run.get("stored", 0),
                run.get("duplicates", 0),
                run.get("reposts", 0),
                run.get("quarantined", 0),
                "yes" if run.get("balanced") else "NO",
            ]
        )
        for fmt, n in (run.get("by_format") or {}).items():
            by_format[fmt] = by_format.get(fmt, 0) + int(n)
    recon = table(
        ["run started (UTC)", "read", "stored", "duplicates", "reposts", "quarantined", "balanced"],
        rows,
        cls="data recon",
    )
    fmt_rows = [[f, n] for f, n in sorted(by_format.items(), key=lambda kv: -kv[1])]
    return section(
        "reconciliation",
        "Ingest reconciliation",
        "<p>Every record read is exactly one of: stored, a duplicate of a stored post, a repost "
        "(kept as an edge to its original) or quarantined: read = stored + duplicates + reposts "
        "+ quarantined. Stored counts posts and articles.</p>"
        + recon
        + "<h3>Records read by format (all runs)</h3>"
        + table(["format", "records read"], fmt_rows),
    )


def quarantine_section(reasons: list[tuple[str, str, int]]) -> str:
    """Quarantined records by format and reason (never their bytes)."""
    if not reasons:
        body = note("Nothing was quarantined.")
    else:
        body = (
            "<p>Records that could not be read are kept with their file, line and reason "
            "(raw bytes stay in the store and are not shown here).</p>"
            + table(
                ["format", "reason", "records"],
                [list(r) for r in reasons],
                top=TOP_ROWS,
                what="reasons",
            )
        )
    return section("quarantine", "Quarantine", body)


def tags_sections(con: Any, colours: TagColours | None = None) -> str:
    """Posts over time of the top hashtags, then the top-hashtags table. ``colours``: the
    report's one tag -> colour map (a fresh one when not given)."""
    colours = colours or TagColours()
    tags = queries.top_tags(con)
    if tags.empty:
        return section(
            "tags-per-day", "Posts over time by tag", note("No hashtags found.")
        ) + section("top-tags", "Top hashtags", note("No hashtags found."))
    charted = list(tags[tags["authors"] >= MIN_CELL]["tag"].head(TOP_TAGS_CHARTED))
    days, series = queries.tag_daily(con, charted)
    authors = queries.tag_daily_authors(con, charted, days)
    unit = count_period(days[0], days[-1]) if days else "day"
    per = {"day": "day", "week": "week", "month": "month"}[unit]
    # a week's or month's point stands on its own distinct authors, not on its days' summed
    by_period = {unit: queries.tag_period_authors(con, charted, unit)} if unit != "day" else None
    chart = charts.line_chart(
        days,
        series,
        title=f"Posts per {per}, most used hashtags",
        colours=colours.for_series(series),
        authors=authors,
        period_authors=by_period,
    )
    chart += note(
        f"Original posts per {per} (reposts are not counted), for hashtags used by at least "
        f"{MIN_CELL} distinct authors."
    )
    extra = ""
    # the peaks of the points drawn: whether a second chart is drawn tells nothing withheld
    _, _, drawn = charts.plotted(days, series, authors, by_period)
    peaks = sorted(
        (max((v for v in vals if v is not None), default=0.0) for vals in drawn.values()),
        reverse=True,
    )
    if len(peaks) > 2 and peaks[0] > 4 * peaks[1]:  # one tag dwarfs the rest: show them apart
        rest = {t: v for t, v in series.items() if t != charted[0]}
        extra = charts.line_chart(
            days,
            rest,
            title=f"Posts per {per}, the tags after {charted[0]} on their own scale",
            colours=colours.for_series(rest),
            authors=authors,
            period_authors=by_period,
        )
    if not charted:
        chart = note(f"No hashtag is used by {MIN_CELL} or more distinct authors: none is charted.")
    shown = tags.head(TOP_TAGS_LISTED).copy()
    for col in ("first_day", "peak_day"):  # no day when every post's time is out of span
        shown[col] = [str(d.date()) if pd.notna(d) else "—" for d in pd.to_datetime(shown[col])]
    # when a tag of fewer than 10 people started or peaked narrows them down as its counts do
    shown = suppress_small_cells(
        shown, "authors", ["posts", "authors", "first_day", "peak_day", "peak_posts"]
    )
    rows = shown[["tag", "posts", "authors", "first_day", "peak_day", "peak_posts"]]
    header = ["tag", "posts", "distinct authors", "first day", "peak day", "posts on peak day"]
    top = table(header, _rows(rows))
    hidden = queries.tag_count(con) - len(rows)
    if hidden > 0:  # the rest of the long tail, counted
        top = top.replace("</tbody>", more_row(hidden, len(header), "hashtags") + "</tbody>")
    lead = intro(
        "How often the most used hashtags appear over time. A steep rise is a burst of "
        "attention; tags that rise together often belong to one movement. Each tag keeps its "
        "colour in every chart of this report."
    )
    return section("tags-per-day", "Posts over time by tag", lead + chart + extra) + section(
        "top-tags",
        "Top hashtags",
        intro(
            f"The {len(shown)} most used hashtags, with how many people used them and when "
            "they peaked."
        )
        + top
        + method_details(
            "<p>Hashtags normalised per the codebook (case-folded, possessives removed). "
            f"Counts from fewer than {MIN_CELL} distinct authors read &lt; 10.</p>"
        ),
    )


def glossary_section() -> str:
    """The words this report uses, in plain language."""
    return section(
        "glossary",
        "Glossary",
        intro("The terms used in this report, in plain words.") + glossary_html(),
    )


def _rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [list(rec) for rec in frame.itertuples(index=False)]
