"""Run the demo end to end: write the synthetic corpus, ingest, classify, analyse, report.

Each stage runs when it exists in this installation: classification when
``groundswell.classify.classify_store`` can be imported, every registered analysis (inside the
report), then the report itself.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundswell.demo.generator import CORPUS_DIR, CorpusManifest, write_corpus
from groundswell.demo.writers import PREFIX

DEFAULT_OUT = "groundswell-demo"
DEFAULT_POSTS = 50_000
DEFAULT_SEED = 2017
STORE_NAME = "groundswell.duckdb"
REPORT_NAME = "report.html"


@dataclass
class DemoResult:
    """Where the demo wrote things and what each stage did."""

    out_dir: Path
    report: Path
    store: Path
    manifest: CorpusManifest
    ingest: dict[str, Any] = field(default_factory=dict)
    classify: str = "not run"
    stages: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage


def _clear_previous(out: Path) -> None:
    """Remove what an earlier demo wrote here (only its own files), so a re-run starts clean;
    a store, key or report here that the demo did not write (the user's own, in the folder
    they ran it from) is an InputError, and nothing is removed."""
    from groundswell.errors import InputError

    corpus = out / CORPUS_DIR
    if corpus.is_dir():
        owned = all(p.name.startswith(PREFIX) for p in corpus.rglob("*") if p.is_file())
        if not owned:
            raise InputError(f"{corpus} holds files the demo did not write; choose another --out")
    store = out / STORE_NAME
    parts = [store, out / (STORE_NAME + ".key"), out / (STORE_NAME + ".wal")]
    if any(p.exists() for p in parts) and not _demo_store(store):
        raise InputError(
            f"{store}: a store the demo did not write (its posts are not all synthetic, or it "
            "is missing beside its key); choose another --out"
        )
    report = out / REPORT_NAME
    if report.exists() and not _demo_report(report):
        raise InputError(f"{report}: a report the demo did not write; choose another --out")
    if corpus.is_dir():
        shutil.rmtree(corpus)
    for path in [*parts, report]:
        path.unlink(missing_ok=True)


def _demo_store(path: Path) -> bool:
    """Whether ``path`` is a demo's store: a DuckDB file with no post that is not synthetic
    (none at all when an earlier demo stopped before its ingest, or no table yet)."""
    import duckdb

    if not path.is_file():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if not tables:
            return True
        other = con.execute(
            "SELECT count(*) FROM posts WHERE synthetic IS DISTINCT FROM true"
        ).fetchone()[0]
    except duckdb.Error:
        return False
    finally:
        con.close()
    return other == 0


def _demo_report(path: Path) -> bool:
    """Whether ``path`` is a demo's report: an HTML file with the synthetic-data banner."""
    try:
        return path.is_file() and b'class="synthetic-banner"' in path.read_bytes()
    except OSError:
        return False


def run_demo(
    out_dir: str | os.PathLike = DEFAULT_OUT,
    posts: int = DEFAULT_POSTS,
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
    on_stage: Callable[[str], None] | None = None,
    classify_options: dict[str, Any] | None = None,
) -> DemoResult:
    """Generate the synthetic corpus under ``out_dir`` and run every stage that exists.

    ``on_stage`` is called with a short line as each stage starts (the CLI shows it);
    ``classify_options`` go to ``classify_store`` (e.g. ``{"model": "student"}``).
    Returns the paths and counts; the report is ``out_dir/report.html``.
    """
    from groundswell.report import build_report
    from groundswell.store import Store, ingest

    clock = [time.perf_counter()]

    def stage(line: str) -> None:
        if on_stage is not None:
            on_stage(line)

    def done(name: str) -> None:
        now = time.perf_counter()
        result.seconds[name] = round(now - clock[0], 2)
        result.stages.append(name)
        clock[0] = now

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clear_previous(out)
    stage(f"writing a synthetic corpus of {posts:,} posts to {out / CORPUS_DIR}")
    manifest = write_corpus(out, posts=posts, seed=seed)
    result = DemoResult(
        out_dir=out,
        report=out / REPORT_NAME,
        store=out / STORE_NAME,
        manifest=manifest,
    )
    done("generate")
    with Store(result.store) as store:
        stage("ingesting it into " + str(result.store))
        report = ingest([out / CORPUS_DIR], store, synthetic=True, progress=progress)
        result.ingest = report.to_dict()
        done("ingest")
        try:
            from groundswell.classify import classify_store
        except ImportError:
            result.classify = "skipped: no classifier in this installation"
        else:
            stage("classifying the posts")
            classify_store(store, **(classify_options or {}))
            result.classify = "done"
            done("classify")
        stage("running the analyses and writing the report")
        build_report(store, result.report)
        done("analyze+report")
    return result
