"""A fault point for tests of resumability: kill this process once, at a named point.

``GROUNDSWELL_FAULT`` names a marker file holding ``<point>:<n>`` (e.g. ``ingest-worker:2``);
the process that reaches that point removes the marker and kills itself with SIGKILL, as an
out-of-memory kill or a lost node would. Without the variable this costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "GROUNDSWELL_FAULT"


def fault_point(point: str, n: int) -> None:
    """Kill this process if the fault marker names ``point:n`` (once: the marker is removed)."""
    marker = os.environ.get(FAULT_ENV)
    if not marker:
        return
    try:
        with open(marker, encoding="utf-8") as fh:
            wanted = fh.read().strip()
    except OSError:
        return
    if wanted != f"{point}:{n}":
        return
    try:
        os.unlink(marker)  # whoever removes it is the one to die: once, even with two workers
    except FileNotFoundError:
        return
    os.kill(os.getpid(), signal.SIGKILL)
