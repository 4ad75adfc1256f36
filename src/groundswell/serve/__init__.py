"""The dashboard: ``groundswell serve``, a local web explorer over a store, fully offline.

Pages (overview, timeline, hashtag family, testimonies, people, pile-ons, articles, posts) are
HTML shells that ``static/app.js`` fills from JSON endpoints under ``/api/``; charts are drawn by
the Plotly script inside the installed ``plotly`` package (never a CDN). Everything served comes
from an in-memory snapshot of the store (``snapshot``), so the server never holds the store
file open and never writes to it.

What happens while ``groundswell ingest`` writes the store (measured on this repository's
machine, ``tests/serve/test_concurrency.py``): DuckDB lets one process write a file or several
read it, never both, and refuses (it does not wait) when the other kind holds it. The server
holds the file only while it copies it (0.5 s for 20,000 posts, about 2 s for a million on a
busy 2-core machine, ``bench/serve.py``; the rollups are built after it lets go); an
ingest started in that window fails at once with "in use by another groundswell process" and
can be run again. While an ingest holds the file, a refresh fails at once, the last snapshot
stays in service and every page's header reads "store busy: showing data as of T"; no request
waits and none fails. A new snapshot is taken on the first request at least 5 s after the file
(or its ``.wal``) changed and can be read.

The extra ``serve`` (starlette, uvicorn, plotly) is imported only here and below.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from groundswell.errors import InputError, MissingExtraError

INSTALL_HINT = "pip install 'groundswell[serve]'"
TOKEN_ENV = "GROUNDSWELL_TOKEN"


def require_extra() -> None:
    """Raise MissingExtraError naming the extra when starlette, uvicorn or plotly is missing."""
    import importlib.util

    missing = [m for m in ("starlette", "uvicorn", "plotly") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(
            f"groundswell serve needs {', '.join(missing)}: install the extra with {INSTALL_HINT}"
        )


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None) -> str | None:
    """The token to enforce: required (InputError, exit code 2) on any non-loopback host."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(host) and not token:
        raise InputError(
            f"--host {host} is reachable from other machines: give a token with --token T or "
            f"{TOKEN_ENV}=T (every request must then carry it), or bind 127.0.0.1"
        )
    return token


def create_app(db: str, token: str | None = None, **kw: Any) -> Any:
    """The Starlette app over the store ``db`` (see ``serve.app.create_app``)."""
    require_extra()
    from groundswell.serve.app import create_app as make

    return make(db, token, **kw)


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Run the dashboard with uvicorn until interrupted."""
    token = check_binding(host, token)
    require_extra()
    import uvicorn

    app = create_app(db, token)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@contextmanager
def running(app: Any, timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` from a thread on a free 127.0.0.1 port for the ``with`` block; yields its
    base URL (for notebooks, benchmarks and browser tests) and stops the server after."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


__all__ = ["check_binding", "create_app", "is_loopback", "running", "serve"]
