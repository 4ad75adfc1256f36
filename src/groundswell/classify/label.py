"""Label a few, retrain, estimate: two kinds of samples, kept apart.

- For training: the store's most informative unlabelled posts (uncertain and unlike each other);
  the student's act head is retrained on data/ plus every label, and installed only when its
  cross-validated macro-F1 on the labels beats the current model's; otherwise it is kept aside
  (as ``student-rejected``) and the numbers say why.
- For estimation: a uniform random sample (``select_random``), recorded with source
  ``random``; ``prevalence.py`` combines those labels with the model's predictions on every
  post (prediction-powered inference) into shares whose intervals hold on this store.

Without a terminal the posts go to a CSV to fill (``write_sample``) with the care of
``groundswell export --to csv`` (CODEBOOK section 7): ids and text pseudonymised and masked as
the export writes them, formula cells neutralised, and a ``ref`` column, a keyed hash of the
post's key that only this store can recompute, by which ``record_labels`` finds each post again.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from groundswell.care.pseudonym import KeyedHash, pseudonymise_ids
from groundswell.classify.bundle import Bundle
from groundswell.classify.store import default_data_dir, ensure_tables, latest_head, save_head
from groundswell.errors import InputError
from groundswell.schema import ACTS
from groundswell.store.export import csv_cell, csv_cell_values, open_output, register_cleaners

LABEL_WEIGHT = 3.0  # a researcher's label on their own corpus counts more than a data/ row
MIN_LABELS = 20  # fewer labels than this cannot show that a new head is better
POOL = 20000
SAMPLE_COLUMNS = ("platform", "id", "text", "act", "ref")
_PSEUDONYM = re.compile(r"u_[0-9a-f]{20}")


def current_student(store: Any) -> Bundle:
    """The student the store uses now: its latest kept head, else the shipped one."""
    from groundswell.classify.run import load_bundle

    kept = latest_head(store, "student")
    return kept[0] if kept else load_bundle("student")


def select_posts(store: Any, n: int = 20, pool: int = POOL) -> list[dict[str, Any]]:
    """``n`` unlabelled posts to label: the most uncertain (smallest margin between the two
    most probable acts) among a seeded pool, spread out by farthest-first selection over their
    n-gram features so that near-duplicates are not asked twice."""
    from groundswell.classify.run import Classifier

    ensure_tables(store)
    rows = store.con.execute(
        "SELECT p.platform, p.id, p.text FROM posts p WHERE NOT EXISTS (SELECT 1 FROM labels l "
        "WHERE l.platform = p.platform AND l.id = p.id) ORDER BY hash(p.platform || ':' || p.id),"
        " p.id LIMIT ?",
        [pool],
    ).fetchall()
    if not rows:
        return []
    clf = Classifier(current_student(store))
    texts = [r[2] for r in rows]
    X = clf.features(texts)
    probs = clf.bundle.scores(X)["act"]
    top2 = np.sort(probs, axis=1)[:, -2:]
    uncertainty = 1.0 - (top2[:, 1] - top2[:, 0])
    cand = np.argsort(-uncertainty, kind="stable")[: max(5 * n, n)]
    Xc = X[cand]
    norms = np.sqrt(np.asarray(Xc.multiply(Xc).sum(axis=1)).ravel()) + 1e-12
    chosen = [0]
    min_dist = 1.0 - np.asarray((Xc @ Xc[0].T).todense()).ravel() / (norms * norms[0])
    while len(chosen) < min(n, len(cand)):
        score = min_dist * uncertainty[cand]
        score[chosen] = -1.0
        nxt = int(score.argmax())
        chosen.append(nxt)
        d = 1.0 - np.asarray((Xc @ Xc[nxt].T).todense()).ravel() / (norms * norms[nxt])
        min_dist = np.minimum(min_dist, d)
    out = []
    for c in chosen:
        i = int(cand[c])
        out.append(
            {
                "platform": rows[i][0],
                "id": rows[i][1],
                "text": rows[i][2],
                "act": ACTS[int(probs[i].argmax())],
                "p": float(probs[i].max()),
                "uncertainty": float(uncertainty[i]),
            }
        )
    return out


def select_random(store: Any, n: int, seed: int = 13) -> list[dict[str, Any]]:
    """``n`` unlabelled posts drawn uniformly at random (seeded): the sample whose labels make
    valid share estimates, never to be mixed with the uncertainty-chosen ones."""
    ensure_tables(store)
    rows = store.con.execute(
        "SELECT p.platform, p.id, p.text FROM posts p WHERE NOT EXISTS (SELECT 1 FROM labels l "
        "WHERE l.platform = p.platform AND l.id = p.id) "
        "ORDER BY hash(p.platform || ':' || p.id || ':' || ?), p.id LIMIT ?",
        [str(seed), n],
    ).fetchall()
    return [{"platform": r[0], "id": r[1], "text": r[2]} for r in rows]


def sample_ref(store: Any) -> KeyedHash:
    """The label sample's ``ref``: a keyed hash of ``platform:id`` (24 hex digits) under a key
    derived from the store's, so the CSV names no post and only this store finds it again."""
    return KeyedHash(store.pseudonym.key, b"groundswell label sample", 24)


def sample_rows(store: Any, posts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows of the label CSV (``SAMPLE_COLUMNS``) for ``posts``, in their order, with the
    care of ``groundswell export --to csv``: ids and text through the export's cleaners
    (handles, DIDs, fediverse and reddit names pseudonymised, emails, phones and addresses
    masked) and every text cell neutralised against spreadsheet formulas."""
    if not posts:
        return []
    register_cleaners(store)
    ref = sample_ref(store).sql("s.platform || ':' || s.id")
    cells = ", ".join(
        [
            csv_cell("platform", "s.platform"),
            csv_cell("id", "gs_clean_id(s.platform, s.id)"),
            csv_cell("text", "gs_clean_text(s.platform, s.text)"),
        ]
    )
    return store.con.execute(
        f"SELECT {cells}, '' AS act, {ref} AS ref FROM (SELECT unnest($1::BIGINT[]) AS n, "
        "unnest($2::VARCHAR[]) AS platform, unnest($3::VARCHAR[]) AS id, "
        "unnest($4::VARCHAR[]) AS text) s ORDER BY s.n",
        [
            list(range(len(posts))),
            [p["platform"] for p in posts],
            [p["id"] for p in posts],
            [p["text"] for p in posts],
        ],
    ).fetchall()


def write_sample(store: Any, posts: list[dict[str, Any]], out: str | os.PathLike) -> int:
    """Write ``posts`` to the label CSV ``out`` (see ``sample_rows``), replacing a regular file
    whole, through a symbolic link, or straight into a FIFO; returns the rows written. Raises
    StoreError naming ``out`` when it cannot be written."""
    rows = sample_rows(store, posts)
    with open_output(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(SAMPLE_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def shown_text(store: Any, platform: str, text: str) -> str:
    """A post's text as the label prompt shows it: cleaned as the export writes it."""
    register_cleaners(store)
    return store.con.execute("SELECT gs_clean_text(?, ?)", [platform, text]).fetchall()[0][0]


class Answers(list):
    """The answers of a CSV (``read_answers``), and the rows that are none: ``unanswered``
    counts those left without an act (skipped, as the prompt's enter skips), ``errors`` names
    those that cannot be read (``file:line: why``)."""

    def __init__(self) -> None:
        super().__init__()
        self.unanswered = 0
        self.errors: list[str] = []


def read_answers(path: str | os.PathLike) -> Answers:
    """A CSV of answers: ``id`` and ``act`` columns (``platform`` and ``ref`` optional), in
    UTF-8 (with or without its mark), UTF-16 or UTF-32, or Windows-1252 as Excel saves it
    (``run.decode_input``), cells of any length (the sample's text is the post's, however long).
    A row whose act is blank is not answered: skipped and counted. A row that cannot be read
    (bytes that are no text, an act not in the codebook) is named in ``errors`` by the line it
    starts on (a text cell may hold line breaks), and the others are read."""
    from groundswell.classify.run import UnreadInput, decode_input, iter_csv_body, undecodable

    path = Path(path)
    try:
        text = decode_input(path.read_bytes())
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the answers: {exc}") from exc
    out = Answers()
    fields: list[str] | None = None
    for item in iter_csv_body(text, str(path)):
        if isinstance(item, UnreadInput):
            out.errors.append(f"{path}:{item['line']}: {item['error']}")
            continue
        line, values = item
        if fields is None:
            fields = values
            if not {"id", "act"} <= set(fields):
                raise InputError(f"{path}: needs columns 'id' and 'act'")
            continue
        if not values:
            continue  # a blank line
        row = dict(zip(fields, values, strict=False))
        act = (row.get("act") or "").strip().lower()
        why = next(filter(None, map(undecodable, values)), None)
        if why is None and not act:
            out.unanswered += 1
            continue
        if why is None and act not in ACTS:
            why = f"act {act!r} is not in the codebook ({', '.join(ACTS)})"
        if why is not None:
            out.errors.append(f"{path}:{line}: {why}")
            continue
        out.append(
            {
                "platform": (row.get("platform") or "").strip(),
                "id": (row.get("id") or "").strip(),
                "act": act,
                "ref": (row.get("ref") or "").strip().lower(),
            }
        )
    if fields is None:
        raise InputError(f"{path}: needs columns 'id' and 'act'")
    return out


def _by_ref(store: Any, answers: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    """The post each answer's ``ref`` names, by ref, in one set-based pass over the store."""
    refs = sorted({a["ref"] for a in answers if a.get("ref")})
    if not refs:
        return {}
    ref = sample_ref(store).sql("platform || ':' || id")
    rows = store.con.execute(
        f"SELECT r, platform, id FROM (SELECT platform, id, {ref} AS r FROM posts) "
        "WHERE r IN (SELECT unnest($1::VARCHAR[]))",
        [refs],
    ).fetchall()
    return {r: (platform, pid) for r, platform, pid in rows}


def _by_pseudonymised_id(store: Any, pid: str) -> list[tuple[str, str]]:
    """The posts whose id an export or label CSV writes as ``pid`` (with author pseudonyms in
    it): the pseudonyms of the posts whose id has the same other parts are recomputed."""
    if not store.pseudonymise or not _PSEUDONYM.search(pid):
        return []
    pattern = "%".join(
        part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for part in _PSEUDONYM.split(pid)
    )
    candidates = store.con.execute(
        "SELECT platform, id FROM posts WHERE id LIKE ? ESCAPE '\\'", [pattern]
    ).fetchall()
    return [
        (platform, raw)
        for platform, raw in candidates
        if pseudonymise_ids(raw, platform, store.pseudonym) == pid
    ]


def match_answers(store: Any, answers: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    """The (platform, id) of the posts each answer names: by ``ref`` (the label CSV's keyed
    hash), else by ``id`` (within ``platform`` when given): the store's own id, that id as a
    neutralised CSV cell (``'=...``), or the pseudonymised id an export or label CSV wrote."""
    by_ref = _by_ref(store, answers)
    ids = sorted({v for a in answers for v in csv_cell_values(a["id"]) if v})
    by_id: dict[str, list[tuple[str, str]]] = {}
    for platform, pid in store.con.execute(
        "SELECT platform, id FROM posts WHERE id IN (SELECT unnest($1::VARCHAR[]))", [ids]
    ).fetchall():
        by_id.setdefault(pid, []).append((platform, pid))
    out = []
    for a in answers:
        hit = by_ref.get(a.get("ref") or "")
        if hit:
            out.append([hit])
            continue
        platforms = set(csv_cell_values(a.get("platform") or ""))
        keys: list[tuple[str, str]] = []
        for pid in csv_cell_values(a["id"]) if a["id"] else []:
            keys = by_id.get(pid) or _by_pseudonymised_id(store, pid)
            keys = [k for k in keys if platforms == {""} or k[0] in platforms]
            if keys:
                break
        out.append(keys)
    return out


def record_labels(store: Any, answers: list[dict[str, str]], source: str = "label") -> int:
    """Store answers (a later answer for the same post replaces the earlier), in one statement;
    returns how many matched a post of the store (see ``match_answers``)."""
    return _record(store, answers, match_answers(store, answers), source)


def _record(
    store: Any, answers: list[dict[str, str]], matches: list[list[tuple[str, str]]], source: str
) -> int:
    """``record_labels`` with each answer's posts already matched."""
    ensure_tables(store)
    now = datetime.now(UTC).replace(tzinfo=None)
    acts: dict[tuple[str, str], str] = {}
    n = 0
    for a, keys in zip(answers, matches, strict=True):
        for key in keys:
            acts.pop(key, None)  # re-inserted: the later answer wins
            acts[key] = a["act"]
            n += 1
    if acts:
        store.con.execute(
            "INSERT OR REPLACE INTO labels SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[]), "
            "unnest($3::VARCHAR[]), $4::TIMESTAMP, $5",
            [[k[0] for k in acts], [k[1] for k in acts], list(acts.values()), now, source],
        )
    return n


def _labelled(store: Any) -> tuple[list[str], list[str]]:
    rows = store.con.execute(
        "SELECT p.text, l.act FROM labels l JOIN posts p USING (platform, id)"
        " ORDER BY l.platform, l.id"
    ).fetchall()
    return [r[0] for r in rows], [r[1] for r in rows]


def _fit_act(
    base: Bundle, data: Any, X_data: Any, X_labels: Any, acts: list[str], calibrate: bool = True
) -> Bundle:
    """The student with its act head refitted on data/ (``X_data``) plus the store's labels."""
    import scipy.sparse as sp

    from groundswell.classify.heads import LinearHead
    from groundswell.classify.training import C_ACT

    X = sp.vstack([X_data, X_labels], format="csr") if X_data is not None else X_labels
    w = np.concatenate([np.ones(len(data.texts)), np.full(len(acts), LABEL_WEIGHT)])
    head = LinearHead(C=C_ACT["student"], calibrate=calibrate).fit(
        X, list(data.acts) + list(acts), sample_weight=w
    )
    heads = dict(base.heads, act=head)
    return Bundle("student", heads, dict(base.meta, store_labels=len(acts)))


def retrain(
    store: Any, data_dir: str | os.PathLike | None = None, folds: int = 5
) -> dict[str, Any]:
    """Retrain the student's act head on data/ plus the store's labels and keep it in the store.
    Returns the evaluation on the labels before (current model) and after (cross-validated:
    each label predicted by a head trained without it)."""
    from groundswell.classify.evaluation import act_metrics
    from groundswell.classify.rules import gate_acts
    from groundswell.classify.run import Classifier
    from groundswell.classify.training import TrainingData, load_training_data

    texts, acts = _labelled(store)
    if not texts:
        raise InputError("no labels in the store yet; run `groundswell label` first")
    base = current_student(store)
    data_dir = data_dir or default_data_dir()
    data = load_training_data(data_dir) if data_dir else TrainingData()
    before_p = Classifier(base).scores(texts)["act"]
    before = act_metrics(acts, [ACTS[i] for i in before_p.argmax(axis=1)], before_p)
    after_p = np.zeros_like(before_p)
    from groundswell.classify.student import StudentFeaturizer

    feats = StudentFeaturizer()
    X_data = feats.transform(data.texts) if data.texts else None
    X_labels = feats.transform(texts)
    # folds over distinct texts: a post seen twice must not be scored by a head trained on it
    distinct, group = np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)
    k = min(folds, len(distinct))
    fold_of = np.empty(len(distinct), dtype=int)
    fold_of[np.random.default_rng(13).permutation(len(distinct))] = np.arange(len(distinct)) % k
    for f in range(k):  # uncalibrated folds: the temperature is fitted once, on the final head
        test = np.flatnonzero(fold_of[group] == f)
        train_idx = np.flatnonzero(fold_of[group] != f)
        sub = _fit_act(
            base, data, X_data, X_labels[train_idx], [acts[i] for i in train_idx], calibrate=False
        )
        after_p[test] = gate_acts([texts[i] for i in test], sub.scores(X_labels[test])["act"])
    after = act_metrics(acts, [ACTS[i] for i in after_p.argmax(axis=1)], after_p)
    new = _fit_act(base, data, X_data, X_labels, acts)
    better = len(texts) >= MIN_LABELS and after["macro_f1"] > before["macro_f1"]
    if better:
        reason = (
            f"installed: cross-validated macro-F1 {after['macro_f1']:.3f} on your "
            f"{len(texts)} labels beats the current model's {before['macro_f1']:.3f}"
        )
    elif len(texts) < MIN_LABELS:
        reason = (
            f"kept aside: {len(texts)} labels are too few to tell whether a new head is "
            f"better (at least {MIN_LABELS} are needed)"
        )
    else:
        reason = (
            f"kept aside: cross-validated macro-F1 {after['macro_f1']:.3f} on your "
            f"{len(texts)} labels does not beat the current model's {before['macro_f1']:.3f}"
        )
    metrics = {
        "labels": len(texts),
        "before": before["macro_f1"],
        "after_cv": after["macro_f1"],
        "installed": better,
    }
    version = save_head(store, new, metrics, name=None if better else "student-rejected")
    return {
        "labels": len(texts),
        "version": version,
        "before": before,
        "after": after,
        "installed": better,
        "reason": reason,
    }


def label_loop(
    store: Any,
    *,
    answers_path: str | os.PathLike | None = None,
    ask: Callable[[dict[str, Any]], str | None] | None = None,
    n: int = 20,
    data_dir: str | os.PathLike | None = None,
    random: bool = False,
) -> dict[str, Any]:
    """One round: answers from ``answers_path`` (non-interactive) or from ``ask`` (called with
    each selected post, returns an act, None to skip, or 'quit'), then retrain and evaluate.
    ``random``: the posts are a uniform random sample (``select_random``) and their labels are
    kept for estimating shares."""
    read = Answers()
    if answers_path is not None:
        answers = read = read_answers(answers_path)
        if read.errors and not answers:
            raise InputError(f"{read.errors[0]}; no row of the answers could be read")
    else:
        if ask is None:
            raise InputError("label needs --answers FILE or an interactive terminal")
        answers = []
        for post in select_random(store, n) if random else select_posts(store, n):
            act = ask(post)
            if act == "quit":
                break
            if act:
                answers.append({"platform": post["platform"], "id": post["id"], "act": act})
    source = "random" if random else ("answers" if answers_path else "interactive")
    matches = match_answers(store, answers)
    recorded = _record(store, answers, matches, source)
    result = retrain(store, data_dir) if recorded or _labelled(store)[0] else {"labels": 0}
    result["recorded"] = recorded
    if answers_path is not None:
        result["unanswered"] = read.unanswered
        result["unmatched"] = sum(not keys for keys in matches)
        result["errors"] = read.errors
    return result
