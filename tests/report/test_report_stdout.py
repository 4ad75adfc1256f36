"""`report --out /dev/stdout` wrote the page and then the path it wrote on the same stdout, so
`report --out /dev/stdout > page.html` ended the page with a stray line. That line goes to
stderr when the page went to stdout (export and label already say what they wrote there)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from groundswell.schema import Post
from groundswell.store import Store

SRC = str(Path(__file__).parents[2] / "src")


def test_report_to_stdout_says_where_it_wrote_on_stderr(tmp_path):
    db = tmp_path / "s.duckdb"
    with Store(db) as store:
        store.write_batch(
            [
                Post(
                    platform="twitter",
                    id=str(i),
                    text="I believe you #MeToo",
                    author=f"a{i}",
                    created_at=datetime(2018, 1, 1, tzinfo=UTC) + timedelta(hours=i),
                    hashtags=["#metoo"],
                )
                for i in range(12)
            ],
            synthetic=False,
        )
    page = tmp_path / "page.html"
    env = {**os.environ, "PYTHONPATH": SRC}
    code = "from groundswell.cli import main; raise SystemExit(main())"
    with page.open("wb") as fh:
        done = subprocess.run(
            [sys.executable, "-c", code, "report", "--db", str(db), "--out", "/dev/stdout"],
            stdout=fh, stderr=subprocess.PIPE, env=env, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    assert text.rstrip().endswith("</html>")
    assert "/dev/stdout" in done.stderr.decode()
