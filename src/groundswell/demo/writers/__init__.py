"""Writers of the demo corpus, one per real export format, by reader name."""

from groundswell.demo.writers.base import PREFIX, Writer
from groundswell.demo.writers.fediverse import JetstreamWriter, MastodonWriter
from groundswell.demo.writers.reddit import RedditWriter
from groundswell.demo.writers.twitter import TwitterV1Writer, TwitterV2Writer

WRITERS: dict[str, type[Writer]] = {
    "twitter_v2": TwitterV2Writer,
    "twitter_v1": TwitterV1Writer,
    "reddit": RedditWriter,
    "mastodon": MastodonWriter,
    "bluesky": JetstreamWriter,
}

__all__ = ["PREFIX", "WRITERS", "Writer"]
