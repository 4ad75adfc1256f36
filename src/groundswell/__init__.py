"""groundswell: an observatory for hashtag movements (#MeToo first).

The public Python API. Errors and the schema load at once; everything else loads on first use
(PEP 562), so that `import groundswell` and the CLI start fast. Every name is in ``__all__``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from groundswell.errors import (
    GroundswellError,
    InputError,
    MissingExtraError,
    ModelError,
    StoreError,
    StoreLockedError,
)
from groundswell.schema import Article, Post, Quarantined, normalise_hashtag

__version__ = "0.1.0"

# public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "DEFAULT_DB": "groundswell.store",
    "IngestReport": "groundswell.store",
    "Store": "groundswell.store",
    "ingest": "groundswell.store",
    "iter_records": "groundswell.ingest",
    "read_batches": "groundswell.ingest",
    "export_posts": "groundswell.store.export",
    "export_network": "groundswell.store.network",
    "forget": "groundswell.store.forget",
    "stats": "groundswell.store.stats",
    "build_report": "groundswell.report",
    "run_demo": "groundswell.demo",
    "family": "groundswell.analyze.family",
    "timeline": "groundswell.analyze.timeline",
    "pileons": "groundswell.analyze.pileon",
    "people": "groundswell.analyze.people",
    "attention": "groundswell.analyze.people",
    "extract_mentions": "groundswell.analyze.people_mentions",
    "analyze_article": "groundswell.analyze.article",
    "classify_store": "groundswell.classify",
    "predict_texts": "groundswell.classify",
    "evaluate": "groundswell.classify",
    "act_shares": "groundswell.classify",
}

__all__ = [
    "Article",
    "GroundswellError",
    "InputError",
    "MissingExtraError",
    "ModelError",
    "Post",
    "Quarantined",
    "StoreError",
    "StoreLockedError",
    "__version__",
    "normalise_hashtag",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'groundswell' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
