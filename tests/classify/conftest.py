"""Fixtures for the classifier tests: a small store of posts written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from classify_helpers import REPO, fill_store


@pytest.fixture
def posts_store(store):
    """A store holding the 30 fixture posts."""
    fill_store(store)
    return store


@pytest.fixture
def data_dir() -> Path:
    """The repository's data/ folder (labelled CSVs), or skip when it is missing."""
    d = REPO / "data"
    if not (d / "acts.csv").exists():
        pytest.skip("data/acts.csv not present")
    return d
