"""The report's sections on the model's labels: the speech-act mix over time, overall and by
hashtag, with the act definitions and example posts, and what testimonies describe. Every share
names the model it comes from and its measured quality on real posts.

Care rules (CODEBOOK section 7) as in ``sections``: cells under 10 distinct authors read "< 10".
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from groundswell.care import WITHHELD, complementary_cells, suppress_small_cells
from groundswell.care.suppress import suppress_breakdown
from groundswell.report import charts, queries
from groundswell.report.axes import count_period
from groundswell.report.colours import act_colours
from groundswell.report.examples import example_posts, examples_html
from groundswell.report.glossary import acts_definitions_html
from groundswell.report.sections import (
    _rows,
    error_box,
    intro,
    note,
    section,
    table,
)
from groundswell.report.tables import TOP_ROWS

if TYPE_CHECKING:
    import pandas as pd


def model_sentence(con: Any) -> str:
    """Which model gave the acts, and how good it measured on real labelled posts."""
    from groundswell.classify.prevalence import current_model, model_evaluation

    current = current_model(con)
    if current is None:
        return "The acts carry no model name, so the model's quality is unknown."
    model, version = current
    text = f"Acts from the {model} model (version {version})"
    evaluation = model_evaluation(con, model, version) or {}
    acts = evaluation.get("acts") or {}
    if acts.get("macro_f1") is not None:
        where = evaluation.get("labelled_set") or "the real corpus test split"
        n = evaluation.get("n")
        text += (
            f"; on {f'{n:,} ' if n else ''}real posts labelled by people ({where}) it scores "
            f"macro-F1 {acts['macro_f1']:.2f} and accuracy {acts.get('accuracy', 0):.2f}"
        )
    else:
        text += "; it has no measured quality on real posts"
    return text + "."


def acts_section(con: Any, has_acts: bool) -> str:
    """What each act means, the act mix over time and overall, by hashtag, and example posts
    (once posts are classified)."""
    title = "Speech acts over time"
    lead = intro(
        "What people do with their posts: tell their own story (testimony), admit harm "
        "(confession), commit to change (pledge), stand with survivors (support), push back "
        "(backlash), pass on news (reporting), or something else (other). A model reads every "
        "post and names its act; the shares below count those labels, corrected for the "
        "model's known mistakes where that is possible."
    )
    definitions = "<h3>What the acts mean</h3>" + acts_definitions_html()
    if not has_acts:
        return section(
            "acts",
            title,
            lead
            + definitions
            + note("Posts are not classified yet: run `groundswell classify` to see the act mix."),
        )
    try:
        first, last = queries.date_span(con)
        unit = count_period(first, last, bars=True) if first else "week"
        periods, series, authors = queries.act_periods(con, unit)
        totals = queries.act_totals(con)
        by_tag, small_cells = queries.act_by_tag(con)
        examples = example_posts(con)
    except Exception as exc:  # a classifier table of another shape must not sink the report
        return section("acts", title, lead + definitions + error_box("The act mix", exc))
    model = note(model_sentence(con))
    per = {"day": "day", "week": "week", "month": "month"}[unit]
    labels = [
        (f"week of {p.day} {p:%b %Y}" if unit == "week" else p.strftime("%b %Y"))
        if unit != "day"
        else p.isoformat()
        for p in periods
    ]
    chart = charts.stacked_bars(
        labels,
        series,
        title=f"Share of each speech act, by {per}",
        colours=act_colours(series),
        authors=authors,
        periods=periods,
        unit=unit,
    )
    body = lead + chart + model + "<h3>Overall shares</h3>" + corrected_acts_table(con, totals)
    if not by_tag.empty:
        acts = [c for c in by_tag.columns if c not in ("tag", "posts", "authors")]
        shown = suppress_small_cells(by_tag, "authors")
        for col in acts:  # a cell of 1 to 9 distinct authors is suppressed on its own
            shown[col] = [
                "< 10" if (tag, col) in small_cells else v
                for tag, v in zip(shown["tag"], shown[col], strict=True)
            ]
        _withhold_complements(shown, by_tag, acts, small_cells)
        body += (
            "<h3>Act mix by hashtag</h3>"
            + intro(
                "Share of each act among the classified posts of the most used hashtags: a "
                "spin-off invites another act than its seed, a counter-tag is mostly backlash."
            )
            + table(
                ["tag", "posts", "distinct authors", *acts],
                _rows(shown[["tag", "posts", "authors", *acts]]),
                top=TOP_ROWS,
                what="hashtags",
            )
            + model
        )
    body += (
        definitions
        + "<h3>Example posts</h3>"
        + intro(
            "A few short excerpts per act, where the model was surest. Authors, @handles, "
            "links, emails, phone numbers and the names of private persons are left out."
        )
        + examples_html(examples, list(series) or list(totals["act"]))
    )
    return section("acts", title, body)


def _withhold_complements(
    shown: pd.DataFrame, by_tag: pd.DataFrame, acts: list[str], small: set[tuple[str, str]]
) -> None:
    """In each tag's row of act shares (they sum to 1) withhold the smallest other act beside a
    lone "< 10" one, so that it is not 1 less the shares shown."""
    for col in acts:
        shown[col] = shown[col].astype(object)
    for i, tag in enumerate(by_tag["tag"]):
        if shown.at[i, "posts"] == "< 10":
            continue  # the whole row is withheld
        counts = [round(float(by_tag.at[i, a]) * int(by_tag.at[i, "posts"])) for a in acts]
        for j in complementary_cells(counts, [(tag, a) in small for a in acts]):
            shown.at[i, acts[j]] = WITHHELD


def corrected_acts_table(con: Any, totals: pd.DataFrame) -> str:
    """Each act's raw count and share beside its share corrected for the model's errors, with
    a 95% interval that includes them, and the sentence that says how and with which model."""
    from groundswell.classify.prevalence import domain_check, store_act_shares

    estimate = store_act_shares(con)
    if estimate is None:  # acts without the model that gave them: sampling error only
        totals = totals.assign(
            ci=[
                f"{lo:.1%} to {hi:.1%}"
                for lo, hi in zip(totals.ci_low, totals.ci_high, strict=True)
            ]
        )
        shown = suppress_breakdown(totals, "authors", ["posts", "authors", "share", "ci"])
        rows = [[r.act, r.posts, r.authors, r.share, r.ci] for r in shown.itertuples()]
        head = ["act", "posts", "distinct authors", "raw share", "95% CI (Wilson, sampling only)"]
        return note(
            "The acts carry no model name, so the shares cannot be corrected for its errors."
        ) + table(head, rows)
    corrected = {s.label: s for s in estimate["shares"]}
    totals = totals.copy()
    totals["corrected"] = [corrected[a].share if a in corrected else None for a in totals.act]
    totals["ci"] = [
        f"{corrected[a].low:.1%} to {corrected[a].high:.1%}" if a in corrected else ""
        for a in totals.act
    ]
    shown = suppress_breakdown(totals, "authors", ["posts", "authors", "share", "corrected", "ci"])
    rows = [[r.act, r.posts, r.authors, r.share, r.corrected, r.ci] for r in shown.itertuples()]
    head = ["act", "posts", "distinct authors", "raw share", "corrected share", "95% interval"]
    quality = estimate.get("quality") or {}
    how = (
        f"Shares corrected by {escape(estimate['method'])} for the errors of the "
        f"<b>{escape(estimate['model'])}</b> model (version {escape(estimate['version'])})"
    )
    if estimate["method"] == "raw":
        how = f"Raw shares only: {escape(estimate.get('reason', ''))}"
    elif estimate.get("labelled_set"):
        how += f", measured on {escape(str(estimate['labelled_set']))}"
    if quality.get("macro_f1") is not None:
        how += (
            f" (on {quality.get('n')} real posts of the corpus test split: macro-F1 "
            f"{quality['macro_f1']:.2f}, accuracy {quality['accuracy']:.2f})"
        )
    text = (
        f"<p>{how}. The interval includes the sampling error of the store and of the labelled "
        "set the correction comes from; the raw share is the count of top labels.</p>"
    )
    check = domain_check(con, estimate)
    if check and check["off_topic"]:
        text += note(check["advice"])
    return text + table(head, rows)


SINGLE_LABEL = ("relation", "setting")  # testimony details whose rows sum to the testimonies


def testimony_section(con: Any, has_acts: bool, has_testimony: bool) -> str:
    """Harm, relation and setting shares among testimonies, with Wilson intervals. Relation and
    setting rows sum to the testimonies shown: beside a "< 10" row the smallest other is
    withheld too. Harm rows (several harms a testimony) sum to no count shown: none is the
    total less the others, so only the small ones are withheld."""
    title = "What testimonies describe"
    if not has_testimony:
        return section(
            "testimony",
            title,
            note(
                "No testimony labels yet (harm, relation, setting): they come with classification."
            ),
        )
    try:
        shares = queries.testimony_shares(con, has_acts)
    except Exception as exc:
        return section("testimony", title, error_box("The testimony shares", exc))
    n = shares["n"]
    parts = [
        intro(
            "What the testimonies tell: which kinds of harm, who the perpetrator was to the "
            "author, and where it happened. Only counts behind which at least 10 distinct "
            "authors stand are shown."
        ),
        f"<p>Shares among {n:,} testimonies, with 95% Wilson confidence intervals. A "
        "testimony may describe several harms, so harm shares can sum past 100%. Relation, "
        "setting and age come from the phrases a testimony states (`unknown` when it states "
        "none), the model filling in only when it is confident.</p>",
        _details_quality(con),
    ]
    for key, heading in (
        ("harm", "Harm"),
        ("relation", "Relation to the perpetrator"),
        ("setting", "Setting"),
    ):
        frame = shares.get(key)
        if frame is None or frame.empty:
            continue
        frame = frame.reset_index(drop=True)
        extra: set[int] = set()
        if key in SINGLE_LABEL:  # one label a testimony: the rows and the unlabelled sum to n
            counts = [int(k) for k in frame["posts"]]
            small = list(frame["authors"] < 10)
            extra = complementary_cells(counts, small, unshown=int(n) - sum(counts))
        visible = frame[(frame["authors"] >= 10) & ~frame.index.isin(sorted(extra))]
        chart = charts.hbars(
            list(visible["label"]),
            list(visible["share"]),
            title=heading,
            intervals=list(zip(visible["ci_low"], visible["ci_high"], strict=True)),
        )
        shown = suppress_small_cells(frame, "authors", ["posts", "authors", "share"])
        rows = []
        for i, r in enumerate(shown.itertuples()):
            if i in extra:  # withheld beside a "< 10" row
                rows.append([r.label, WITHHELD, WITHHELD, WITHHELD, WITHHELD])
                continue
            ci = "< 10" if r.authors == "< 10" else f"{r.ci_low:.1%} to {r.ci_high:.1%}"
            rows.append([r.label, r.posts, r.authors, r.share, ci])
        parts.append(
            f'<div class="pair"><div>{chart}</div><div>'
            + table(
                [key, "testimonies", "distinct authors", "share", "95% CI"],
                rows,
                top=TOP_ROWS,
                what="labels",
            )
            + "</div></div>"
        )
    return section("testimony", title, "".join(parts))


def _details_quality(con: Any) -> str:
    """How right the model's testimony details are on real testimonies, and why the shares
    above are not corrected for its errors."""
    from groundswell.classify.prevalence import current_model, model_evaluation

    current = current_model(con)
    evaluation = model_evaluation(con, *current) if current else None
    if not evaluation or "relation" not in evaluation:
        named = f"the {current[0]} model (version {current[1]})" if current else "the model"
        return note(f"The testimony details of {named} have no real-data evaluation.")
    n = evaluation["relation"]["n"]
    return note(
        f"Testimony details from the {current[0]} model (version {current[1]}). "
        f"On the {n} real testimonies of the corpus test split, relation is right for "
        f"{evaluation['relation']['accuracy']:.0%}, setting for "
        f"{evaluation['setting']['accuracy']:.0%} and age for "
        f"{evaluation['minor_at_time']['accuracy']:.0%}. That is too few testimonies to "
        "correct these shares for the model's errors: their intervals count sampling error "
        "only, and the true uncertainty is larger."
    )
