"""Serving while another process writes the store: the last snapshot stays in service, the
header says the store is busy, nothing waits or fails; the file is never held by the server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

pytest.importorskip("starlette")


HOLD = textwrap.dedent(
    """
    import sys, time
    from groundswell.store import Store
    with Store(sys.argv[1]) as store:  # the writer's lock, as a running ingest holds it
        store.con.execute("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)")
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


@pytest.fixture
def db_copy(serve_db, tmp_path):
    import shutil

    db = tmp_path / "busy.duckdb"
    shutil.copy(serve_db, db)
    shutil.copy(str(serve_db) + ".key", str(db) + ".key")
    return db


def test_serving_while_another_process_writes(db_copy):
    from starlette.testclient import TestClient

    from groundswell.serve import create_app
    from groundswell.store import Store

    app = create_app(str(db_copy), warm=False)
    holder = app.state.holder
    with Store(db_copy) as store:  # the server does not hold the file: a writer gets in
        store.con.execute("SELECT 1")
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_copy), "30"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        with TestClient(app, base_url="http://127.0.0.1") as client:
            started = time.perf_counter()
            r = client.post("/api/refresh")
            assert r.status_code == 200 and r.json()["refreshed"] is False
            assert r.json()["busy"] and time.perf_counter() - started < 5  # never waits
            for path in ("/", "/posts", "/api/posts", "/api/overview"):
                r = client.get(path)
                assert r.status_code == 200, path
            page = client.get("/").text
            assert "store busy: showing data as of" in page
            assert client.get("/api/posts").json()["status"]["busy"]
    finally:
        writer.kill()
        writer.wait()
    assert holder.refresh(force=True) is True and holder.busy is None
    holder.close()


def test_a_store_locked_from_the_start_is_served_once_free(db_copy):
    from starlette.testclient import TestClient

    from groundswell.serve import create_app

    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_copy), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        app = create_app(str(db_copy), warm=False)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            r = client.get("/")
            assert r.status_code == 200 and "No data yet" in r.text
            assert client.get("/api/posts").status_code == 503
    finally:
        writer.kill()
        writer.wait()
    app.state.holder.refresh(force=True)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/api/facets").status_code == 200
    assert app.state.holder.snapshot is None  # closed at shutdown
