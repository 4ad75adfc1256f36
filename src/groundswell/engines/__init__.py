"""Execution engines: run a stage's batch function over batches, locally or on Ray.

Every stage exposes batch functions (``ingest.read_batches`` yields lists of records,
``Store.write_batch`` takes them, the classifier maps text batches to label tables), so the same
function runs in this process, in a local process pool, or on a Ray cluster.
"""

from groundswell.engines.local import map_batches

__all__ = ["map_batches"]
