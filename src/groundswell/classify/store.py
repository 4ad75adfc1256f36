"""Classifier tables in the store and the resumable ``classify`` run over its posts.

Tables (created here, not in store/schema.sql, so the store works without this stage):
``acts`` (one row per post and model version) and ``testimony`` (the details of the posts whose
act is testimony), keyed by platform and id so that deletions reach them, ``labels`` (a
researcher's answers from the label loop) and ``heads`` (versioned model files: distilled
students and retrained heads).
"""

from __future__ import annotations

import itertools
import json
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from groundswell.classify.bundle import Bundle
from groundswell.errors import InputError, StoreError
from groundswell.schema import ACTS
from groundswell.store.db import rollback

if TYPE_CHECKING:
    from groundswell.classify.run import Predicted

# acts and testimony keep no primary-key index: a run writes only posts that have no row from
# its model and version (one snapshot query), so the index guarded nothing, and on a large
# store it cost more than the rest of the write (an index over 19 M keys also outgrows the
# memory limit). Stores made with it keep it and keep writing through it.
TABLES_SQL = """
CREATE TABLE IF NOT EXISTS acts (
  platform VARCHAR NOT NULL, id VARCHAR NOT NULL, model VARCHAR NOT NULL,
  version VARCHAR NOT NULL, act VARCHAR NOT NULL, scores VARCHAR, evidence VARCHAR,
  lang VARCHAR, unsupported_language BOOLEAN, classified_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS testimony (
  platform VARCHAR NOT NULL, id VARCHAR NOT NULL, model VARCHAR NOT NULL,
  version VARCHAR NOT NULL, harm VARCHAR[], relation VARCHAR, setting VARCHAR,
  minor_at_time VARCHAR, scores VARCHAR);
CREATE TABLE IF NOT EXISTS labels (
  platform VARCHAR NOT NULL, id VARCHAR NOT NULL, act VARCHAR NOT NULL,
  labelled_at TIMESTAMP, source VARCHAR, PRIMARY KEY (platform, id));
CREATE TABLE IF NOT EXISTS heads (
  name VARCHAR NOT NULL, version VARCHAR NOT NULL, created_at TIMESTAMP, blob BLOB,
  metrics VARCHAR, PRIMARY KEY (name, version));
"""
DISTIL_SAMPLE = 2000
MIN_DISTIL = 200  # fewer posts than this: the shipped student is used as it is


def ensure_tables(store: Any) -> None:
    """Create the classifier's tables when missing."""
    store.con.execute(TABLES_SQL)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def save_head(
    store: Any, bundle: Bundle, metrics: dict[str, Any] | None = None, name: str | None = None
) -> str:
    """Keep ``bundle`` in the store's ``heads`` table under ``name`` (default: its kind, which
    makes it the head in use); returns its version."""
    ensure_tables(store)
    version = bundle.version
    store.con.execute(
        "INSERT INTO heads VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [
            name or bundle.kind,
            version,
            _now(),
            bundle.to_bytes(),
            json.dumps(metrics or {}, sort_keys=True),
        ],
    )
    return version


def latest_head(store: Any, kind: str) -> tuple[Bundle, dict[str, Any]] | None:
    """The most recent head of ``kind`` kept in the store, with its metrics, or None."""
    ensure_tables(store)
    row = store.con.execute(
        "SELECT blob, metrics, version FROM heads WHERE name = ? "
        "ORDER BY created_at DESC, version LIMIT 1",
        [kind],
    ).fetchone()
    if row is None:
        return None
    return Bundle.from_bytes(bytes(row[0]), f"heads:{kind}:{row[2]}"), json.loads(row[1] or "{}")


PENDING_SQL = (
    "SELECT p.platform, p.id, p.text, p.lang FROM posts p WHERE NOT EXISTS (SELECT 1 "
    "FROM acts a WHERE a.platform = p.platform AND a.id = p.id AND a.model = ? AND "
    "a.version = ?)"
)


def pending_blocks(store: Any, clf: Any, batch_size: int) -> Iterator[list[tuple]]:
    """The posts without labels from ``clf``, as (platform, id, text, lang) rows in blocks,
    read from a snapshot on a second connection while the first one writes. One query for the
    whole run: the anti-join costs O(store) once, not once per block."""
    cur = store.con.cursor()
    try:
        rel = cur.sql(PENDING_SQL, params=[clf.name, clf.version])
        reader = rel.to_arrow_reader(batch_size)
        rows: list[tuple] = []
        for rb in reader:
            cols = [rb.column(i).to_pylist() for i in range(4)]
            rows.extend(zip(*cols, strict=True))
            while len(rows) >= batch_size:
                yield rows[:batch_size]
                rows = rows[batch_size:]
        if rows:
            yield rows
    finally:
        cur.close()


def pending_count(store: Any, model: str, version: str) -> int:
    """Posts with no row from this model and version."""
    return store.con.execute(
        "SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM acts a WHERE "
        "a.platform = p.platform AND a.id = p.id AND a.model = ? AND a.version = ?)",
        [model, version],
    ).fetchone()[0]


def default_data_dir() -> Path | None:
    """The repository's data/ folder when groundswell runs from a checkout, else None."""
    here = Path(__file__).resolve().parents[3] / "data"
    return here if (here / "acts.csv").exists() else None


def distil_student(
    store: Any,
    teacher: Any,
    *,
    sample: int = DISTIL_SAMPLE,
    data_dir: str | os.PathLike | None = None,
) -> tuple[Bundle, dict[str, Any]]:
    """Label a seeded sample of the store's posts with the teacher, train a student on it (plus
    data/ when found), keep it in ``heads``; returns it and its agreement with the teacher."""
    from groundswell.classify.bundle import shipped_path
    from groundswell.classify.training import TrainingData, distill, load_training_data

    rows = store.con.execute(
        "SELECT text FROM posts ORDER BY hash(platform || ':' || id), id LIMIT ?", [sample]
    ).fetchall()
    texts = [r[0] for r in rows]
    probs = teacher.scores(texts)["act"]
    data_dir = data_dir or default_data_dir()
    data = load_training_data(data_dir) if data_dir else TrainingData()
    base = Bundle.load(shipped_path("student"))
    student, agreement = distill(probs, texts, base, data)
    student.meta["teacher_version"] = teacher.version
    agreement["teacher_version"] = teacher.version
    save_head(store, student, {"distillation": agreement})
    return student, agreement


_DETAIL_SCORES = tuple((k, f"{k}_scores") for k in ("harm", "relation", "setting", "minor_at_time"))


def _json(value: Any) -> str:
    """Compact JSON (orjson: the same values as ``json.dumps``, several times faster)."""
    return orjson.dumps(value).decode()


def _rows(
    batch: list[tuple[str, str]], recs: Predicted | Sequence[dict[str, Any]]
) -> tuple[Any, Any]:
    """One batch's ``acts`` rows, and ``testimony`` rows for the posts whose act is testimony
    (the codebook asks the details only of them), as Arrow tables (scores rounded to 6 places,
    scores and evidence as JSON), from a ``Predicted`` batch or its records."""
    import pyarrow as pa

    from groundswell.classify.run import Predicted

    pred = recs if isinstance(recs, Predicted) else Predicted.from_records(recs)
    n = len(pred.acts)
    probs = np.asarray(pred.probs, dtype=np.float64).round(6)
    evidence = pred.evidence if pred.evidence is not None else [[]] * n
    acts = pa.table(
        {
            "platform": [p for p, _ in batch],
            "id": [i for _, i in batch],
            "model": pa.array([pred.model] * n, pa.string()),
            "version": pa.array([pred.version] * n, pa.string()),
            "act": pa.array(pred.acts, pa.string()),
            "scores": [_json(dict(zip(ACTS, row, strict=True))) for row in probs.tolist()],
            "evidence": [_json(ev) for ev in evidence],
            "lang": pa.array(pred.langs, pa.string()),
            "unsupported_language": pa.array(pred.unsupported, pa.bool_()),
            "classified_at": pa.array([_now()] * n, pa.timestamp("us")),
        }
    )
    told = [i for i, act in enumerate(pred.acts) if act == "testimony"]
    det = [pred.details[i] for i in told]
    testimony = pa.table(
        {
            "platform": pa.array([batch[i][0] for i in told], pa.string()),
            "id": pa.array([batch[i][1] for i in told], pa.string()),
            "model": pa.array([pred.model] * len(told), pa.string()),
            "version": pa.array([pred.version] * len(told), pa.string()),
            "harm": pa.array([d["harm"] for d in det], pa.list_(pa.string())),
            "relation": pa.array([d["relation"] for d in det], pa.string()),
            "setting": pa.array([d["setting"] for d in det], pa.string()),
            "minor_at_time": pa.array([d["minor_at_time"] for d in det], pa.string()),
            "scores": pa.array(
                [
                    _json(
                        {
                            k: {lab: round(v, 6) for lab, v in d[f].items()}
                            for k, f in _DETAIL_SCORES
                        }
                    )
                    for d in det
                ],
                pa.string(),
            ),
        }
    )
    return acts, testimony


_WORKER: dict[str, Any] = {}
PARALLEL_MIN_POSTS = 20_000  # below this, starting worker processes costs more than it saves


def _init_worker(bundle: Any, device: str) -> None:
    """Build the worker's classifier once; the worker ends itself if its parent is killed."""
    import threading
    import time

    from groundswell.classify.run import Classifier

    parent = os.getppid()

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()
    _WORKER["clf"] = Classifier(bundle, device=device)
    _collect_rarely()


def _collect_rarely() -> None:
    """In a process that only predicts: its start-up objects live as long as it does and a
    batch makes few cycles, so keep the collector off what is built and let it run rarely
    (it took about 8% of a worker's CPU)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 1000)


AHEAD = 2  # batches predicted ahead of the writer, per worker


def _predict_rows(clf: Any, rows: list[tuple]) -> tuple[Any, Any]:
    """One batch of (platform, id, text, lang) rows predicted by ``clf``, as the ``acts`` and
    ``testimony`` rows to write."""
    pred = clf.predicted([r[2] for r in rows], [r[3] for r in rows], details=False)
    return _rows([(r[0], r[1]) for r in rows], pred)


def _predict_chunk(rows: list[tuple]) -> tuple[Any, Any]:
    """Predict one batch in a worker process (its classifier is built once, at start)."""
    return _predict_rows(_WORKER["clf"], rows)


_CLASSIFIERS: dict[tuple[str, str, str], Any] = {}  # (version or id, device, precision)
MAX_CLASSIFIERS = 4


def predict_batch(
    bundle: Bundle,
    device: str,
    texts: list[str],
    langs: list[str | None],
    *,
    version: str | None = None,
    precision: str = "auto",
    details: bool = True,
) -> list[dict[str, Any]]:
    """The classify stage's batch function (a Ray task, a Dask or Spark partition function):
    ``Classifier.predict`` with one classifier per process and model, built on first use.
    ``version`` names the bundle when the caller knows it (each Ray task gets its own copy of
    the bundle); without it the bundle object itself is the key. Without ``details`` only
    testimonies get the detail fields."""
    return _classifier(bundle, device, version, precision).predict(texts, langs, details=details)


def _classifier(bundle: Bundle, device: str, version: str | None, precision: str) -> Any:
    """This process's classifier for ``bundle`` (see ``predict_batch``), built on first use."""
    from groundswell.classify.run import Classifier

    key = (version or str(id(bundle)), device, precision)
    clf = _CLASSIFIERS.get(key)
    if clf is None:
        while len(_CLASSIFIERS) >= MAX_CLASSIFIERS:
            _CLASSIFIERS.pop(next(iter(_CLASSIFIERS)))
        clf = _CLASSIFIERS[key] = Classifier(bundle, device=device, precision=precision)
    return clf


def table_batch(
    bundle: Bundle,
    device: str,
    rows: list[tuple],
    *,
    version: str | None = None,
    precision: str = "auto",
) -> tuple[Any, Any]:
    """``predict_batch`` of (platform, id, text, lang) ``rows`` as the ``acts`` and
    ``testimony`` tables ``write_tables`` stores (what a Ray worker of the classify engine
    hands the writer; the worker collects garbage rarely, as the local pool's do)."""
    if not _CLASSIFIERS:
        _collect_rarely()
    return _predict_rows(_classifier(bundle, device, version, precision), rows)


def _pool(clf: Any, workers: int) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(clf.bundle, clf.device))


def _keyed(con: Any, table: str) -> bool:
    """Whether ``table`` carries the primary key that stores made before had."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = ? "
            "AND constraint_type = 'PRIMARY KEY'",
            [table],
        ).fetchone()[0]
    )


def write_tables(store: Any, tables: tuple[Any, Any]) -> None:
    """Write one batch's ``acts`` and ``testimony`` tables (see ``_rows``) in one transaction
    (through the key index where an older store has one)."""
    acts_tbl, t_tbl = tables
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("acts_batch", acts_tbl)
        con.register("testimony_batch", t_tbl)
        for table, batch in (("acts", "acts_batch"), ("testimony", "testimony_batch")):
            guard = " ON CONFLICT DO NOTHING" if _keyed(con, table) else ""
            con.execute(f"INSERT INTO {table} SELECT * FROM {batch}{guard}")
        con.execute("COMMIT")
    except Exception as exc:
        rollback(con)
        raise StoreError(f"{store.path}: cannot write classifications: {exc}") from exc
    finally:
        con.unregister("acts_batch")
        con.unregister("testimony_batch")


def _classify_local(
    store: Any,
    clf: Any,
    batch_size: int,
    workers: int,
    progress: Callable[[int, int], None] | None,
    todo: int,
    max_batches: int | None,
) -> int:
    """The pending posts in batches, predicted here or in a local pool, each committed in its
    own transaction, in order; returns how many were classified. With a pool the workers run
    ahead (AHEAD batches each) while this process writes, and each worker hands back its
    batch's rows as Arrow tables, so neither side waits on the other."""
    source = pending_blocks(store, clf, batch_size)  # one snapshot query, streamed
    blocks = itertools.islice(source, max_batches)
    done = 0
    pool = None
    try:
        if workers <= 1:
            for rows in blocks:
                write_tables(store, _predict_rows(clf, rows))
                done += len(rows)
                if progress:
                    progress(done, todo)
            return done
        pool = _pool(clf, workers)
        inflight: deque[tuple[int, Any]] = deque()
        for rows in itertools.chain(blocks, [None]):
            if rows is not None:
                inflight.append((len(rows), pool.submit(_predict_chunk, rows)))
            # a kill loses at most the batches in flight: each written one is committed
            while inflight and (rows is None or len(inflight) > AHEAD * workers):
                n, future = inflight.popleft()
                write_tables(store, future.result())
                done += n
                if progress:
                    progress(done, todo)
        return done
    finally:
        source.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def classify_store(
    store: Any,
    model: str = "auto",
    device: str = "cpu",
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    *,
    heads_dir: str | os.PathLike | None = None,
    distil: bool = False,
    data_dir: str | os.PathLike | None = None,
    max_batches: int | None = None,
    workers: int | None = None,
    precision: str = "auto",
    engine: str = "local",
    address: str | None = None,
) -> dict[str, Any]:
    """Classify every post without a row from the current model and version, one committed
    transaction per batch (a killed run resumes where it stopped). ``model='auto'`` picks the
    teacher on a GPU or for small stores, else the student as shipped (already distilled from
    the teacher on real posts; no torch is loaded), or, with ``distil``, distilled again from
    the teacher on a sample of this store. ``workers`` processes share the
    student's work on large stores (default: up to 4 cores; 1 for the teacher, which uses its
    own threads). ``precision`` is the teacher's autocast dtype (auto: fp16 on cuda).
    ``engine="ray"`` predicts the batches on Ray (a cluster at ``address``, or a local one
    started for the run) with the same batch function, written here in the same transactions.
    Returns counts, the model used and the distillation agreement."""
    from groundswell.classify.run import Classifier, choose_model, load_bundle

    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; use local or ray")
    started = datetime.now(UTC)
    ensure_tables(store)
    total_posts = store.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    kind = choose_model(model, total_posts, device)
    if model == "auto" and not heads_dir:
        kept_student = latest_head(store, "student")
        if kept_student is not None and "labels" in kept_student[1]:
            kind = "student"  # retrained on this store's own labels: it knows this corpus best
    agreement = None
    bundle = load_bundle(kind, heads_dir) if heads_dir else None
    if bundle is None:
        kept = latest_head(store, kind)
        if kept is not None:
            bundle, metrics = kept
            agreement = metrics.get("distillation")
        elif (
            kind == "student"
            and distil
            and total_posts >= MIN_DISTIL
            and choose_model("auto", 0, device) == "teacher"
        ):
            teacher = Classifier(
                load_bundle("teacher"), device=device, precision=precision, decide=False
            )
            # a GPU labels 20,000 posts in seconds: a larger sample, a closer student
            sample = DISTIL_SAMPLE * (1 if device == "cpu" else 10)
            bundle, agreement = distil_student(store, teacher, sample=sample, data_dir=data_dir)
        else:
            bundle = load_bundle(kind)
    clf = Classifier(bundle, device=device, precision=precision)
    todo = pending_count(store, clf.name, clf.version)
    if workers is None:  # the CPU student is the stage worth spreading over cores
        large = kind == "student" and todo >= PARALLEL_MIN_POSTS
        workers = min(os.cpu_count() or 1, 4) if large else 1
    if engine == "ray":
        from groundswell.engines.classify import classify_on_ray

        done = classify_on_ray(
            store,
            clf,
            batch_size=batch_size,
            address=address,
            progress=progress,
            todo=todo,
            max_batches=max_batches,
        )
    else:
        done = _classify_local(store, clf, batch_size, workers, progress, todo, max_batches)
    counts = dict(
        store.con.execute(
            "SELECT act, count(*) FROM acts WHERE model = ? AND version = ? GROUP BY act",
            [clf.name, clf.version],
        ).fetchall()
    )
    result = {
        "model": clf.name,
        "version": clf.version,
        "classified": done,
        "pending_before": int(todo),
        "posts": int(total_posts),
        "acts": {a: int(counts.get(a, 0)) for a in ACTS},
        "unsupported_language": int(
            store.con.execute(
                "SELECT count(*) FROM acts WHERE model = ? AND version = ? AND "
                "unsupported_language",
                [clf.name, clf.version],
            ).fetchone()[0]
        ),
        "distillation": agreement,
    }
    store.record_run(
        "classify",
        {
            "model": model,
            "device": device,
            "precision": precision,
            "batch_size": batch_size,
            "resolved": clf.name,
            "version": clf.version,
        },
        result,
        started,
    )
    return result


def act_shares(store: Any, model: str, version: str) -> dict[str, float]:
    """Share of each act among the posts classified by ``model`` ``version``."""
    counts = dict(
        store.con.execute(
            "SELECT act, count(*) FROM acts WHERE model = ? AND version = ? GROUP BY act",
            [model, version],
        ).fetchall()
    )
    n = sum(counts.values())
    return {a: (counts.get(a, 0) / n if n else float(np.nan)) for a in ACTS}
