"""The numbers behind each page, as JSON-ready dicts, from one snapshot.

Totals, reconciliation, quarantine reasons and corrected act shares come from the report's
queries and ``classify.prevalence`` (imported, not copied); the hashtag family, timeline, people,
pile-ons and articles from the registered analyses, run once per snapshot on its in-memory copy.
Filtered counts (post browser, timeline range) come from the rollups (``rollups``). Every
response goes through ``cells``: counts of fewer than 10 distinct authors are null and named in
``suppressed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from groundswell.care import MIN_CELL, WITHHELD, complementary_cells
from groundswell.care.names import NameMasker
from groundswell.care.pseudonym import Pseudonymiser
from groundswell.errors import InputError
from groundswell.schema import ACTS
from groundswell.serve.cells import (
    PRIVATE,
    SHOWN_CHARS,
    cut_text,
    plain,
    records,
    shown_author,
    shown_text,
    shown_url,
    withhold,
    withhold_complements,
)
from groundswell.serve.rollups import UNCLASSIFIED
from groundswell.serve.snapshot import Snapshot

SINGLE_LABEL = ("relation", "setting")  # testimony details whose rows sum to the testimonies
PAGE = 25  # posts per browser page
EXAMPLES = 2  # example posts per act
NEWEST = 2000  # examples are drawn from this many newest posts of the selection
TOP_TAGS = 8  # tags charted by default
FACET_TAGS = 200
_MASKER = "name masker"  # the snapshot cache's key of its NameMasker


def _one(cur: Any, sql: str, params: list[Any] | None = None) -> Any:
    return cur.execute(sql, params or []).fetchone()


# -- filters ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PostFilter:
    """What the post browser and the timeline's range select: each part optional."""

    tag: str | None = None
    act: str | None = None
    platform: str | None = None
    start: date | None = None
    end: date | None = None

    @classmethod
    def parse(cls, query: Any) -> PostFilter:
        """From request query parameters (``tag``, ``act``, ``platform``, ``day``, ``from``,
        ``to``); raises InputError on a malformed value."""
        # no bound on length: a post may write a tag of hundreds of characters, and the
        # filters offer every tag of at least 10 authors (a tag over 140 was refused)
        tag = (query.get("tag") or "").strip().lower() or None
        if tag and not tag.startswith("#"):
            raise InputError(f"tag {tag[:40]!r} is not a hashtag (such as #metoo)")
        act = (query.get("act") or "").strip() or None
        if act and act not in (*ACTS, UNCLASSIFIED):
            raise InputError(f"act {act[:40]!r} is not one of {', '.join(ACTS)}")
        platform = (query.get("platform") or "").strip() or None
        if platform and not re.fullmatch(r"[\w.-]{1,40}", platform):
            raise InputError(f"platform {platform[:40]!r} is not a platform name")
        day = _day(query.get("day"))
        start = day or _day(query.get("from"))
        end = day or _day(query.get("to"))
        return cls(tag=tag, act=act, platform=platform, start=start, end=end)

    def where(self, alias: str = "f", *, with_act: bool = True) -> tuple[str, list[Any]]:
        """A SQL condition over ``facts`` (and ``cells``) with its parameters."""
        parts, params = [f"{alias}.day IS NOT NULL"], []
        if self.tag and alias == "f":  # over fact_tags (see ``source``)
            parts.append("f.tag = ?")
            params.append(self.tag)
        if self.start:
            parts.append(f"{alias}.day >= ?")
            params.append(self.start)
        if self.end:
            parts.append(f"{alias}.day <= ?")
            params.append(self.end)
        if self.platform:
            parts.append(f"{alias}.platform = ?")
            params.append(self.platform)
        if self.act and with_act:
            parts.append(f"{alias}.act = ?")
            params.append(self.act)
        return " AND ".join(parts), params

    def source(self) -> tuple[str, list[Any]]:
        """``FROM`` clause over ``facts f`` restricted to the tag, with its parameters."""
        if self.tag:
            return "fact_tags f", []
        return "facts f", []


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"{text[:20]!r} is not a day (YYYY-MM-DD)") from None


# -- the pages' numbers -------------------------------------------------------------------------
def status(snap: Snapshot | None) -> dict[str, Any]:
    """When the data were copied, and how long that took."""
    if snap is None:
        return {"taken_at": None}
    return {"taken_at": plain(snap.taken_at), "seconds": round(snap.seconds, 2)}


def facets(snap: Snapshot) -> dict[str, Any]:
    """The choices the filters offer: tags used by at least 10 authors, acts, platforms, days."""
    cur = snap.cursor()
    tags = cur.execute(
        "SELECT tag, posts FROM tag_totals WHERE authors >= ? ORDER BY posts DESC, tag LIMIT ?",
        [MIN_CELL, FACET_TAGS],
    ).fetchall()
    platforms = cur.execute(
        "SELECT platform FROM cells WHERE tag IS NULL GROUP BY platform "
        "HAVING max(authors) >= ? OR sum(posts) > 0 ORDER BY sum(posts) DESC",
        [0],
    ).fetchall()
    acts = {r[0] for r in cur.execute("SELECT DISTINCT act FROM act_days").fetchall()}
    first, last = _one(cur, "SELECT min(day), max(day) FROM act_days")
    return {
        "tags": [t for t, _ in tags],
        "acts": [a for a in (*ACTS, UNCLASSIFIED) if a in acts],
        "platforms": [p for (p,) in platforms],
        "first_day": plain(first),
        "last_day": plain(last),
    }


def overview(snap: Snapshot, platform: str | None = None) -> dict[str, Any]:
    """Totals, by platform, the reconciliation of each ingest, quarantine reasons, and the act
    shares: raw, and (for the whole store) corrected for the model's errors with its quality."""
    from groundswell.classify.prevalence import share_summary
    from groundswell.report import queries as report_queries

    cur = snap.cursor()
    ov = report_queries.overview(cur)
    where = "WHERE platform = ?" if platform else ""
    params = [platform] if platform else []
    posts, authors = _one(
        cur, f"SELECT count(*), count(DISTINCT author) FROM facts {where}", params
    )
    by_platform = _platforms(ov["by_platform"])
    reposts, repost_authors = _one(
        cur, f"SELECT count(*), count(DISTINCT author) FROM reposts {where}", params
    )
    acts = records(
        cur.execute(
            f"SELECT act, count(*) AS posts, count(DISTINCT author) AS authors FROM facts "
            f"WHERE act != '{UNCLASSIFIED}' {'AND platform = ?' if platform else ''} "
            "GROUP BY act",
            params,
        ).df()
    )
    from groundswell.classify.prevalence import wilson

    classified = sum(r["posts"] for r in acts)
    order = {a: i for i, a in enumerate(ACTS)}
    acts.sort(key=lambda r: order.get(r["act"], 99))
    summary = share_summary(cur) if not platform else None
    corrected = {s["label"]: s for s in (summary or {}).get("shares", [])}
    for row in acts:
        row["share"] = row["posts"] / classified if classified else None
        row["ci_low"], row["ci_high"] = wilson(row["posts"], classified)
        fix = corrected.get(row["act"])
        row["corrected"] = fix["share"] if fix else None
        row["corrected_low"] = fix["low"] if fix else None
        row["corrected_high"] = fix["high"] if fix else None
    act_fields = ["posts", "authors", "share", "ci_low", "ci_high", "corrected",
                  "corrected_low", "corrected_high"]  # fmt: skip
    act_counts = [int(r["posts"]) for r in acts]
    for row in acts:
        withhold(row, act_fields, row["authors"])
    withhold_complements(acts, act_counts, act_fields)  # shares sum to 1, beside "classified"
    keep = ("started_at", "read", "stored", "duplicates", "reposts", "quarantined", "articles",
            "forgotten", "files", "by_format")  # fmt: skip
    # numbers only: a run's error lines may quote the raw record they could not read
    runs = [{k: plain(r.get(k)) for k in keep} for r in report_queries.ingest_runs(cur)]
    for run in runs:
        parts = sum(int(run.get(k) or 0) for k in ("stored", "duplicates", "reposts",
                                                   "quarantined"))  # fmt: skip
        run["balanced"] = bool(run.get("read") == parts)
    model = None
    if summary:
        model = {k: plain(v) for k, v in summary.items() if k != "shares"}
    out = {
        "platform": platform,
        "posts": posts,
        "authors": authors,
        "reposts": reposts,
        "articles": ov["articles"],
        "quarantined": ov["quarantined"],
        "first": plain(ov["first"]),
        "last": plain(ov["last"]),
        "dated_out_of_span": ov["dated_out_of_span"],
        "undated": ov["undated"],
        "synthetic": ov["synthetic"],
        "by_platform": by_platform,
        "runs": runs,
        "quarantine": [
            {"format": f, "reason": r, "records": n}
            for f, r, n in report_queries.quarantine_reasons(cur)
        ],
        "acts": acts,
        "classified": classified,
        "model": model,
    }
    if reposts:  # reposts of fewer than 10 distinct authors read "< 10", as posts do
        withhold(out, ["reposts"], repost_authors)
    return withhold(out, ["posts", "authors"], authors)


def _platforms(rows: list[tuple[str, int, int, int, int]]) -> list[dict[str, Any]]:
    """Posts and reposts by platform (``rows``: platform, posts, reposts, distinct authors of
    its posts, of its reposts), each beside its total: the posts (and their authors) of a
    platform of fewer than 10 distinct posting authors are withheld, its reposts by their own
    distinct authors, and beside each small one the smallest other platform's posts (reposts)
    too (``withhold_complements``), each count by its own rule."""
    out = [
        {"platform": p, "posts": int(n), "authors": int(a), "reposts": int(r), "suppressed": []}
        for p, n, r, a, _ in rows
    ]
    for (_, n, r, a, b), row in zip(rows, out, strict=True):
        if n:
            withhold(row, ["posts", "authors"], a)
        if r:
            withhold(row, ["reposts"], b)
    for count, fields in (("posts", ["posts", "authors"]), ("reposts", ["reposts"])):
        counts = [int(r[1 if count == "posts" else 2]) for r in rows]
        small = [count in row["suppressed"] for row in out]
        withhold_complements(out, counts, fields, small=small)
    return out


def _exact_authors(cur: Any, flt: PostFilter) -> dict[str | None, int]:
    """Distinct authors of the filtered posts per act, and in all (key None)."""
    src, sp = flt.source()
    cond, cp = flt.where()
    rows = cur.execute(
        f"SELECT f.act, count(DISTINCT f.author) FROM {src} WHERE {cond} "
        "GROUP BY GROUPING SETS ((f.act), ())",
        sp + cp,
    ).fetchall()
    return {act: int(n) for act, n in rows}


def posts(snap: Snapshot, flt: PostFilter, offset: int = 0) -> dict[str, Any]:
    """The post browser: posts per act for the filter, a page of posts (newest first) and
    example posts per act (from the newest 2,000), each with care applied; nothing is listed
    for a selection of fewer than 10 distinct authors. Posts without a time are not listed."""
    key = ("posts", flt, offset)
    hit = snap.cache.get(key)
    if hit is not None:
        return hit
    spans_ready = _private_spans_ready(snap)
    cur = snap.cursor()
    cond, params = flt.where("c")
    tag_cond = "c.tag = ?" if flt.tag else "c.tag IS NULL"
    if flt.tag:
        params = [flt.tag, *params]
    counts = cur.execute(
        f"SELECT act, sum(posts)::BIGINT, max(authors) FROM cells c WHERE {tag_cond} AND {cond} "
        "GROUP BY act",
        params,
    ).fetchall()
    order = {a: i for i, a in enumerate((*ACTS, UNCLASSIFIED))}
    counts.sort(key=lambda r: order.get(r[0], 99))
    bound = max((int(most or 0) for _, _, most in counts), default=0)
    exact: dict[str | None, int] = {}
    if counts and (bound < MIN_CELL or any((most or 0) < MIN_CELL for *_, most in counts)):
        exact = _exact_authors(cur, flt)  # only where a cell may be small: one scan
    by_act, total = [], 0
    for act, n, most in counts:
        authors = int(most) if (most or 0) >= MIN_CELL else exact.get(act, 0)
        by_act.append(withhold({"act": act, "posts": int(n)}, ["posts"], authors))
        total += int(n)
    withhold_complements(by_act, [int(n) for _, n, _ in counts], ["posts"])  # beside the total
    authors = bound if bound >= MIN_CELL else exact.get(None, 0)
    src, sp = flt.source()
    fcond, fp = flt.where()
    shown, examples = [], {}
    if authors >= MIN_CELL:
        # one top-N read serves the page and the examples (drawn from the newest posts)
        newest = cur.execute(
            f"SELECT f.rid, f.act FROM {src} WHERE {fcond} ORDER BY f.ts DESC, f.rid DESC "
            f"LIMIT {max(NEWEST, int(offset) + PAGE)}",
            [*sp, *fp],
        ).fetchall()
        page = newest[int(offset) : int(offset) + PAGE]
        open_acts = {r["act"] for r in by_act if not r["suppressed"]}
        sample: list[tuple[str, int]] = []
        for rid, act in newest:
            if act in open_acts and sum(a == act for a, _ in sample) < EXAMPLES:
                sample.append((act, rid))
        acts = dict(newest)
        texts = _post_rows(snap, cur, [r for r, _ in page] + [r for _, r in sample], spans_ready)
        for rid, post in texts.items():
            post["act"] = acts.get(rid)
        shown = [texts[r] for r, _ in page if r in texts]
        for act, rid in sorted(sample, key=lambda ar: order.get(ar[0], 99)):
            if rid in texts:
                examples.setdefault(act, []).append(texts[rid])
    out = {
        "filter": {k: plain(v) for k, v in flt.__dict__.items()},
        "posts": total,
        "authors_at_least": authors,
        "by_act": by_act,
        "page": shown,
        "offset": offset,
        "page_size": PAGE,
        "examples": examples,
        "texts_checked_for_names": spans_ready,
    }
    withhold(out, ["posts", "authors_at_least", "page", "examples"], authors)
    if out["page"] is None:
        out["page"], out["examples"] = [], {}
    if len(snap.cache) > 2000:
        snap.cache.clear()
    snap.cache[key] = out
    return out


def _private_spans_ready(snap: Snapshot) -> bool:
    """Whether the people analysis has marked where private persons are named (it runs once per
    snapshot; post text is withheld when it failed)."""
    from groundswell.serve import analyses

    try:
        snap.computed("people", analyses.people)
    except Exception:
        return False
    return True


def _post_rows(
    snap: Snapshot, cur: Any, rids: list[int], spans_ready: bool
) -> dict[int, dict[str, Any]]:
    """Posts by rid, as shown: pseudonymised author, cleaned text, safe link, tags."""
    if not rids:
        return {}
    wanted = ", ".join(str(int(r)) for r in sorted(set(rids)))  # whole numbers from the store
    rows = cur.execute(
        "SELECT rid, platform, id, url, author, created_at, lang, "
        f"substr(text, 1, {SHOWN_CHARS + 1000}), hashtags, length(text) FROM posts "
        f"WHERE rid IN ({wanted})"
    ).fetchall()
    spans: dict[int, list[tuple[int, int]]] = {}
    if spans_ready:
        for rid, start, end in cur.execute(
            f'SELECT rid, start, "end" FROM private_spans WHERE rid IN ({wanted})'
        ).fetchall():
            spans.setdefault(rid, []).append((start, end))
    hasher = Pseudonymiser(snap.key, enabled=True)
    masker = snap.cache.get(_MASKER)
    if masker is None:  # people the store's people analysis made public stay named
        masker = snap.cache[_MASKER] = NameMasker.for_store(cur)
    out = {}
    for rid, platform, _pid, url, author, created, lang, text, tags, chars in rows:
        text = text or ""
        if chars and chars > len(text):  # no word cut by the fetch reaches the masker
            text = text[: max(text.rfind(" "), 0)]
        fetched = len(text)  # a span cut by the fetch still hides the part fetched
        clipped = [(a, min(b, fetched)) for a, b in spans.get(rid, []) if a < fetched]
        out[rid] = {
            "platform": platform,
            "created_at": plain(created),
            "author": shown_author(platform, author, snap.pseudonymise, hasher),
            "lang": lang,
            "act": None,  # set by the caller, which read it with the rid
            "text": (
                cut_text(shown_text(text, clipped, masker), SHOWN_CHARS, chars)
                if spans_ready
                else "[text withheld: names in it could not be checked]"
            ),
            "chars": chars,
            "hashtags": list(tags or []),
            "url": shown_url(url),
        }
    return out


def timeline(snap: Snapshot, tags: list[str] | None = None) -> dict[str, Any]:
    """Posts per day for tags (default: the most used, by at least 10 authors) and per act, with
    day cells of fewer than 10 authors withheld, and the onsets and bursts of the movement."""
    from groundswell.serve import analyses

    cur = snap.cursor()
    first, last = _one(cur, "SELECT min(day), max(day) FROM act_days")
    if first is None:
        return {"days": [], "tags": [], "acts": [], "acts_withheld": [], "events": [],
                "suppressed": []}  # fmt: skip
    if not tags:
        tags = [
            t
            for (t,) in cur.execute(
                "SELECT tag FROM tag_totals WHERE authors >= ? ORDER BY posts DESC, tag LIMIT ?",
                [MIN_CELL, TOP_TAGS],
            ).fetchall()
        ]
    days = [r[0] for r in cur.execute("SELECT range::DATE FROM range(?::DATE, ?::DATE + 1, "
                                      "INTERVAL 1 DAY)", [first, last]).fetchall()]  # fmt: skip
    index = {d: i for i, d in enumerate(days)}

    def series(sql: str, params: list[Any]) -> dict[str, Any]:
        return _day_series(cur.execute(sql, params).fetchall(), index)

    tag_series = [
        {"tag": t, **series("SELECT day, posts, authors FROM tag_days WHERE tag = ?", [t])}
        for t in tags
    ]
    act_names = [r[0] for r in cur.execute(
        "SELECT DISTINCT act FROM act_days WHERE act IS NOT NULL").fetchall()]  # fmt: skip
    order = {a: i for i, a in enumerate((*ACTS, UNCLASSIFIED))}
    act_series = [
        {"act": a, **series("SELECT day, posts, authors FROM act_days WHERE act = ?", [a])}
        for a in sorted(act_names, key=lambda a: order.get(a, 99))
    ]
    total = series("SELECT day, posts, authors FROM act_days WHERE act IS NULL", [])
    hidden = _withhold_act_days(act_series, total, [plain(d) for d in days])
    for s_ in (*tag_series, *act_series, total):
        del s_["counts"], s_["small"]
    try:
        events = snap.computed("timeline", analyses.timeline)
        error = None
    except Exception as exc:
        events, error = [], analyses.explain(exc)
    return {
        "days": [plain(d) for d in days],
        "tags": tag_series,
        "acts": act_series,
        "acts_withheld": hidden,
        "all": total,
        "events": events,
        "events_error": error,
    }


def _day_series(rows: list[tuple[Any, int, int]], index: dict[Any, int]) -> dict[str, Any]:
    """Posts per day (``rows``: day, posts, distinct authors), a day of fewer than 10 authors
    None and listed in ``suppressed_days``; ``counts`` and ``small`` keep the true counts and
    which days are small for ``_withhold_act_days`` (the caller drops them)."""
    values: list[int | None] = [0] * len(index)
    counts, small = [0] * len(index), [False] * len(index)
    withheld = []
    for day, n, authors in rows:
        i = index[day]
        counts[i] = int(n)
        if authors < MIN_CELL:
            values[i], small[i] = None, True
            withheld.append(plain(day))
        else:
            values[i] = int(n)
    return {"posts": values, "suppressed_days": withheld, "counts": counts, "small": small}


def _withhold_act_days(
    acts: list[dict[str, Any]], total: dict[str, Any], days: list[str]
) -> list[dict[str, Any]]:
    """Each day's acts sum to that day's posts (``total``, sent as ``all``): beside a lone act of
    fewer than 10 authors the smallest other act of the day is withheld too
    (``care.complementary_cells``, as the report's act bars), read None, listed in its
    ``suppressed_days`` and in its ``withheld_days``. Returns, per day with a withheld act,
    the acts withheld together (each "< 10" or "withheld") and their posts together (the day's
    posts less the acts shown, None when the day itself is withheld), the one grey mark the
    chart draws for them."""
    out = []
    for i, day in enumerate(days):
        counts = [a["counts"][i] for a in acts]
        small = [a["small"][i] for a in acts]
        extra = complementary_cells(counts, small)
        for j in sorted(extra):
            acts[j]["posts"][i] = None
            acts[j]["suppressed_days"] = sorted([*acts[j]["suppressed_days"], day])
            acts[j].setdefault("withheld_days", []).append(day)
        hidden = [j for j, n in enumerate(counts) if n and (small[j] or j in extra)]
        if not hidden:
            continue
        shown = sum(n for j, n in enumerate(counts) if j not in hidden)
        out.append({
            "day": day,
            "posts": None if total["small"][i] else total["counts"][i] - shown,
            "acts": {acts[j]["act"]: "< 10" if small[j] else WITHHELD for j in hidden},
        })  # fmt: skip
    for a in acts:
        a.setdefault("withheld_days", [])
    return out


def testimonies(snap: Snapshot, platform: str | None = None) -> dict[str, Any]:
    """Harm, relation and setting shares among testimonies (the latest act), 95% Wilson
    intervals, small cells withheld; and how right the model's details are on real posts.
    Relation and setting give each testimony one label, so their rows (with the testimonies
    of none) sum to ``n``: beside a small row the smallest other is withheld too. Harm is
    multi-label (a testimony names none, one or several), so its rows sum to no count shown
    and no row is ``n`` less the others: only its small rows are withheld."""
    from groundswell.classify.prevalence import current_model, model_evaluation, wilson

    if "testimony" not in snap.tables:
        return {"n": 0, "fields": {}, "note": "No testimony labels yet: run groundswell classify."}
    cur = snap.cursor()
    cols = {r[0] for r in cur.execute("DESCRIBE testimony").fetchall()}
    acts_cols = {r[0] for r in cur.execute("DESCRIBE acts").fetchall()}
    same_model = {"model", "version"} <= cols and {"model", "version", "classified_at"} <= acts_cols
    pick = "arg_max({0}, classified_at)" if "classified_at" in acts_cols else "any_value({0})"
    model_cols = (
        f", {pick.format('model')} AS model, {pick.format('version')} AS version"
        if same_model
        else ""
    )
    latest = (
        f"SELECT platform, id, {pick.format('act')} AS act{model_cols} "
        "FROM acts GROUP BY platform, id"
    )
    keys = "platform, id, model, version" if same_model else "platform, id"
    where = "WHERE a.act = 'testimony'" + (" AND p.platform = ?" if platform else "")
    base = (
        f"(SELECT t.platform, t.id, any_value(t.harm) AS harm, any_value(t.relation) AS "
        f"relation, any_value(t.setting) AS setting, any_value(p.author) AS author "
        f"FROM testimony t JOIN ({latest}) a USING ({keys}) JOIN posts p "
        f"ON p.platform = t.platform AND p.id = t.id {where} GROUP BY t.platform, t.id)"
    )
    params = [platform] if platform else []
    n, n_authors = _one(cur, f"SELECT count(*), count(DISTINCT author) FROM {base}", params)
    fields: dict[str, list[dict[str, Any]]] = {}
    for field in ("harm", "relation", "setting"):
        if field not in cols:
            continue
        value = "unnest(harm)" if field == "harm" else field
        rows = cur.execute(
            f"SELECT label, count(*) AS posts, count(DISTINCT author) AS authors FROM "
            f"(SELECT {value} AS label, author FROM {base}) WHERE label IS NOT NULL "
            "GROUP BY label ORDER BY posts DESC, label",
            params,
        ).fetchall()
        out = []
        for label, k, authors in rows:
            low, high = wilson(int(k), int(n))
            row = {"label": label, "posts": k, "authors": authors,
                   "share": k / n if n else None, "ci_low": low, "ci_high": high}  # fmt: skip
            out.append(withhold(row, ["posts", "authors", "share", "ci_low", "ci_high"], authors))
        if field in SINGLE_LABEL:
            counts = [int(k) for _, k, _ in rows]
            withhold_complements(out, counts, ["posts", "authors", "share", "ci_low", "ci_high"],
                                 unshown=int(n) - sum(counts))  # fmt: skip
        fields[field] = out
    current = current_model(cur)
    evaluation = model_evaluation(cur, *current) if current else None
    quality = None
    if evaluation and "relation" in evaluation:
        quality = {
            k: {"n": evaluation[k].get("n"), "accuracy": plain(evaluation[k].get("accuracy"))}
            for k in ("relation", "setting", "minor_at_time")
            if k in evaluation
        }
    out = {"platform": platform, "n": n, "authors": n_authors, "fields": fields,
           "quality": quality}  # fmt: skip
    return withhold(out, ["n", "authors"], n_authors)


def public_name(value: str | None) -> str | None:
    """A person as shown: the analyses already name only public figures; pseudonyms of
    private persons (``p_...``) become ``[private person]``."""
    if value and re.fullmatch(r"p_[0-9a-f]{20}", value):
        return PRIVATE
    return value
