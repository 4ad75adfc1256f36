"""The DuckDB store: posts, reposts, articles, quarantine, deletions and every derived table."""

from groundswell.store.db import DEFAULT_DB, Store
from groundswell.store.load import IngestReport, ingest

__all__ = ["DEFAULT_DB", "IngestReport", "Store", "ingest"]
