"""Posts planted in the dashboard's test store: script payloads, a private person, contact
details, a raw handle, a pile-on and a day of three authors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '"><img src=x onerror="window.__pwned=1;alert(1)">'
PRIVATE_NAME = "Gregory Vanterpool"  # made up: must never be shown by name
# named in ways the people analysis does not index (a lone given name, a name after a cue)
LONE_NAMES = ("Thaddeus", "Marisol")
FORGOTTEN = "forgotten_author_77"
RAW_HANDLE = "raw_handle_4821"


def hostile_posts() -> list:
    """Twelve authors' posts (so the default view is not a small cell), newest in the store,
    whose text, tag, author name and URL carry script payloads; some name a private person,
    an email and a phone number, and mention a raw handle."""
    from groundswell.schema import Post

    base = datetime(2018, 12, 31, 12, tzinfo=UTC)
    posts = []
    for i in range(12):
        posts.append(
            Post(
                platform="twitter",
                id=f"hostile{i}",
                text=(
                    f"{SCRIPT} {IMG} My old boss {PRIVATE_NAME} harassed me for two years; "
                    f"my uncle {LONE_NAMES[0]} knew and {LONE_NAMES[1]} saw it. "
                    f"Write to jane.doe{i}@example.com or call 555-123-4567 @{RAW_HANDLE} #MeToo"
                ),
                created_at=base + timedelta(minutes=i),
                author=f"hostile_author_{i}",
                author_name=f"{SCRIPT}{IMG}",
                url=f'https://example.org/{i}"><img src=x onerror=window.__pwned=1>',
                hashtags=["#metoo", f"#{IMG}"],
                mentions=[RAW_HANDLE],
            )
        )
    for i in range(60):  # a planted pile-on: 60 authors at one account within two hours
        posts.append(
            Post(
                platform="twitter",
                id=f"pile{i}",
                text="@pile_target you should be ashamed, this is a witch hunt #MeToo",
                created_at=datetime(2018, 11, 15, 10, tzinfo=UTC) + timedelta(minutes=2 * i),
                author=f"pile_author_{i}",
                hashtags=["#metoo"],
                mentions=["pile_target"],
            )
        )
    for i in range(3):  # a day of three authors: a small cell everywhere it is counted
        posts.append(
            Post(
                platform="twitter",
                id=f"quiet{i}",
                text="a quiet day #MeToo",
                created_at=datetime(2018, 6, 1, 9 + i, tzinfo=UTC),
                author=f"quiet_author_{i}",
                hashtags=["#metoo"],
            )
        )
    posts.append(
        Post(
            platform="twitter",
            id="js-url",
            text=f"{SCRIPT} a link",
            created_at=base + timedelta(minutes=30),
            author="hostile_author_0",
            url="javascript:window.__pwned=1",
            hashtags=["#metoo"],
        )
    )
    return posts
