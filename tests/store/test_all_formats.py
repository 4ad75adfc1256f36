"""Every real sample export at once: reconciled, no reader failure, and nothing identifying in
the pseudonymised export."""

from __future__ import annotations

import json
import re

from groundswell.store import Store, ingest
from groundswell.store.export import export_posts
from gspaths import extract_bodies


def _inputs(formats_dir, tmp_path):
    bodies = []
    for rec in sorted(formats_dir.rglob("*.responses.json")):
        bodies += extract_bodies(rec, tmp_path / "bodies" / rec.parent.name)
    return [formats_dir, *bodies]


def test_all_real_exports_reconcile_and_export_nothing_identifying(formats_dir, tmp_path):
    paths = _inputs(formats_dir, tmp_path)
    with Store(tmp_path / "raw.duckdb", pseudonymise=False) as raw:
        report = ingest(paths, raw)
        authors = raw.con.execute(
            "SELECT DISTINCT author FROM posts WHERE author IS NOT NULL UNION "
            "SELECT DISTINCT author_name FROM posts WHERE author_name IS NOT NULL"
        ).fetchall()
    assert report.balanced
    assert not [e for e in report.errors if "reader" in e and "failed" in e]
    platforms = {"twitter", "reddit", "bluesky", "mastodon"}
    with Store(tmp_path / "safe.duckdb") as safe:
        again = ingest(paths, safe)
        got = {p for (p,) in safe.con.execute("SELECT DISTINCT platform FROM posts").fetchall()}
        export_posts(safe, "jsonl", tmp_path / "out.jsonl")
    assert (again.read, again.stored, again.reposts) == (report.read, report.stored, report.reposts)
    assert platforms <= got
    exported = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in exported.splitlines()]
    assert len(rows) == report.stored - report.articles + report.reposts
    # no raw author id or handle in the identifying fields, in links to platform profiles and
    # posts, nor as an @handle in text (a handle that is a web domain may still be the host of a
    # link a post shares: content, not identity)
    fields = ("id", "url", "author", "mentions", "reply_to", "quote_of", "repost_of")
    structured = json.dumps([{k: r[k] for k in fields} for r in rows])
    structured = re.sub(r"https?://[^/\s\"]+", "https://host", structured)
    profile_links = " ".join(
        u for r in rows for u in r["urls"] if re.search(r"twitter\.com|x\.com|bsky|/@|/users?/", u)
    )
    structured += re.sub(r"https?://[^/\s\"]+", "https://host", profile_links)
    at_handles = {h.lower() for r in rows for h in re.findall(r"@(\w+)", r["text"] or "")}

    def appears(value: str) -> bool:  # as a whole token, not by chance inside a pseudonym
        return re.search(rf"(?<![0-9A-Za-z_]){re.escape(value)}(?![0-9A-Za-z_])", structured)

    leaks = [a for (a,) in authors if len(a) >= 4 and (appears(a) or a.lower() in at_handles)]
    assert leaks == []
