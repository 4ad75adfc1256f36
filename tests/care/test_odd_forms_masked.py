"""Accounts and contacts in the forms posts also write them: Reddit's u/name inside markdown
(``**u/name**``, ``>u/name``), a profile subreddit ``r/u_name``, Telegram links, a full-width
``＠``; exports pseudonymise them and pages mask them, as they do the plain forms."""

from __future__ import annotations

import csv
import json
import re
import time

import pytest

from groundswell.care import Pseudonymiser, mask_text, pseudonymise_ids
from groundswell.care.mask import mask_accounts
from groundswell.store import Store, ingest
from groundswell.store.export import export_posts

NAME = "janeqsecret"
ACCOUNTS = [
    f"**u/{NAME}**",
    f">u/{NAME}",
    f'"u/{NAME}"',
    f",u/{NAME}",
    f"~~u/{NAME}~~",
    f"_u/{NAME}_",
    f"r/u_{NAME}",
    f"https://www.reddit.com/r/u_{NAME}/comments/1ab/title/",
    f"https://t.me/{NAME}",
    f"t.me/s/{NAME}",
    f"https://t.me/{NAME}/123",
    f"telegram.me/{NAME}",
    f"tg://resolve?domain={NAME}",
    f"tg://resolve?post=3&domain={NAME}",
    f"＠{NAME}",
]
KEPT = [
    "menu/item and you/me, situ/ation, 2u/3",
    "r/TwoXChromosomes, r/metoo and /r/news",
    "https://t.me/joinchat/AbCdEf https://t.me/+AbCdEf https://t.me/addstickers/Pack",
    "https://t.me/c/1234567/89 https://t.me/share/url?url=x",
    "start.me/abcdef, bit.me/abcdef",
    "a＠",
]


@pytest.mark.parametrize("text", ACCOUNTS)
def test_accounts_in_markup_telegram_and_full_width_forms_are_masked(text):
    shown = mask_accounts(mask_text(f"thanks {text} #MeToo"))
    assert NAME not in shown and "[account]" in shown, shown
    exported = pseudonymise_ids(f"thanks {text}", "reddit", Pseudonymiser(b"k" * 32))
    if "＠" not in text:  # the export pseudonymises @handles before (care.mask.MENTION)
        assert NAME not in exported and re.search(r"u_[0-9a-f]{20}", exported), exported


def test_a_profile_subreddit_has_the_pseudonym_of_its_user():
    p = Pseudonymiser(b"k" * 32)
    plain = pseudonymise_ids(f"u/{NAME}", "reddit", p)
    assert pseudonymise_ids(f"r/u_{NAME}", "reddit", p) == "r/u_" + plain[2:]


@pytest.mark.parametrize("text", KEPT)
def test_words_and_pages_that_name_no_account_are_kept(text):
    assert mask_accounts(mask_text(text)) == text
    assert pseudonymise_ids(text, "reddit", Pseudonymiser(b"k" * 32)) == text


def test_exports_pseudonymise_accounts_in_markup_and_links(tmp_path):
    body = " ".join(ACCOUNTS) + " #MeToo"
    comment = {
        "id": "kq1a2b3",
        "author": "someone_else",
        "body": body,
        "created_utc": 1706745600,
        "link_id": "t3_1ag0x1y",
        "parent_id": "t3_1ag0x1y",
        "permalink": f"/r/u_{NAME}/comments/1ag0x1y/a_thread/kq1a2b3/",
        "subreddit": f"u_{NAME}",
        "subreddit_id": "t5_2r2jt",
    }
    src = tmp_path / "RC_2024-02.ndjson"
    src.write_text(json.dumps(comment) + "\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        ingest([src], store, progress=False)
        for to in ("jsonl", "csv"):
            export_posts(store, to, tmp_path / f"e.{to}")
    (row,) = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    with open(tmp_path / "e.csv", encoding="utf-8", newline="") as fh:
        (cells,) = list(csv.DictReader(fh))
    for out in (row, cells):
        assert NAME not in json.dumps(out, ensure_ascii=False), out
    assert "**u/u_" in row["text"] and "r/u_u_" in row["url"]


def test_odd_forms_are_masked_in_linear_time():
    started = time.perf_counter()
    for text in ("**u/" * 50_000, "r/u_" * 50_000, "t.me/" * 50_000, "＠" * 100_000):
        mask_accounts(mask_text(text))
        pseudonymise_ids(text, "reddit", Pseudonymiser(b"k" * 32))
    assert time.perf_counter() - started < 10
