"""Who may reach the dashboard: loopback by default, a token for anything else."""

from __future__ import annotations

import pytest

from groundswell.cli import main
from groundswell.serve import check_binding, create_app, is_loopback

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")


@pytest.fixture(scope="module")
def guarded(serve_db):
    from starlette.testclient import TestClient

    app = create_app(str(serve_db), token="s3cret-token", warm=False)
    with TestClient(app, base_url="http://192.168.1.5:8000") as c:  # any host, with the token
        yield c


def test_every_request_needs_the_token(guarded):
    for path in ("/", "/posts", "/api/posts", "/api/facets", "/static/app.js"):
        r = guarded.get(path)
        assert r.status_code == 401, path
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert guarded.get("/api/facets", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/api/facets?token=wrong").status_code == 401
    ok = guarded.get("/api/facets", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200 and "#metoo" in ok.json()["tags"]


def test_token_in_the_address_once_sets_a_strict_cookie(guarded):
    r = guarded.get("/posts?token=s3cret-token&tag=%23metoo", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/posts?tag=%23metoo"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert guarded.get("/api/facets").status_code == 200  # the cookie now carries it
    guarded.cookies.clear()
    assert guarded.get("/api/facets").status_code == 401


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_token(host, monkeypatch):
    monkeypatch.delenv("GROUNDSWELL_TOKEN", raising=False)
    assert is_loopback(host) and check_binding(host, None) is None


def test_refuses_to_bind_all_interfaces_without_a_token(serve_db, monkeypatch, capsys):
    monkeypatch.delenv("GROUNDSWELL_TOKEN", raising=False)
    assert main(["serve", "--db", str(serve_db), "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("groundswell: error: --host 0.0.0.0 is reachable from other machines")
    assert "--token" in err and "GROUNDSWELL_TOKEN" in err
    monkeypatch.setenv("GROUNDSWELL_TOKEN", "from-env")
    assert check_binding("0.0.0.0", None) == "from-env"
    assert check_binding("192.168.1.5", "given") == "given"


def test_missing_store_is_exit_3_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "none.duckdb"
    assert main(["serve", "--db", str(db)]) == 3
    assert "no such store" in capsys.readouterr().err and not db.exists()


def test_port_is_bounded(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "70000 is out of range" in capsys.readouterr().err


def test_the_command_serves_on_loopback(serve_db, tmp_path):
    """`groundswell serve` end to end: uvicorn on 127.0.0.1, pages and API answer."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = "import sys; from groundswell.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--db", str(serve_db), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=5)
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200
        assert answer.json()["status"]["taken_at"]
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err
