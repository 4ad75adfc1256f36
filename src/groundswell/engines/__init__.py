"""Execution engines: run a stage's batch function over batches, locally or on Ray.

Every stage exposes batch functions (``ingest.read_batches`` yields lists of records,
``Store.write_batch`` takes them, the classifier maps text batches to label tables), so the same
function runs in this process, in a local process pool, or on a Ray cluster.

``ingest(..., engine="ray")`` and ``classify_store(..., engine="ray")`` run their stage on Ray
through ``engines.ingest`` (``blocks.read_blocks`` on the workers) and ``engines.classify``
(``classify.store.predict_batch`` on the workers); the store's one writer stays in this process
and records each finished block with its rows (``blocks``), so killed runs resume.
"""

from groundswell.engines.local import map_batches

__all__ = ["map_batches"]
