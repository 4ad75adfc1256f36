"""Shared fixtures: the real sample exports in ../shared (skipped when absent) and fresh stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from gspaths import DATA, FORMATS


@pytest.fixture
def formats_dir() -> Path:
    """../shared/formats, or skip the test when it is not there."""
    if not FORMATS.is_dir():
        pytest.skip("../shared/formats not present")
    return FORMATS


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip the test when it is not there."""
    if not DATA.is_dir():
        pytest.skip("../shared/data not present")
    return DATA


@pytest.fixture
def store(tmp_path):
    """A fresh store in a temporary folder."""
    from groundswell.store import Store

    with Store(tmp_path / "test.duckdb") as s:
        yield s
