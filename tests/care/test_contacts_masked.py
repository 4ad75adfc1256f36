"""E-mail addresses and phone numbers are masked wherever text or links are exported or shown:
in text and in the ``url``/``urls`` columns, in the forms links carry them (``mailto:``,
``tel:``, a percent-encoded ``jane%40example.org``), and phones in international and national
forms, while the numbers posts are full of (years, counts, dates, ids) stay."""

from __future__ import annotations

import csv
import json
import time

import pyarrow.parquet as pq
import pytest

from groundswell.care import mask_text
from groundswell.store import Store, ingest
from groundswell.store.export import export_posts

EMAILS = [
    "jane.roe@example.org",
    "JANE.ROE@EXAMPLE.ORG",
    "jane.roe%40example.org",
    "jane%2Broe%40example.org",
    "jane(at)example(dot)com",
    "jane [at] example [dot] org",
    "jane (at) example.com",
    "jane{at}mail.example.co.uk",
    "jane＠example.com",
    # spaces around the "@": an address when the right side is a domain (care.mask)
    "jane @ example.com",
    "jane @example.com",
    "jane@ example.com",
    "jane.roe  @  mail.example.co.uk",
    "JANE @ EXAMPLE.ORG",
    "jane ＠ example.de",
    "jane\u00a0@\u00a0example.com",
]
NOT_EMAILS = [
    "@jane",
    "＠jane and ＠jane.roe",
    "example.com",
    "look at this (at) the office",
    "meet me (at) noon",
    "50% off at 40 shops",
    "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.tiktok.com%2F%40jane.roe&h=AT0",
    # an "@" between spaces with no domain after it is no address
    "meet @ 5pm",
    "see you @ the park",
    "me @ work",
    "lunch @ 12.30, drinks @ 9",
    "see u @ the.mall",
    "hi @handle and @jane.roe",
    "thanks @jane.bsky.social and @jane-doe.bsky.social.",
    "RT @ someone: me too",
]


@pytest.mark.parametrize("email", EMAILS)
def test_emails_in_every_form_are_masked(email):
    assert mask_text(f"write {email} now") == "write [email] now"
    assert mask_text(f"mailto:{email}") == "mailto:[email]"
    link = f"https://example.com/contact?email={email}&x=1"
    assert mask_text(link) == "https://example.com/contact?email=[email]&x=1"


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_text_that_is_no_email_is_kept(text):
    assert mask_text(text) == text


def test_phone_links_are_masked():
    cases = {
        "tel:+14155550199": "tel:[phone]",
        "call tel:4155550199, now": "call tel:[phone], now",
        "sms:%2B14155550199": "sms:[phone]",
        "TEL:+44-20-7946-0958": "TEL:[phone]",
        "https://wa.me/14155550199": "https://wa.me/[phone]",
    }
    for text, masked in cases.items():
        assert mask_text(text) == masked, text


MAIL = "jane.roe@example.org"
TWEET = {
    "id_str": "9000000000000000001",
    "created_at": "Thu Oct 19 16:10:07 +0000 2017",
    "full_text": "#MeToo write me mailto:jane.roe@example.org or "
    "https://example.com/contact?email=jane.roe%40example.org or tel:+14155550199 "
    "or jane.roe @example.org",
    "user": {"id_str": "42", "screen_name": "someone"},
    "entities": {
        "hashtags": [{"text": "MeToo"}],
        "urls": [
            {"url": "https://t.co/a", "expanded_url": f"mailto:{MAIL}"},
            {
                "url": "https://t.co/b",
                "expanded_url": "https://example.com/c?email=jane.roe%40example.org",
            },
            {"url": "https://t.co/c", "expanded_url": "tel:+14155550199"},
        ],
    },
}
LEAKS = ("jane.roe", "4155550199", "jane%2Broe")


@pytest.mark.parametrize("pseudonymise", [True, False], ids=["pseudonymised", "raw-ids"])
def test_exports_mask_contacts_in_text_and_links(tmp_path, pseudonymise):
    src = tmp_path / "t.jsonl"
    src.write_text(json.dumps(TWEET) + "\n", encoding="utf-8")
    with Store(tmp_path / "s.duckdb", pseudonymise=pseudonymise) as store:
        ingest([src], store, progress=False)
        for to in ("jsonl", "csv", "parquet"):
            export_posts(store, to, tmp_path / f"e.{to}")
        from groundswell.classify.label import sample_rows

        sample = sample_rows(store, [{"platform": "twitter", "id": TWEET["id_str"],
                                      "text": TWEET["full_text"]}])  # fmt: skip
    (row,) = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert row["urls"] == [
        "mailto:[email]",
        "https://example.com/c?email=[email]",
        "tel:[phone]",
    ]
    assert row["text"] == (
        "#MeToo write me mailto:[email] or https://example.com/contact?email=[email] or tel:[phone]"
        " or [email]"
    )
    with open(tmp_path / "e.csv", encoding="utf-8", newline="") as fh:
        (cells,) = list(csv.DictReader(fh))
    table = pq.read_table(tmp_path / "e.parquet").to_pylist()
    for shown in (
        json.dumps(row),
        json.dumps(cells),
        json.dumps(table, default=str),
        json.dumps(sample),
    ):
        for leak in LEAKS:
            assert leak not in shown, leak
    assert "[email]" in sample[0][2]


def test_contacts_are_masked_in_linear_time():
    started = time.perf_counter()
    for text in (
        "%41" * 100_000,
        "a (at) " * 50_000,
        "a(at)b" + "(dot)c" * 50_000 + "@",
        "tel:" + "1" * 200_000 + "x",
        "%20" * 100_000,
        "a @ " + "a." * 100_000,
        "a.a" * 100_000 + " @ x",
        "@ " + "a." * 100_000 + "bsky.social",
    ):
        mask_text(text)
    assert time.perf_counter() - started < 10
