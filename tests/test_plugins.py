"""A reader or analysis from another package registers by entry point, next to the built-ins."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import groundswell.plugins
from groundswell.analyze.registry import analyses
from groundswell.ingest import iter_records, load_readers
from groundswell.ingest.registry import Reader
from groundswell.schema import Post


class LinesReader(Reader):
    """A toy plug-in: files ending in .lines, one post per line."""

    name = "lines"
    platform = "generic"

    def sniff(self, head):
        return 0.9 if head.suffix == ".lines" else 0.0

    def read(self, source):
        for lineno, line in source.lines():
            yield Post(
                platform="generic",
                id=f"l{lineno}",
                text=line.decode().strip(),
                source_file=source.name,
                source_line=lineno,
            )


def test_entry_point_plugins_join_the_registries(monkeypatch, tmp_path):
    def fake(group):
        return {
            "groundswell.readers": [EntryPoint("lines", f"{__name__}:LinesReader", group)],
            "groundswell.analyses": [
                EntryPoint("family", "os:getcwd", group),  # cannot replace a built-in
            ],
        }.get(group, [])

    monkeypatch.setattr(groundswell.plugins, "entry_points", fake)
    names = [r.name for r in load_readers()]
    assert names[-1] == "lines" and "twitter_v2" in names
    path = tmp_path / "two.lines"
    path.write_text("first #MeToo\nsecond\n")
    recs = list(iter_records([path]))
    assert [(r.id, r.text, r.format) for r in recs] == [
        ("l1", "first #MeToo", "lines"),
        ("l2", "second", "lines"),
    ]
    assert analyses()["family"].__name__ == "FamilyAnalysis"
