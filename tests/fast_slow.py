"""One check shared by the ingest tests: the columnar fast path and the streaming readers
leave the same store (posts, reposts, quarantine) and the same counts for the same files."""

from __future__ import annotations

from pathlib import Path

from groundswell.store import Store, ingest


def assert_fast_equals_slow(tmp_path: Path, monkeypatch, files: list[Path]) -> dict:
    """Ingest ``files`` with the fast path off, then on (the same key), and compare; returns
    the fast store's rows by table."""
    from groundswell.ingest import columnar

    rows, reports = [], []
    for mode in (False, True):
        monkeypatch.setattr(columnar, "ENABLED", mode)
        db = tmp_path / f"{'fast' if mode else 'slow'}.duckdb"
        if mode:
            (tmp_path / "fast.duckdb.key").write_text((tmp_path / "slow.duckdb.key").read_text())
        with Store(db) as store:
            reports.append(ingest(files, store, progress=False))
            rows.append(
                {
                    t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                    for t in ("posts", "reposts", "quarantine")
                }
            )
    slow, fast = reports
    assert fast.balanced and slow.balanced
    for key in ("read", "stored", "duplicates", "reposts", "quarantined"):
        assert getattr(slow, key) == getattr(fast, key), key
    assert rows[0] == rows[1]
    return rows[1]
