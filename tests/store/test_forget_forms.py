"""A deletion list names people and posts the way people copy them: Reddit's ``u/name`` and
profile links, fullnames in capitals, permalinks, tweet links. Each finds what the store keys
by the handle, the fullname or the tweet id, now and in later ingests (CODEBOOK section 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.cli import main
from groundswell.store import Store, ingest
from groundswell.store.forget import forget, listed_forms
from gspaths import FIXTURES

COMMENTS = FIXTURES / "reddit" / "RC_2017-10_sample.ndjson"
SUBMISSIONS = FIXTURES / "reddit" / "RS_2017-10_sample.ndjson"
PAGES = FIXTURES / "twitter_v2" / "pages.jsonl"


def _ids(store: Store) -> set[str]:
    return {r[0] for r in store.con.execute("SELECT id FROM posts").fetchall()}


@pytest.mark.parametrize(
    "listed",
    [
        "u/lanternfish",
        "/u/lanternfish",
        "U/LanternFish",
        "https://www.reddit.com/user/lanternfish/",
        "reddit.com/u/lanternfish",
    ],
)
def test_a_reddit_account_named_as_u_slash_is_forgotten_now_and_later(tmp_path, listed):
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest([COMMENTS], store, progress=False).balanced
        assert "t1_dnz4k2q" in _ids(store)  # lanternfish's comment
        removed = forget(store, [listed])
        assert removed.get("posts") == 1 and "t1_dnz4k2q" not in _ids(store)
        again = ingest([COMMENTS], store, progress=False)
        assert again.balanced and again.forgotten == 1
        assert "t1_dnz4k2q" not in _ids(store)
        assert len(_ids(store)) > 1  # the other authors' comments stay


@pytest.mark.parametrize(
    ("listed", "gone"),
    [
        ("T1_DS9X0AA", "t1_ds9x0aa"),
        ("https://www.reddit.com/r/news/comments/7qa1bc/a_title/ds9x0aa/?context=3", "t1_ds9x0aa"),
        ("https://old.reddit.com/r/TwoXChromosomes/comments/76p9wm/me_too/", "t3_76p9wm"),
        ("https://www.reddit.com/r/news/comments/76q0aa/", "t3_76q0aa"),
        ("https://redd.it/76q1bb", "t3_76q1bb"),
    ],
)
def test_a_reddit_post_named_by_its_link_or_a_capital_fullname_is_forgotten(tmp_path, listed, gone):
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest([COMMENTS, SUBMISSIONS], store, progress=False).balanced
        before = _ids(store)
        assert gone in before
        forget(store, [listed], authors=False)
        assert _ids(store) == before - {gone}


@pytest.mark.parametrize(
    "listed",
    [
        "https://twitter.com/amal_k/status/1003",
        "https://x.com/amal_k/status/1003?s=20",
        "mobile.twitter.com/amal_k/status/1003/",
        "https://twitter.com/i/web/status/1003",  # the store's own url of a tweet
    ],
)
def test_a_tweet_named_by_its_link_is_forgotten(tmp_path, listed):
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest([PAGES], store, progress=False).balanced
        before = _ids(store)
        forget(store, [listed], authors=False)
        assert _ids(store) == before - {"1003"}


@pytest.mark.parametrize(
    "value",
    ["@jane_doe", "jane.bsky.social", "user@mastodon.social", "1003", "t1_ds9x0aa", "u_3f2a"],
)
def test_values_in_the_stores_own_forms_are_kept_as_they_are(value):
    assert listed_forms(f"  {value} ") == value


def test_cli_forget_reads_u_slash_names_from_the_list(tmp_path: Path, capsys):
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(COMMENTS), "--db", str(db)]) == 0
    ids = tmp_path / "ids.txt"
    ids.write_text("u/lanternfish\n/u/modbot_notes\n", encoding="utf-8")
    assert main(["forget", "--ids", str(ids), "--db", str(db)]) == 0
    assert "2 from posts" in capsys.readouterr().out
    with Store(db) as store:
        assert not {"t1_dnz4k2q", "t1_ds9x0aa"} & _ids(store)


def test_cli_forget_reads_a_utf16_list_and_names_a_bad_line(tmp_path: Path, capsys):
    """A list saved as Excel's "Unicode text" (UTF-16) is read; a line of bytes that are no
    text, or too long to be an id, is named by its line, and the other ids are still forgotten
    (exit code 2)."""
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(COMMENTS), "--db", str(db)]) == 0
    utf16 = tmp_path / "ids16.txt"
    utf16.write_bytes("\ufeffu/lanternfish\r\n".encode("utf-16-le"))
    assert main(["forget", "--ids", str(utf16), "--db", str(db)]) == 0
    assert "1 from posts" in capsys.readouterr().out
    bad = tmp_path / "ids.txt"
    bad.write_bytes(b"# list\nJos\xe9\n" + b"x" * 20_000 + b"\n/u/modbot_notes\n")
    assert main(["forget", "--ids", str(bad), "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert "1 from posts" in captured.out
    assert f"{bad}:2: not UTF-8 text" in captured.err and "2 lines" in captured.err
    with Store(db) as store:
        assert not {"t1_dnz4k2q", "t1_ds9x0aa"} & _ids(store)


MASTODON = sorted((FIXTURES / "mastodon").glob("*.json"))
BLUESKY = FIXTURES / "bluesky" / "feed_page.json"


@pytest.mark.parametrize(
    ("listed", "gone"),
    [
        (  # the link a Mastodon post is shown by (the store's own url of it)
            "https://toot.example/@lena/111500000000000010",
            "https://toot.example/users/lena/statuses/111500000000000010",
        ),
        (  # a Bluesky post's link that names its author's DID
            "https://bsky.app/profile/did:plc:testauthoraaaaaaaaaaaaaa/post/3kfeed0000001",
            "at://did:plc:testauthoraaaaaaaaaaaaaa/app.bsky.feed.post/3kfeed0000001",
        ),
    ],
)
def test_a_mastodon_or_bluesky_post_named_by_its_link_is_forgotten(tmp_path, listed, gone):
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest([*MASTODON, BLUESKY], store, progress=False).balanced
        before = _ids(store)
        assert gone in before
        forget(store, [listed], authors=False)
        assert _ids(store) == before - {gone}


def test_a_mastodon_account_named_by_its_link_is_forgotten(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest(MASTODON, store, progress=False).balanced
        kims = {i for i in _ids(store) if i.startswith("https://far.example/users/kim/")}
        assert kims
        removed = forget(store, ["https://far.example/@kim"])
        assert removed.get("posts") == len(kims) and not kims & _ids(store)


def test_invisible_characters_copied_with_an_id_are_dropped(tmp_path: Path, capsys):
    """A handle or link copied from a web page brings zero-width spaces, direction marks or a
    byte-order mark (two lists joined) along; the id is still found."""
    db = tmp_path / "s.duckdb"
    assert main(["ingest", str(COMMENTS), "--db", str(db)]) == 0
    ids = tmp_path / "ids.txt"
    ids.write_text("\u200bu/lanternfish\u200e\n\ufeff/u/modbot_notes\u2060\n", encoding="utf-8")
    assert main(["forget", "--ids", str(ids), "--db", str(db)]) == 0
    assert "2 from posts" in capsys.readouterr().out
