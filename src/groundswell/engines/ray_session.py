"""Join a Ray cluster (``--address``) or start a local one for one run, and stop what we started."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from groundswell.errors import MissingExtraError

INSTALL_HINT = "the Ray engine needs Ray: pip install 'groundswell[scale]'"
LOCAL_OBJECT_STORE = 512 * 1024 * 1024  # bytes of shared memory for a local Ray (it spills past)


def import_ray() -> Any:
    """The ``ray`` module, or MissingExtraError naming the extra to install."""
    try:
        import ray
    except ImportError as exc:
        raise MissingExtraError(INSTALL_HINT) from exc
    return ray


@contextmanager
def ray_session(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, connected for the duration of the block.

    With ``address`` (``host:port`` of a cluster's head, or ``auto``) this process joins that
    cluster and leaves it afterwards, leaving the cluster running; without, a local Ray with
    ``num_cpus`` workers (default: every core) and a small object store is started and stopped.
    An already connected Ray (a notebook, a test) is used as it is and left connected.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(
            num_cpus=num_cpus or os.cpu_count() or 1,
            object_store_memory=LOCAL_OBJECT_STORE,
            include_dashboard=False,
            log_to_driver=False,
        )
    try:
        yield ray
    finally:
        ray.shutdown()


def ray_cpus(ray: Any) -> int:
    """CPUs the connected cluster offers (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def worker_died(exc: BaseException) -> bool:
    """Whether a Ray error means the worker process (or its node) went away."""
    from ray import exceptions as rex

    lost = (rex.WorkerCrashedError, rex.NodeDiedError, rex.ObjectLostError)
    return isinstance(exc, lost) or isinstance(getattr(exc, "cause", None), lost)
