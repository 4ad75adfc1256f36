"""A platform's own deletion notices (Jetstream deletes, v1.1 stream delete lines) are honoured:
the post is forgotten with everything derived from it, and a re-ingest does not bring it back."""

from __future__ import annotations

import json

from groundswell.store import Store, ingest

DID = "did:plc:abcdefghijklmnopqrstuvwx"


def _jet(op: str, rkey: str, text: str | None = None) -> str:
    commit = {"rev": "r", "operation": op, "collection": "app.bsky.feed.post", "rkey": rkey}
    if text is not None:
        commit["record"] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2024-10-15T09:00:00.000Z",
            "langs": ["en"],
        }
    return json.dumps({"did": DID, "time_us": 1728984603000000, "kind": "commit", "commit": commit})


def test_jetstream_delete_forgets_the_post_in_either_order(tmp_path):
    path = tmp_path / "jetstream.jsonl"
    path.write_text(
        "\n".join(
            [
                _jet("delete", "3kb"),  # the notice may come before the post it deletes
                _jet("create", "3ka", "me too #MeToo"),
                _jet("create", "3kb", "this one is deleted later"),
                _jet("create", "3kc", "stays"),
                _jet("delete", "3ka"),
            ]
        )
        + "\n"
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([path], store)
        assert report.balanced and report.read == 3 and report.deleted_on_platform == 2
        ids = [r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()]
        assert ids == [f"at://{DID}/app.bsky.feed.post/3kc"]
        again = ingest([path], store)
        assert again.stored == 0 and again.forgotten == 2 and again.balanced
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == 1


def test_v1_stream_delete_line_forgets_a_tweet_read_from_another_file(tmp_path):
    tweet = {
        "id_str": "42",
        "text": "It happened to me. #MeToo",
        "user": {"id_str": "7", "screen_name": "someone"},
        "created_at": "Sun Oct 15 22:10:07 +0000 2017",
        "entities": {"hashtags": [{"text": "MeToo"}]},
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(tweet) + "\n")
    (tmp_path / "b.jsonl").write_text(
        json.dumps({"delete": {"status": {"id": 42, "id_str": "42", "user_id_str": "7"}}})
        + "\n"
        + json.dumps(dict(tweet, id_str="43", text="still here #MeToo"))
        + "\n"
    )
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], store)
        assert report.deleted_on_platform == 1 and report.balanced
        ids = [r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()]
        assert ids == ["43"]
        # kept as a keyed hash, never as the id itself
        assert store.con.execute(
            "SELECT count(*) FROM forgotten WHERE kind = 'post' AND value = ?",
            [store.forget_hash("42")],
        ).fetchone()[0]
        assert not store.con.execute(
            "SELECT count(*) FROM forgotten WHERE value = '42'"
        ).fetchone()[0]
