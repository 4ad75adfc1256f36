"""Stores whose named people are known: posts written straight into the posts table.

Every helper returns what it planted, so the tests compare the analysis with the plan rather
than with numbers copied from a run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa

from groundswell.store.db import POST_ARROW_SCHEMA, POST_COLUMNS

DAY0 = datetime(2017, 10, 15, 9, 0)
PRIVATE_NAME = "Gregory Vanterpool"  # a made-up private person: must never be shown by name
ALIAS_FORMS = ("Alyssa Milano", "Milano", "@Alyssa_Milano", "Milano's", "ALYSSA MILANO")


def write_posts(store, posts: list[dict]) -> None:
    """Insert posts (platform, id, author, created_at, text) with SQL over an Arrow table."""
    cols: dict[str, list] = {k: [] for k in POST_COLUMNS}
    for p in posts:
        for k in POST_COLUMNS:
            cols[k].append(p.get(k))
        cols["platform"][-1] = p.get("platform", "twitter")
        cols["synthetic"][-1] = True
        cols["format"][-1] = "planted"
    tbl = pa.table(cols, schema=POST_ARROW_SCHEMA)
    store.con.register("planted", tbl)
    store.con.execute("INSERT INTO posts SELECT * FROM planted")
    store.con.unregister("planted")


def post(pid: str, author: str, text: str, day: int = 0, minute: int = 0) -> dict:
    """One planted post ``day`` days after 15 Oct 2017."""
    return {
        "id": pid,
        "author": author,
        "text": text,
        "created_at": DAY0 + timedelta(days=day, minutes=minute),
    }


def background(n: int, start: int = 0) -> list[dict]:
    """Posts naming nobody, by authors bg0, bg1 ..."""
    return [
        post(f"bg{i}", f"bg{i}", "Me too. It happened at my first job.", i % 3)
        for i in range(start, start + n)
    ]


def alias_posts() -> list[dict]:
    """One post per alias form of Alyssa Milano, each by its own author."""
    texts = [f"Thank you {form} for starting this conversation #MeToo" for form in ALIAS_FORMS]
    return [post(f"al{i}", f"alias_author{i}", t) for i, t in enumerate(texts)]


def private_posts(n_authors: int, prefix: str = "pv") -> list[dict]:
    """``n_authors`` authors each accuse the made-up private person once, in varied forms."""
    forms = [
        f"My old boss {PRIVATE_NAME} harassed me for two years.",
        f"{PRIVATE_NAME} groped me at the office party. #MeToo",
        f"I reported {PRIVATE_NAME} and nothing happened.",
        f"Everyone knew about {PRIVATE_NAME.split()[1]}'s behaviour, and {PRIVATE_NAME} knew it.",
    ]
    return [
        post(f"{prefix}{i}", f"{prefix}_author{i}", forms[i % len(forms)], day=i % 2)
        for i in range(n_authors)
    ]


def attention_posts(plan: dict[int, int], repeat: int = 2) -> list[dict]:
    """For each day in ``plan``, that many distinct authors name Harvey Weinstein; the first
    author of each day posts ``repeat`` times (mentions exceed distinct authors)."""
    out = []
    for day, n in plan.items():
        for a in range(n):
            times = repeat if a == 0 else 1
            for k in range(times):
                out.append(
                    post(
                        f"w{day}_{a}_{k}",
                        f"wa{a}",
                        "Allegations against Harvey Weinstein keep coming.",
                        day=day,
                        minute=a * 3 + k,
                    )
                )
    return out


INVENTED = "Thaddeus Wrenfield"  # no known given name: found by the cued-pair heuristic


def invented_figure_posts(n_authors: int) -> list[dict]:
    """An invented figure named as full name, surname, guessed @handle and possessive, next to
    "New York" (a capitalised pair the corpus also writes in lower case: "new")."""
    forms = [
        f"{INVENTED} denies allegations in New York",
        f"Board suspends {INVENTED.split()[1]} after new allegations",
        "@twrenfield steps down after allegations of assault",
        f"{INVENTED.split()[1]}'s accusers speak in New York",
        f"{INVENTED} resigns",
    ]
    return [post(f"inv{i}", f"inv_author{i}", forms[i % len(forms)]) for i in range(n_authors)]
