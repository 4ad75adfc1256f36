"""Reddit writer: Pushshift-style monthly dumps, ``RS_YYYY-MM.zst`` and ``RC_YYYY-MM.zst``.

One JSON object per line, keys sorted, ``created_utc`` an int (as in the 2017 dumps),
zstd-compressed with a long window as the real dumps are. The collector's ``_meta`` block
carries ``"synthetic": true``.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import zstandard

from groundswell.demo.corpus import Event
from groundswell.demo.writers.base import Writer, account, base36

SUBREDDITS = {
    "testimony": "offmychest",
    "confession": "offmychest",
    "pledge": "AskMen",
    "support": "TwoXChromosomes",
    "backlash": "MensRights",
    "reporting": "news",
    "other": "CasualConversation",
}


class RedditWriter(Writer):
    """Submissions and comments, one zstd file per kind and month."""

    name = "reddit"
    platform = "reddit"

    def __init__(self, out_dir: Path, seed: int = 0) -> None:
        super().__init__(out_dir, seed)
        self.rng = random.Random(seed + 7)
        self.open: dict[str, Any] = {}
        self.submissions: list[tuple[str, str]] = []  # (id, subreddit)
        self.ids: dict[int, tuple[str, str, str]] = {}  # seq -> (fullname, link_id, subreddit)

    def _writer(self, kind: str, ev: Event):
        month = ev.created.strftime("%Y-%m")
        key = f"{kind}_{month}"
        fh = self.open.get(key)
        if fh is None:
            raw = open(self._path(f"{key}.zst"), "wb")  # noqa: SIM115
            params = zstandard.ZstdCompressionParameters.from_level(6, window_log=27)
            fh = zstandard.ZstdCompressor(compression_params=params).stream_writer(raw)
            self.open[key] = fh
        return fh

    def add(self, ev: Event) -> None:
        if ev.repost_of is not None:
            return
        acc = account(ev.author, "reddit")
        created = int(ev.ts)
        parent = self.ids.get(ev.reply_to.seq) if ev.reply_to is not None else None
        is_submission = parent is None and (not self.submissions or self.rng.random() < 0.25)
        base: dict[str, Any] = {
            "_meta": {"synthetic": True},
            "archived": False,
            "author": acc.username,
            "author_flair_text": None,
            "author_fullname": acc.id,
            "created_utc": created,
            "edited": False,
            "gilded": 0,
            "retrieved_on": created + 3600 * 24 * 30,
            "score": 1 + ev.seq % 40,
            "stickied": False,
        }
        if is_submission:
            rid = base36(10_000_000 + ev.seq)
            sub = SUBREDDITS.get(ev.act, "TwoXChromosomes")
            title, selftext = _title_body(ev.text)
            base.update(
                id=rid,
                name=f"t3_{rid}",
                title=title,
                selftext=selftext,
                subreddit=sub,
                subreddit_id="t5_" + base36(len(sub) * 99991),
                is_self=True,
                domain=f"self.{sub}",
                num_comments=0,
                over_18=False,
                permalink=f"/r/{sub}/comments/{rid}/{_slug(title)}/",
                url=f"https://www.reddit.com/r/{sub}/comments/{rid}/{_slug(title)}/",
                upvote_ratio=0.9,
            )
            self.submissions.append((rid, sub))
            if len(self.submissions) > 200:
                del self.submissions[:50]
            self.ids[ev.seq] = (f"t3_{rid}", f"t3_{rid}", sub)
            kind = "RS"
        else:
            rid = base36(20_000_000 + ev.seq)
            if parent is not None:
                parent_id, link_id, sub = parent
            else:
                sid, sub = self.rng.choice(self.submissions)
                parent_id = link_id = f"t3_{sid}"
            base.update(
                id=rid,
                name=f"t1_{rid}",
                body=ev.text,
                link_id=link_id,
                parent_id=parent_id,
                subreddit=sub,
                subreddit_id="t5_" + base36(len(sub) * 99991),
                controversiality=0,
                permalink=f"/r/{sub}/comments/{link_id[3:]}/_/{rid}/",
            )
            self.ids[ev.seq] = (f"t1_{rid}", link_id, sub)
            kind = "RC"
        if len(self.ids) > 5000:
            for k in list(self.ids)[:1000]:
                del self.ids[k]
        fh = self._writer(kind, ev)
        fh.write(orjson.dumps(base, option=orjson.OPT_SORT_KEYS) + b"\n")
        self.posts += 1
        if self.posts == 40:  # a dump line cut off mid-record
            fh.write(b'{"_meta":{"synthetic":true},"author":"synth_00001","body":"I believe\n')
            self.bad += 1

    def close(self) -> list[Path]:
        for fh in self.open.values():
            fh.close()
        return self.paths


def _title_body(text: str) -> tuple[str, str]:
    if len(text) <= 120:
        return text, ""
    head, sep, tail = text.partition(". ")
    return (head + "." if sep else text[:120]), tail


def _slug(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "_".join(words[:8]) or "post"
