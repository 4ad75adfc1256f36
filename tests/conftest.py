"""Shared fixtures: the real sample exports in ../shared (skipped when absent) and fresh stores."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FORMATS = SHARED / "formats"
DATA = SHARED / "data"
FIXTURES = Path(__file__).resolve().parent / "data"


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


def extract_bodies(responses_json: Path, out_dir: Path) -> list[Path]:
    """Write each HTTP response body of a recorded session (``*.responses.json``) to its own JSON
    file: recorded sessions are not a user format, their bodies are."""
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, entry in enumerate(json.loads(responses_json.read_text(encoding="utf-8"))):
        body = entry.get("body")
        if isinstance(body, dict | list) and body:
            path = out_dir / f"{responses_json.name.split('.')[0]}-{i:02d}.json"
            path.write_text(json.dumps(body), encoding="utf-8")
            paths.append(path)
    return paths
