"""One JSONL file of tweets with a line of another shape among them (files joined by ``cat``,
collections merged by hand): a v1.1 tweet among v2 ones or a v2 page among v1.1 tweets is read
as what it is, and a record of another platform is quarantined. Nothing is passed over
silently and nothing is misread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groundswell.store import Store, ingest
from gspaths import FIXTURES

V1 = FIXTURES / "twitter" / "v1_stream.jsonl"
PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"
# a Reddit comment and a Mastodon status, in their platforms' shapes (written for this test)
REDDIT = {
    "id": "abc12",
    "body": "me too",
    "author": "someone",
    "subreddit": "MeToo",
    "created_utc": 1508140800,
    "link_id": "t3_x",
    "parent_id": "t3_x",
}
MASTODON = {
    "id": "1093",
    "uri": "https://social.example/users/a/statuses/1093",
    "content": "<p>#MeToo</p>",
    "account": {"acct": "a"},
    "created_at": "2022-11-01T10:00:00Z",
}


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _flat() -> list[str]:
    """The sample pages as ``twarc2 flatten`` writes them."""
    out = []
    for page in map(json.loads, _lines(PAGES)):
        users = {u["id"]: u for u in page["includes"]["users"]}
        out += [json.dumps({**t, "author": users[t["author_id"]]}) for t in page["data"]]
    return out


def _store(lines: list[str], tmp: Path, name: str) -> tuple[dict, dict[str, tuple]]:
    path = tmp / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(tmp / f"{name}.duckdb") as store:
        report = ingest([path], store, progress=False, bulk=False).to_dict()
        rows = store.con.execute(
            "SELECT id, author, text, format FROM posts UNION ALL "
            "SELECT id, author, NULL, format FROM reposts"
        ).fetchall()
    # authors as known or not (each store has its own pseudonym key)
    return report, {r[0]: (r[1] is not None, *r[2:]) for r in rows}


@pytest.mark.parametrize(("base", "other"), [(_flat, V1), (lambda: _lines(V1), PAGES)])
def test_a_tweet_of_the_other_api_is_read_as_what_it_is(tmp_path, base, other):
    lines, foreign = base(), _lines(other)[:1]
    alone, want = _store(foreign, tmp_path, "alone")
    mixed, got = _store([*lines[:2], *foreign, *lines[2:]], tmp_path, "mixed")
    clean, rest = _store(lines, tmp_path, "rest")
    assert mixed["balanced"] and mixed["quarantined"] == clean["quarantined"] + alone["quarantined"]
    assert got == {**rest, **want}  # each read exactly as in a file of its own kind


@pytest.mark.parametrize("base", [_flat, lambda: _lines(V1)], ids=["v2", "v1"])
@pytest.mark.parametrize("record", [REDDIT, MASTODON], ids=["reddit", "mastodon"])
def test_a_record_of_another_platform_is_quarantined_not_passed_over(tmp_path, base, record):
    lines = base()
    mixed, got = _store([*lines[:2], json.dumps(record), *lines[2:]], tmp_path, "mixed")
    clean, want = _store(lines, tmp_path, "clean")
    assert mixed["balanced"] and got == want
    assert mixed["read"] == clean["read"] + 1
    assert mixed["quarantined"] == clean["quarantined"] + 1
    assert any(":3: not a Twitter" in e for e in mixed["errors"])


def _twitwi(n: int) -> str:
    """A twitwi-normalised tweet as minet writes one a line (written for this test)."""
    return json.dumps(
        {
            "id": f"10512345678901237{n:02d}",
            "text": f"#MeToo tweet {n}",
            "timestamp_utc": 1539439331 + n,
            "local_time": "2018-10-13T14:02:11",
            "user_screen_name": f"someone{n}",
            "user_id": "4455667788",
        }
    )


@pytest.mark.parametrize("record", [REDDIT, MASTODON], ids=["reddit", "mastodon"])
def test_a_record_of_another_platform_among_twitwi_tweets_is_quarantined(tmp_path, record):
    lines = [_twitwi(n) for n in range(4)]
    mixed, got = _store([*lines[:2], json.dumps(record), *lines[2:]], tmp_path, "mixed")
    clean, want = _store(lines, tmp_path, "clean")
    assert clean["by_format"] == {"twitwi_json": 4} and got == want
    assert mixed["balanced"] and mixed["read"] == clean["read"] + 1
    assert mixed["quarantined"] == clean["quarantined"] + 1
    assert any(":3: not a twitwi tweet" in e for e in mixed["errors"])
