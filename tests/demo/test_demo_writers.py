"""Each demo writer's output read back by the real readers, field by field."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import orjson
import pytest
import zstandard

from groundswell.demo.corpus import Event
from groundswell.demo.writers import WRITERS
from groundswell.demo.writers.base import account, snowflake
from groundswell.ingest import iter_records
from groundswell.schema import Post, Quarantined

TS = datetime(2017, 10, 16, 9, 30, 5, 250000, tzinfo=UTC).timestamp()


def _events() -> list[Event]:
    first = Event(
        1, "", TS, 42, text="Me too. A stranger grabbed me on the train. #MeToo", act="testimony"
    )
    reply = Event(
        2, "", TS + 60, 7, text="I believe you. #MeToo #TimesUp", act="support", reply_to=first
    )
    french = Event(
        3,
        "",
        TS + 120,
        8,
        text="#BalanceTonPorc Mon patron m'a dit ça. Déçue.",
        lang="fr",
        act="testimony",
    )
    repost = Event(4, "", TS + 180, 9, repost_of=first, act="testimony")
    return [first, reply, french, repost]


def _write(name: str, tmp_path) -> list:
    writer = WRITERS[name](tmp_path, seed=3)
    for ev in _events():
        ev.fmt = name
        writer.add(ev)
    paths = writer.close()
    assert paths and all(p.name.startswith("SYNTHETIC-") for p in paths)
    return list(iter_records([str(p) for p in paths]))


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_real_reader_reads_writer_output(name, tmp_path):
    records = _write(name, tmp_path)
    posts = {r.text: r for r in records if isinstance(r, Post) and not r.repost_of}
    platform = WRITERS[name].platform
    first, reply, french, _ = _events()
    by_seq = {}
    for ev in (first, reply, french):
        # Twitter shows a reply with the parent's @username in front
        match = [p for t, p in posts.items() if t.endswith(ev.text)]
        assert match, f"{name}: {ev.text!r} not read back; got {list(posts)}"
        by_seq[ev.seq] = match[0]
    p1 = by_seq[1]
    assert p1.platform == platform
    assert p1.created_at is not None
    assert abs(p1.created_at.timestamp() - TS) < 1.0
    assert "#metoo" in p1.hashtags
    assert "#balancetonporc" in by_seq[3].hashtags
    assert set(by_seq[2].hashtags) >= {"#metoo", "#timesup"}
    assert p1.author and by_seq[2].author and p1.author != by_seq[2].author
    assert by_seq[2].reply_to == p1.id or by_seq[2].reply_to.endswith(p1.id)
    if name != "reddit":  # Reddit has no reposts
        reposts = [r for r in records if isinstance(r, Post) and r.repost_of]
        assert len(reposts) == 1 and reposts[0].repost_of == p1.id


def test_twitter_ids_and_authors_match_the_platform_shape(tmp_path):
    records = _write("twitter_v2", tmp_path)
    first = _events()[0]
    ids = {r.id for r in records if isinstance(r, Post)}
    assert snowflake(first) in ids
    # the id encodes the post time, as Twitter's snowflakes do
    assert ((int(snowflake(first)) >> 22) + 1288834974657) // 1000 == int(TS)
    assert account(42, "twitter").username == "synth_00042"


def test_bad_records_are_quarantined_not_lost(tmp_path):
    writer = WRITERS["twitter_v1"](tmp_path, seed=1)
    for i in range(1, 80):
        writer.add(Event(i, "twitter_v1", TS + i, i, text=f"post {i} #MeToo"))
    paths = writer.close()
    records = list(iter_records([str(p) for p in paths]))
    bad = [r for r in records if isinstance(r, Quarantined)]
    assert len(bad) == writer.bad == 1
    assert {r.text for r in records if isinstance(r, Post)} == {
        f"post {i} #MeToo" for i in range(1, 80)
    }


def test_every_record_is_marked_synthetic(tmp_path):
    for name in WRITERS:
        folder = tmp_path / name
        folder.mkdir()
        writer = WRITERS[name](folder, seed=1)
        for ev in _events():
            writer.add(ev)
        for path in writer.close():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            elif path.suffix == ".zst":
                data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
            values = (
                [orjson.loads(data)]
                if path.suffix == ".json"
                else [
                    orjson.loads(line)
                    for line in data.splitlines()
                    if line.strip() and _parses(line)
                ]
            )
            for value in values:
                items = value if isinstance(value, list) else [value]
                for item in items:
                    marker = (
                        item.get("synthetic")
                        or item.get("_meta", {}).get("synthetic")
                        or item.get("__twarc", {}).get("synthetic")
                    )
                    assert marker is True, f"{path.name}: a record without the synthetic mark"


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
        return True
    except orjson.JSONDecodeError:
        return False
