"""groundswell: an observatory for hashtag movements (#MeToo first).

The public Python API; every name here is also listed in ``__all__``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from groundswell.errors import (
    GroundswellError,
    InputError,
    MissingExtraError,
    ModelError,
    StoreError,
    StoreLockedError,
)
from groundswell.ingest import iter_records, read_batches
from groundswell.schema import Article, Post, Quarantined, normalise_hashtag
from groundswell.store import DEFAULT_DB, IngestReport, Store, ingest

__all__ = [
    "DEFAULT_DB",
    "Article",
    "GroundswellError",
    "IngestReport",
    "InputError",
    "MissingExtraError",
    "ModelError",
    "Post",
    "Quarantined",
    "Store",
    "StoreError",
    "StoreLockedError",
    "__version__",
    "ingest",
    "iter_records",
    "normalise_hashtag",
    "read_batches",
]
