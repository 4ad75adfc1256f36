"""Stores with planted structure, so the analyses' right answers are known.

Posts are written straight into a Store's ``posts`` table (and an ``acts`` table) with Arrow, as
the classifier would leave them. Everything is drawn from a seeded RNG: the stores are the same on
every run, and the planted signal is far above the background's noise.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from groundswell.store.db import POST_ARROW_SCHEMA

DAY0 = datetime(2017, 9, 1)
BACKGROUND_TAGS = ["#news", "#monday", "#football", "#recipes", "#travel", "#tech", "#art"]


class Writer:
    """Collects posts and acts, then writes them to a store in one go."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.posts: list[dict[str, Any]] = []
        self.acts: list[tuple[str, str, str]] = []

    def post(
        self,
        when: datetime,
        author: str,
        tags: Sequence[str] = (),
        act: str | None = None,
        mentions: Sequence[str] = (),
        reply_to: str | None = None,
        text: str | None = None,
    ) -> str:
        pid = str(len(self.posts) + 1)
        self.posts.append(
            {
                "platform": "twitter",
                "id": pid,
                "author": author,
                "created_at": when,
                "text": text or ("post " + " ".join(tags)),
                "hashtags": list(dict.fromkeys(tags)),
                "mentions": list(mentions),
                "reply_to": reply_to,
                "synthetic": True,
            }
        )
        if act:
            self.acts.append(("twitter", pid, act))
        return pid

    def when(self, day: int, hour: float | None = None) -> datetime:
        h = self.rng.uniform(0, 24) if hour is None else hour
        return DAY0 + timedelta(days=day, hours=h)

    def write(self, store: Any, acts: bool = True) -> None:
        cols = {name: [] for name in POST_ARROW_SCHEMA.names}
        for p in self.posts:
            for name in cols:
                cols[name].append(p.get(name))
        table = pa.table(cols, schema=POST_ARROW_SCHEMA)
        store.con.register("planted_posts", table)
        store.con.execute("INSERT INTO posts SELECT * FROM planted_posts")
        store.con.unregister("planted_posts")
        if acts:
            store.con.execute(
                "CREATE TABLE IF NOT EXISTS acts (platform VARCHAR, id VARCHAR, act VARCHAR, "
                "model VARCHAR)"
            )
            acts_tbl = pa.table(
                {
                    "platform": [a[0] for a in self.acts],
                    "id": [a[1] for a in self.acts],
                    "act": [a[2] for a in self.acts],
                    "model": ["planted"] * len(self.acts),
                }
            )
            store.con.register("planted_acts", acts_tbl)
            store.con.execute("INSERT INTO acts SELECT * FROM planted_acts")
            store.con.unregister("planted_acts")


def mix(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plant_family(store: Any, acts: bool = True) -> None:
    """Background traffic plus: #metoo (testimony) from day 15; its equivalent #balancetonporc;
    a spin-off #itwasme (confession); a counter-tag #himtoo (backlash); an allied #timesup
    (support); #ihave (confession) that co-occurs only with #itwasme, so it joins in round 2;
    and #music, popular everywhere but attached to posts independently of #metoo."""
    w = Writer(seed=11)
    rng = w.rng
    people = [f"a{i}" for i in range(600)]
    bg_acts = {"other": 0.7, "reporting": 0.3}

    def music(tags: list[str]) -> list[str]:
        return [*tags, "#music"] if rng.random() < 0.15 else tags

    for _ in range(4000):
        tags = rng.sample(BACKGROUND_TAGS, rng.choice([1, 1, 2]))
        w.post(w.when(rng.randrange(40)), rng.choice(people), music(tags), mix(rng, bg_acts))
    seed_acts = {"testimony": 0.6, "support": 0.3, "reporting": 0.1}
    for _ in range(1500):
        tags = ["#metoo"] + ([rng.choice(BACKGROUND_TAGS)] if rng.random() < 0.05 else [])
        w.post(w.when(rng.randrange(15, 40)), rng.choice(people), music(tags), mix(rng, seed_acts))
    planted = {
        "#itwasme": ({"confession": 0.75, "support": 0.15, "backlash": 0.1}, 0.7),
        "#himtoo": ({"backlash": 0.7, "support": 0.2, "reporting": 0.1}, 0.6),
        "#timesup": ({"support": 0.7, "testimony": 0.2, "reporting": 0.1}, 0.6),
        "#balancetonporc": ({"testimony": 0.7, "support": 0.3}, 0.1),
    }
    for tag, (weights, with_seed) in planted.items():
        for _ in range(200):
            tags = [tag, "#metoo"] if rng.random() < with_seed else [tag]
            day = rng.randrange(16, 40)
            w.post(w.when(day), rng.choice(people), music(tags), mix(rng, weights))
    for _ in range(120):  # round 2: with #itwasme, never with #metoo
        tags = ["#ihave", "#itwasme"] if rng.random() < 0.6 else ["#ihave"]
        w.post(w.when(rng.randrange(16, 40)), rng.choice(people), music(tags), "confession")
    w.write(store, acts=acts)


def plant_burst(store: Any) -> None:
    """#metoo at about 20 posts a day for 30 days, 200 a day on days 30-34, then 40 a day to
    day 50; #news at 30 a day throughout (no burst). The onset and burst start are day 30."""
    w = Writer(seed=5)
    rng = w.rng
    for day in range(51):
        n = 20 if day < 30 else (200 if day < 35 else 40)
        n = max(0, n + rng.randint(-3, 3))
        for _ in range(n):
            w.post(w.when(day), f"b{rng.randrange(3000)}", ["#metoo"], "testimony")
        for _ in range(30 + rng.randint(-3, 3)):
            w.post(w.when(day), f"b{rng.randrange(3000)}", ["#news"], "reporting")
    w.write(store)


PILEON_DAY = 28


def plant_pileons(store: Any) -> dict[str, Any]:
    """Normal mention/reply traffic for 35 days, plus:
    ``victim_handle``: 1 mention a day, then 60 distinct authors (80 posts) mention it on day 28
    between 10:00 and 20:00 -> a pile-on;
    a reply target (author ``u_replied``, handle ``replied_handle``): 55 distinct authors reply to
    one of its posts on day 28, @mentioning it -> one pile-on (not two);
    ``near_miss``: 49 distinct authors in 12 h -> not one;
    ``busy_handle``: 20 mentions a day, then 100 posts from 60 authors in a day (5x) -> not one.
    Returns what was planted (handles, window)."""
    w = Writer(seed=3)
    rng = w.rng
    crowd = [f"c{i}" for i in range(2000)]
    handles = [f"someone{i}" for i in range(300)]
    posts: list[str] = []
    for day in range(35):
        for _ in range(150):
            if posts and rng.random() < 0.3:
                pid = w.post(w.when(day), rng.choice(crowd), reply_to=rng.choice(posts))
            else:
                pid = w.post(w.when(day), rng.choice(crowd), mentions=[rng.choice(handles)])
            posts.append(pid)
        if day < PILEON_DAY - 2:
            w.post(w.when(day), rng.choice(crowd), mentions=["Victim_Handle"], act="support")
        if day != PILEON_DAY:
            for _ in range(20):
                w.post(w.when(day), rng.choice(crowd[:30]), mentions=["busy_handle"])
    start = w.when(PILEON_DAY, 10.0)
    mob = rng.sample(crowd, 60)
    hostile = "women like you are disgusting sluts who should shut up and get back in the kitchen"
    for i in range(80):
        author = mob[i % 60]
        when = start + timedelta(hours=10 * i / 79)
        act = "backlash" if i % 2 == 0 else "reporting"
        w.post(
            when,
            author,
            ["#metoo"],
            act,
            mentions=["VICTIM_HANDLE"],
            text=hostile if i % 4 == 0 else "what she said about the director is news",
        )
    target_post = w.post(w.when(PILEON_DAY - 5, 9.0), "u_replied", ["#metoo"], "testimony")
    for i, author in enumerate(rng.sample(crowd, 55)):  # replies that also @mention it
        w.post(
            start + timedelta(hours=i * 0.2),
            author,
            ["#metoo"],
            "backlash",
            mentions=["replied_handle"],
            reply_to=target_post,
        )
    for i, author in enumerate(rng.sample(crowd, 49)):
        w.post(start + timedelta(hours=i * 0.25), author, mentions=["near_miss"])
    for i in range(100):
        author = rng.sample(crowd, 60)[0] if i >= 60 else crowd[100 + i]
        w.post(start + timedelta(hours=i * 0.2), author, mentions=["busy_handle"])
    w.write(store)
    return {
        "mention_target": "victim_handle",
        "reply_target": "u_replied",
        "start": start,
        "end": start + timedelta(hours=10),
        "handles": ["victim_handle", "near_miss", "busy_handle", "replied_handle", "someone1"],
    }


def plant_filtered(store: Any, seed_tag: str = "#metoo", acts: bool = True) -> dict[str, int]:
    """A hashtag-filtered collection of 60,000 posts, as a researcher gets by searching the
    seed (and a few more terms): the seed on about 95% of posts, the rest background posts
    matched by text, plus (issue 9's numbers) a spin-off #itwasme (2,287 posts, 1,375 with the
    seed, mostly confessions), a counter-tag #himtoo (1,398 posts, 300 with the seed, mostly
    backlash), #ihave (confessions, with #itwasme, never with the seed), #believesurvivors (an
    act mix like the seed's, with #itwasme, never with the seed) and an allied #timesup
    (600 posts, nearly all with the seed, mostly support). #music and the background tags ride
    on posts at random. Returns the planted counts."""
    w = Writer(seed=17)
    rng = w.rng
    people = [f"f{i}" for i in range(5000)]
    seed_acts = {
        "testimony": 0.45,
        "support": 0.3,
        "reporting": 0.12,
        "backlash": 0.06,
        "other": 0.07,
    }

    def extra(tags: list[str]) -> list[str]:
        if rng.random() < 0.2:
            tags = [*tags, rng.choice(BACKGROUND_TAGS)]
        return [*tags, "#music"] if rng.random() < 0.1 else tags

    def put(n: int, tag: str, n_seed: int, weights: dict[str, float], first: int) -> None:
        with_seed = set(rng.sample(range(n), n_seed))
        for i in range(n):
            tags = [tag, seed_tag] if i in with_seed else [tag]
            w.post(
                w.when(rng.randrange(first, 60)), rng.choice(people), extra(tags), mix(rng, weights)
            )

    put(
        2287 - 90 - 120,
        "#itwasme",
        1375,
        {"confession": 0.7, "support": 0.15, "testimony": 0.1, "backlash": 0.05},
        10,
    )
    put(1398, "#himtoo", 300, {"backlash": 0.7, "support": 0.15, "reporting": 0.15}, 20)
    put(600, "#timesup", 582, {"support": 0.7, "testimony": 0.2, "reporting": 0.1}, 5)
    for i in range(150):  # with #itwasme, never with the seed
        tags = ["#ihave", "#itwasme"] if i < 90 else ["#ihave"]
        w.post(w.when(rng.randrange(10, 60)), rng.choice(people), tags, "confession")
    for i in range(200):  # joins in round 2 by co-occurrence with #itwasme, not by its act mix
        tags = ["#believesurvivors", "#itwasme"] if i < 120 else ["#believesurvivors"]
        w.post(w.when(rng.randrange(10, 60)), rng.choice(people), tags, mix(rng, seed_acts))
    for _ in range(1000):  # matched by the search words in their text, not by the seed
        tags = rng.sample(BACKGROUND_TAGS, rng.choice([1, 1, 2]))
        w.post(
            w.when(rng.randrange(60)),
            rng.choice(people),
            tags,
            mix(rng, {"other": 0.7, "reporting": 0.3}),
        )
    for _ in range(60000 - len(w.posts)):
        w.post(
            w.when(rng.randrange(60)), rng.choice(people), extra([seed_tag]), mix(rng, seed_acts)
        )
    w.write(store, acts=acts)
    n_seed = sum(seed_tag in p["hashtags"] for p in w.posts)
    return {"posts": len(w.posts), "seed": n_seed}
