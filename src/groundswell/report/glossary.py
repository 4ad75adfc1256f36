"""The words the report uses, in plain language: what each speech act means (after the codebook,
section 1), the statistical terms, and a one-paragraph introduction to each analysis."""

from __future__ import annotations

from html import escape

# CODEBOOK section 1, shortened in our own words
ACT_DEFINITIONS: dict[str, str] = {
    "testimony": "the author tells of harassment or assault they lived or saw first-hand; a "
    "bare “me too” from a person counts",
    "confession": "the author admits having harassed, assaulted or coerced someone, or having "
    "been complicit",
    "pledge": "the author commits to act differently from now on (“I will …”)",
    "support": "the author stands with survivors: believes, thanks, encourages, amplifies "
    "others' stories or calls for accountability",
    "backlash": "the author opposes, doubts or mocks the movement or accusers, or defends the "
    "accused as a group (“witch hunt”, “due process”)",
    "reporting": "news told in the third person: allegations, firings, trials, statements, "
    "statistics, a headline shared without the poster's own words",
    "other": "the tag used for something else: spam, ads, jokes without a stance",
}

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "speech act",
        "what the author is doing with a post, with respect to the movement (one of the seven "
        "acts defined in the Speech acts section). A model reads each post and names its act.",
    ),
    (
        "burst",
        "a stretch of days on which a tag is used at a clearly raised rate, found by "
        "Kleinberg's model on daily counts; level 1 is about twice the usual rate, each level "
        "above doubles again. The onset is the first day a tag rises clearly above its recent "
        "baseline and stays there.",
    ),
    (
        "G² (log-likelihood)",
        "a test of whether two tags appear together more often than chance would give; the "
        "larger G², the stronger the link. It comes with a p-value: the chance of a link at "
        "least this strong if the tags were unrelated (“p < 0.001”: under one in a thousand).",
    ),
    (
        "Wilson interval",
        "a 95% range for a share counted in a sample; it stays sensible for small and extreme "
        "shares. It covers sampling error only, not the model's mistakes.",
    ),
    (
        "bootstrap, adjusted share",
        "the model makes mistakes, so counting its top labels is biased. The adjusted (corrected) "
        "share undoes the errors the model made on real posts labelled by people; the bootstrap "
        "repeats the estimate on resampled data many times, and the middle 95% of the results "
        "is the interval.",
    ),
    (
        "pile-on",
        "an account that receives replies or mentions from at least 50 distinct authors within "
        "24 hours, at least ten times its usual daily level.",
    ),
    (
        "counter-tag",
        "a tag of the movement's family whose posts are mostly backlash (#HimToo used against "
        "accusers, for example).",
    ),
    (
        "spin-off",
        "a tag of the family that invites a different first-person act than the movement's own "
        "tag (#ItWasMe for confessions, #IWill for pledges).",
    ),
    (
        "allied, core",
        "an allied tag rides with the movement without changing what people do with it; core "
        "tags are the seed and its equivalents in other languages.",
    ),
    (
        "suppression, “< 10”",
        "any number that fewer than 10 distinct authors stand behind is replaced by “< 10”, so "
        "no small group of people can be singled out.",
    ),
    (
        "[private person]",
        "someone named in posts who is not a public figure; their name is never shown.",
    ),
)

# a plain introduction to each built-in analysis, by its registered name
ANALYSIS_INTROS: dict[str, str] = {
    "family": "Which hashtags belong to the movement, and what role each plays: core (the "
    "seed and its translations), allied, spin-off (a new kind of act) or counter-tag (mostly "
    "backlash). Each member comes with how often it appears and why it was let in.",
    "timeline": "When the movement and its largest tags took off (onset) and when they were "
    "used at a clearly raised rate (bursts).",
    "pileons": "Accounts that were suddenly flooded with replies or mentions by many people at "
    "once, with the share of backlash and of hostile wording in those posts.",
    "people": "Public figures named in the posts, whether as accused, accuser or commentator, "
    "and how many distinct authors named them day by day. Everyone else is counted together "
    "as [private person].",
    "articles": "Where each long-form article (op-ed, essay) stands on the movement, and the "
    "claims it makes, each with the sentence that makes it.",
}


def acts_definitions_html() -> str:
    """The seven acts as a definition list."""
    items = "".join(
        f"<dt>{escape(act)}</dt><dd>{escape(text)}</dd>" for act, text in ACT_DEFINITIONS.items()
    )
    return f'<dl class="defs">{items}</dl>'


def glossary_html() -> str:
    """The glossary as a definition list."""
    items = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in GLOSSARY)
    return f'<dl class="defs">{items}</dl>'
