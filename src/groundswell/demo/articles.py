"""Long-form articles for the demo: short op-eds across the range of positions, all invented.

Written for groundswell's demo (not taken from any publication); each names the invented public
figures and makes claims from the codebook's inventory so the article analysis has work to do.
Each file says, at its top, that it is synthetic.
"""

from __future__ import annotations

import html
from pathlib import Path

from groundswell.demo.texts import FIGURES

NOTE = "SYNTHETIC DEMO ARTICLE: written for the groundswell demo; every name in it is invented."

ARTICLES: tuple[dict[str, str], ...] = (
    {
        "slug": "power-in-numbers",
        "format": "md",
        "date": "2017-10-20",
        "title": "Power in numbers: what the flood of #MeToo posts tells us",
        "body": (
            "In a single weekend, millions of people wrote two words. The sheer number of posts is "
            "the point: harassment is not a rare failing of a few monsters but an ordinary feature "
            "of offices, classrooms and trains.\n\n"
            "For years the burden has fallen on survivors to prove, to repeat, to relive. The "
            "#MeToo posts move that burden. When a producer like {f0} can be named by dozens of "
            "former staff, the silence that protected him was never about a lack of evidence.\n\n"
            "The remedy is structural. Workplaces concentrate power in a few hands, and the law "
            "still treats harassment as a private dispute. We need reporting lines that do not run "
            "through the accused, and contracts that stop buying silence.\n\n"
            "I believe the women who spoke this week. We must make sure that believing them is "
            "only the beginning."
        ),
    },
    {
        "slug": "witch-hunt",
        "format": "html",
        "date": "2018-01-25",
        "title": "Has #MeToo jumped the shark?",
        "body": (
            "A movement that began with real abuse has turned into a witch hunt. Each week brings "
            "a new name, and each name is tried and sentenced on social media within hours.\n\n"
            "Consider {f3}. Before a single fact was checked, thousands of strangers told him to "
            "rot in hell. Public shaming of this kind does lasting harm, and it falls on the "
            "guilty and the merely awkward alike.\n\n"
            "Due process is not a technicality. Innocent until proven guilty is what separates "
            "justice from a mob, and the #HimToo posts, crude as many are, reflect a real fear "
            "among men that an accusation is now a verdict.\n\n"
            "There is also a whiff of sex panic here, a new puritanism that treats every clumsy "
            "pass as assault. The movement has gone too far, and it risks discrediting the very "
            "survivors it set out to help."
        ),
    },
    {
        "slug": "both-things",
        "format": "md",
        "date": "2017-12-10",
        "title": "Two things can be true about #MeToo",
        "body": (
            "The stories shared under #MeToo have shown the scale of the problem, and I am glad "
            "they were told. Careful reporting on men like {f1} and {f4} worked: reporters "
            "checked documents, found witnesses and gave the accused a chance to answer.\n\n"
            "And yet some of what followed worries me. The confessions under #ItWasMe can read "
            "as performative, a way to collect praise rather than repair harm. A public apology "
            "can launder a reputation as easily as it can mend one.\n\n"
            "The answer is not to stop speaking but to speak better: more talk about consent, "
            "clearer rules at work, and journalism that takes its time. Both things can be true: "
            "the movement is necessary, and it can still go wrong."
        ),
    },
    {
        "slug": "what-changed-at-work",
        "format": "html",
        "date": "2018-03-08",
        "title": "Five months on: what changed at work",
        "body": (
            "Since October, three of the companies named in #MeToo posts have rewritten their "
            "harassment policies, and the publisher {f5} resigned after an internal inquiry.\n\n"
            "Lawyers say the number of complaints filed has risen sharply. Several states are "
            "considering limits on non-disclosure agreements in harassment settlements.\n\n"
            "The #TimesUp legal fund reports thousands of requests for help from workers in "
            "low-wage jobs, where power over schedules and pay makes it hardest to say no."
        ),
    },
)


def _fill(text: str) -> str:
    return text.format(**{f"f{i}": fig.name for i, fig in enumerate(FIGURES)})


def write_articles(out_dir: Path) -> list[Path]:
    """Write the demo's articles as .md and .html files; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for art in ARTICLES:
        title, body = _fill(art["title"]), _fill(art["body"])
        path = out_dir / f"SYNTHETIC-article-{art['slug']}.{art['format']}"
        if art["format"] == "md":
            text = f"# {title}\n\nDate: {art['date']}\nBy: Demo Columnist\n\n*{NOTE}*\n\n{body}\n"
        else:
            paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n\n"))
            text = (
                f'<!doctype html>\n<html><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title>"
                f'<meta name="date" content="{art["date"]}">'
                f'<meta name="author" content="Demo Columnist">'
                f'<meta name="synthetic" content="true"></head>\n<body><article>\n'
                f"<h1>{html.escape(title)}</h1>\n<p><em>{html.escape(NOTE)}</em></p>\n"
                f"{paras}</article></body></html>\n"
            )
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
