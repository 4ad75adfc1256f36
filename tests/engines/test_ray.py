"""Ingest and classify on a real local Ray cluster give the store a local run gives, and a run
whose worker or driver is killed half-way, started again, loses and duplicates nothing.

The cluster is `ray start --head` on 127.0.0.1 with two worker CPUs, started once for this
module and stopped at its end (its own processes only). Skipped when Ray is not installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

# a head on 127.0.0.1 only: Ray must not swap loopback for the machine's address when this
# process joins it, and a loopback test cluster needs no token (set before ray is imported)
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
ray = pytest.importorskip("ray")
duckdb = pytest.importorskip("duckdb")

from groundswell.classify import classify_store  # noqa: E402
from groundswell.demo.generator import write_corpus  # noqa: E402
from groundswell.engines.faults import FAULT_ENV  # noqa: E402
from groundswell.store import Store, ingest  # noqa: E402
from gspaths import REPO  # noqa: E402

POSTS = 1500
BLOCK = 150  # records per block: several blocks per file, so kills land mid-file
RAY = shutil.which("ray", path=os.path.dirname(sys.executable)) or shutil.which("ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fault_marker(tmp_path_factory) -> Path:
    """The marker file the cluster's workers look at (see engines.faults)."""
    return tmp_path_factory.mktemp("fault") / "marker"


@pytest.fixture(scope="module")
def cluster(fault_marker) -> Any:
    """A `ray start --head` cluster on 127.0.0.1 (two CPUs), joined by this process."""
    if RAY is None:
        pytest.skip("the ray command is not installed")
    port = _free_port()
    temp_dir = tempfile.mkdtemp(prefix="gsray", dir="/tmp")  # short: Ray's socket paths live here
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env[FAULT_ENV] = str(fault_marker)
    cmd = [
        RAY,
        "start",
        "--head",
        "--node-ip-address=127.0.0.1",
        f"--port={port}",
        "--num-cpus=2",
        "--object-store-memory=200000000",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--temp-dir={temp_dir}",
    ]
    try:
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
        address = f"127.0.0.1:{port}"
        ray.init(address=address, log_to_driver=False)
        yield address
    finally:
        ray.shutdown()
        _stop_cluster(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _stop_cluster(temp_dir: str) -> None:
    """Stop this cluster's processes only (`ray stop` would stop every Ray on the machine):
    each one names the cluster's temporary folder on its command line."""
    import psutil

    ours = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(temp_dir in arg for arg in proc.info["cmdline"] or ()):
            ours.append(proc)
    for proc in ours:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(ours, timeout=3)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A small synthetic corpus in five export formats (with reposts, duplicates, bad lines)."""
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, posts=POSTS, probe=False)
    # and a platform's deletion notices, one before and one after the post it deletes
    did = "did:plc:abcdefghijklmnopqrstuvwx"
    lines = [_jetstream(did, "delete", "3kb"), _jetstream(did, "create", "3ka", "me too #MeToo")]
    lines += [_jetstream(did, "create", "3kb", "deleted later"), _jetstream(did, "delete", "3ka")]
    (out / "corpus" / "bluesky" / "deletions.jsonl").write_text("\n".join(lines) + "\n")
    return out / "corpus"


def _jetstream(did: str, op: str, rkey: str, text: str | None = None) -> str:
    commit: dict[str, Any] = {"operation": op, "collection": "app.bsky.feed.post", "rkey": rkey}
    if text is not None:
        commit["record"] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2017-10-15T09:00:00.000Z",
            "langs": ["en"],
        }
    return json.dumps({"did": did, "time_us": 1508058000000000, "kind": "commit", "commit": commit})


@pytest.fixture(scope="module")
def local_db(corpus, tmp_path_factory) -> Path:
    """The store the local engine leaves: ingested and classified by the student."""
    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    with Store(db) as store:
        ingest([corpus], store, batch_size=BLOCK, progress=False)
        classify_store(store, "student", batch_size=BLOCK)
    return db


def _twin(local_db: Path, path: Path) -> Path:
    """A new store path sharing the local store's key, so pseudonyms compare equal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(f"{local_db}.key", f"{path}.key")
    return path


def snapshot(db: Path, classified: bool = True) -> dict[str, Any]:
    """Every table a run writes, in a comparable form (classification times left out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("posts", "reposts", "articles", "quarantine", "forgotten")
        }
        if classified:
            out["testimony"] = con.execute("SELECT * FROM testimony ORDER BY ALL").fetchall()
            out["acts"] = con.execute(
                "SELECT * EXCLUDE (classified_at) FROM acts ORDER BY ALL"
            ).fetchall()
        return out
    finally:
        con.close()


def run_counts(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT command, counts FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()


def _cli(*args: str, db: Path, fault: str | None, marker: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env.pop(FAULT_ENV, None)
    if fault:
        marker.write_text(fault)
        env[FAULT_ENV] = str(marker)
    cmd = [sys.executable, "-m", "groundswell.cli", *args, "--db", str(db)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)


def test_ray_engine_gives_the_local_store(cluster, corpus, local_db, tmp_path):
    db = _twin(local_db, tmp_path / "ray.duckdb")
    with Store(db) as store:
        report = ingest([corpus], store, batch_size=BLOCK, progress=False, engine="ray")
        out = classify_store(store, "student", batch_size=BLOCK, engine="ray")
    assert report.balanced and report.read > POSTS and report.deleted_on_platform == 2
    assert out["classified"] == out["posts"]
    assert snapshot(db) == snapshot(local_db)
    assert run_counts(db) == run_counts(local_db)


def test_killed_workers_lose_nothing_and_duplicate_nothing(
    cluster, corpus, local_db, fault_marker, tmp_path
):
    db = _twin(local_db, tmp_path / "killed.duckdb")
    with Store(db) as store:
        fault_marker.write_text("ingest-worker:1")  # a reader dies after its second block
        report = ingest([corpus], store, batch_size=BLOCK, progress=False, engine="ray")
        assert not fault_marker.exists()  # the worker did die
        fault_marker.write_text("classify-worker:2")
        classify_store(store, "student", batch_size=BLOCK, engine="ray")
        assert not fault_marker.exists()
    assert report.balanced
    assert snapshot(db) == snapshot(local_db)
    assert run_counts(db) == run_counts(local_db)


def test_a_killed_driver_resumes_from_its_blocks(cluster, corpus, local_db, tmp_path):
    db = _twin(local_db, tmp_path / "resumed.duckdb")
    marker = tmp_path / "driver-marker"
    ray_args = ("--engine", "ray", "--address", cluster, "--batch-size", str(BLOCK))
    died = _cli(
        "ingest", str(corpus), *ray_args, "--json", db=db, fault="ingest-driver:3", marker=marker
    )
    assert died.returncode == -9, died.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM blocks").fetchone()[0] == 3
    con.close()
    again = _cli("ingest", str(corpus), *ray_args, "--json", db=db, fault=None, marker=marker)
    assert again.returncode == 0, again.stderr[-2000:]
    resumed = json.loads(again.stdout)
    assert (
        resumed["balanced"] and resumed["stored"] < json.loads(run_counts(local_db)[0][1])["stored"]
    )
    local = snapshot(local_db)
    assert snapshot(db, classified=False) == {k: local[k] for k in snapshot(db, False)}


def test_classify_resumes_after_its_last_written_block(cluster, local_db, tmp_path):
    """A classify run stopped after two blocks (as a killed driver is: each block commits its
    labels with itself) and started again labels each post once."""
    db = tmp_path / "classify.duckdb"
    shutil.copy(local_db, db)
    shutil.copy(f"{local_db}.key", f"{db}.key")
    with Store(db) as store:
        store.con.execute("DELETE FROM acts; DELETE FROM testimony")
        first = classify_store(store, "student", batch_size=BLOCK, engine="ray", max_batches=2)
        rest = classify_store(store, "student", batch_size=BLOCK, engine="ray")
    assert first["classified"] == 2 * BLOCK
    assert rest["classified"] == rest["posts"] - 2 * BLOCK
    assert snapshot(db) == snapshot(local_db)


def test_unknown_engine_is_an_input_error(tmp_path, corpus):
    from groundswell.errors import InputError

    with Store(tmp_path / "x.duckdb") as store, pytest.raises(InputError, match="engine"):
        ingest([corpus], store, engine="spark", progress=False)


def test_an_archive_read_from_a_stream_gives_the_local_store(cluster, corpus, local_db, tmp_path):
    """A tar inside two layers of gzip is read as one stream, here, member after member: the
    next member is not taken from the stream before the one before it is read whole."""
    import gzip
    import io
    import tarfile

    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w") as tar:
        tar.add(corpus, arcname="corpus")
    archive = tmp_path / "corpus.tar.gz.gz"
    archive.write_bytes(gzip.compress(gzip.compress(packed.getvalue())))
    reports = {}
    for engine in ("local", "ray"):
        with Store(_twin(local_db, tmp_path / f"{engine}.duckdb")) as store:
            report = ingest([archive], store, batch_size=BLOCK, progress=False, engine=engine)
            reports[engine] = report.to_dict()
    assert reports["ray"]["balanced"] and reports["ray"]["stored"] >= POSTS
    for key in ("read", "stored", "duplicates", "reposts", "quarantined", "files"):
        assert reports["ray"][key] == reports["local"][key], key
    ray_db, local = tmp_path / "ray.duckdb", tmp_path / "local.duckdb"
    assert snapshot(ray_db, classified=False) == snapshot(local, classified=False)
