"""Post texts for the synthetic demo: templates per speech act, with slots filled at random.

Everything here is invented for the demo. The public figures are made-up names (never real
people); testimonies combine a harm, a relation and a setting from the codebook so the classifier
has something to find, and each template's slots vary so no two posts read the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Figure:
    """An invented public figure with the alias forms people use for them."""

    name: str
    handle: str
    role: str
    allegation_days: tuple[str, ...]  # ISO dates of the news that makes attention surge

    @property
    def first_news(self) -> date:
        return date.fromisoformat(self.allegation_days[0])

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


FIGURES: tuple[Figure, ...] = (
    Figure("Garrick Stellmane", "gstellmane", "film producer", ("2017-10-08", "2017-10-24")),
    Figure("Lucan Hollowell", "lucanhollowell", "state senator", ("2017-11-02",)),
    Figure("Silas Quarrington", "squarrington", "comedian", ("2017-11-09",)),
    Figure("Oswin Pardew", "oswinpardew", "morning-show anchor", ("2017-11-14", "2017-11-29")),
    Figure("Brandt Ekvall", "brandtekvall", "celebrity chef", ("2017-12-06",)),
    Figure("Dewey Fallbrook", "deweyfallbrook", "magazine publisher", ("2018-01-12",)),
    Figure("Maren Oakhurst", "marenoakhurst", "activist", ("2017-10-16", "2018-01-01")),
)
PILE_ON_FIGURE = FIGURES[3]  # Oswin Pardew's account receives the demo's one pile-on
PILE_ON_DAY = "2017-11-15"

# relation label -> (phrases, settings that fit)
RELATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "boss": (
        (
            "my boss",
            "my manager",
            "the head of my department",
            "my supervisor",
            "the owner of the restaurant I worked at",
        ),
        ("work",),
    ),
    "colleague": (
        ("a coworker", "a colleague", "a senior colleague", "a guy on my team"),
        ("work", "social"),
    ),
    "teacher": (
        ("my coach", "my professor", "a teacher", "my piano teacher", "my thesis advisor"),
        ("school",),
    ),
    "friend": (
        ("a friend", "a friend of my brother", "a guy I knew from church", "an acquaintance"),
        ("social", "home"),
    ),
    "partner": (
        ("my ex", "my boyfriend at the time", "a date", "my then-husband"),
        ("home", "social"),
    ),
    "family": (("my uncle", "my stepfather", "a cousin", "a family friend"), ("home",)),
    "stranger": (
        (
            "a stranger",
            "a man on the bus",
            "some guy on the subway",
            "a man I had never seen before",
        ),
        ("street",),
    ),
    "public_figure": (
        ("a famous producer", "a well-known TV host", "a local politician"),
        ("work", "social"),
    ),
}
SETTINGS: dict[str, tuple[str, ...]] = {
    "work": (
        "at work",
        "at the office",
        "at my first job",
        "on a business trip",
        "in the break room",
    ),
    "school": (
        "at school",
        "after practice",
        "at university",
        "in his office after class",
        "in the locker room",
    ),
    "street": ("on the train", "on the street", "at the bus stop", "on the subway", "walking home"),
    "home": ("at home", "in my own house", "at a family dinner", "in my bedroom"),
    "social": ("at a party", "at a bar", "on a date", "at a friend's wedding"),
    "online": ("online", "in my DMs", "on a dating app"),
}
HARMS: dict[str, tuple[str, ...]] = {
    "verbal": (
        "made comments about my body",
        "kept making sexual jokes about me",
        "called me names I won't repeat",
        "catcalled me",
    ),
    "nonverbal": (
        "stared at me the whole time",
        "followed me home",
        "exposed himself to me",
        "kept leering at me",
    ),
    "physical": (
        "grabbed me",
        "groped me",
        "kissed me without asking",
        "put his hand on my thigh",
        "pinned me against a wall",
    ),
    "online": (
        "sent me explicit pictures",
        "kept sending me messages I never asked for",
        "threatened to share photos of me",
    ),
    "coercion": (
        "said my job depended on it",
        "threatened my grades",
        "made it clear my promotion depended on saying yes",
    ),
    "assault": ("raped me", "sexually assaulted me", "tried to rape me"),
}
AGES = (
    "when I was 15",
    "when I was 12",
    "at 19",
    "in 8th grade",
    "in my twenties",
    "last year",
    "years ago",
    "when I was 22",
    "in college",
    "",
)
CODAS = (
    "I never told anyone.",
    "I still think about it.",
    "Nobody believed me.",
    "I was terrified.",
    "It took me years to say it.",
    "I froze.",
    "I left the job.",
    "I thought it was my fault.",
    "",
)

TESTIMONY = (
    "{tag} {Age}, {rel} {harm} {setting}. {coda}",
    "Me too. {Rel} {harm} {setting} {age}. {coda} {tag}",
    "It happened to me {setting}: {rel} {harm}. {coda} {tag}",
    "{tag} I was {agenum}, {setting}, when {rel} {harm}. {coda}",
    "Me too. {Age} {rel} {harm}. {coda} {tag}",
    "{tag} this happens to me. {Rel} {harm} {setting}, {age}. {coda}",
)
CONFESSION = (
    "{tag} I have made women uncomfortable {setting} and laughed it off. I'm sorry.",
    "It was me. I pressured a {who} into a kiss she didn't want {setting}. {tag}",
    "{tag} I have been the guy who made the jokes {setting}. No more excuses.",
    "I have stayed silent when a friend groped someone {setting}. {tag}",
    "{tag} I coerced someone once and told myself it was fine. It wasn't.",
    "It was me who kept pushing after she said no {setting}. {tag}",
)
PLEDGE = (
    "I will speak up when I see it happen {setting}. {tag}",
    "From now on I will call out my friends when they cross the line. {tag}",
    "{tag} I will believe women. I will listen. I will do better.",
    "I will make sure every new hire on my team knows how to report harassment. {tag}",
    "{tag} I will teach my sons what consent means.",
    "From now on I will not laugh at those jokes {setting}. {tag}",
)
SUPPORT = (
    "I believe you. {tag}",
    "So proud of everyone sharing their stories today. {tag}",
    "We must change workplace culture. Enough is enough. {tag}",
    "Thank you for your courage. You are not alone. {tag}",
    "{tag} so brave. Sending love to every survivor.",
    "Read her thread. She writes: 'it happened {setting}'. Believe survivors. {tag}",
    "The sheer number of {tag} posts shows how big this problem is.",
    "{tag} {Fig} must answer for this. No more cover-ups.",
    "Proud of my friends who spoke up. {tag}",
)
BACKLASH = (
    "This {tag} witch hunt has gone too far.",
    "What happened to due process? {tag}",
    "False accusations ruin lives. {tag}",
    "Men can't even compliment a woman anymore. {tag}",
    "{tag} is just a mob with hashtags. Innocent until proven guilty.",
    "I support victims, but many of these accusations are false. {tag}",
    "{tag} hysteria again. {Fig} deserves a fair hearing.",
    "Where's your {tag} now?? Nobody cares about the men falsely accused.",
)
REPORTING = (
    "{Fig} accused of {newsharm} by {n} former staff members {tag}",
    "{Fig} steps down after allegations of {newsharm} {tag}",
    "{Fig} denies allegations in a statement to the press {tag}",
    "Survey: {pct}% of women say they have been harassed at work {tag}",
    "Board opens inquiry into {Fig} after new allegations {tag}",
    "{Surname} suspended by network pending investigation {tag}",
    "Lawmakers propose new harassment reporting rules {tag}",
)
OTHER = (
    "Check out our new {product}! Free shipping this week {tag}",
    "lol {tag} is trending again",
    "Listening to music on a rainy day {tag}",
    "Big sale this weekend, all {product}s half price {tag}",
    "Follow for follow {tag}",
)
HOSTILE = (
    "disgusting creep",
    "you pathetic predator",
    "shame on you",
    "rot in hell",
    "you should be in jail",
    "vile man",
    "nobody will ever watch you again",
    "you filthy pig",
    "worthless scum",
    "you disgusting pervert",
    "pathetic trash",
)
PILE_ON = (
    "@{handle} {hostile}. Resign now. {tag}",
    "@{handle} {hostile}! We all know what you did {tag}",
    "@{handle} you're done. {hostile}. {tag}",
    "@{handle} how do you sleep at night, {hostile}? {tag}",
)
FIGURE_STATEMENT = "I am stepping back from the show while the review takes place."

FRENCH = {
    "testimony": (
        "{tag} Mon patron m'a dit que ma carrière dépendait de ça. J'avais 24 ans.",
        "{tag} Un collègue m'a touchée au bureau et tout le monde a ri.",
        "Moi aussi. Un inconnu m'a suivie dans le métro. {tag}",
        "{tag} Mon prof me faisait des remarques sur mon corps au lycée.",
    ),
    "support": (
        "Je vous crois. Courage à toutes. {tag}",
        "{tag} merci pour votre courage, vous n'êtes pas seules.",
    ),
}
SPANISH = {
    "testimony": (
        "{tag} Yo también. Mi jefe me tocó en la oficina cuando tenía 22 años.",
        "{tag} Un desconocido me siguió hasta mi casa. Nunca lo conté.",
        "Yo también. Mi profesor me hacía comentarios sobre mi cuerpo. {tag}",
    ),
    "support": ("Te creo. No estás sola. {tag}", "{tag} gracias por su valentía."),
}
NEWS_HARMS = (
    "sexual harassment",
    "sexual misconduct",
    "groping",
    "sexual assault",
    "inappropriate comments",
)
PRODUCTS = ("phone case", "scented candle", "t-shirt", "protein shake", "sticker pack")
WHO = ("coworker", "classmate", "date", "friend")

ACT_TEMPLATES = {
    "testimony": TESTIMONY,
    "confession": CONFESSION,
    "pledge": PLEDGE,
    "support": SUPPORT,
    "backlash": BACKLASH,
    "reporting": REPORTING,
    "other": OTHER,
}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def testimony_slots(rng: random.Random) -> dict[str, str]:
    """A consistent relation / setting / harm triple with surface phrases."""
    rel = rng.choice(tuple(RELATIONS))
    phrases, settings = RELATIONS[rel]
    setting = rng.choice(settings)
    harm = rng.choice(tuple(HARMS))
    age = rng.choice(AGES)
    relp = rng.choice(phrases)
    return {
        "rel": relp,
        "Rel": _cap(relp),
        "harm": rng.choice(HARMS[harm]),
        "setting": rng.choice(SETTINGS[setting]),
        "age": age,
        "Age": _cap(age) or "Once",
        "agenum": str(rng.randint(12, 34)),
        "coda": rng.choice(CODAS),
    }


def figure_alias(rng: random.Random, fig: Figure) -> tuple[str, str | None]:
    """A way of naming the figure (full name, surname or @handle) and the mention, if any."""
    r = rng.random()
    if r < 0.5:
        return fig.name, None
    if r < 0.75:
        return fig.surname, None
    return "@" + fig.handle, fig.handle


# Words around a post's core, so that two posts of the same template rarely read the same.
OPENERS: dict[str, tuple[str, ...]] = {
    "testimony": (
        "I've never said this publicly.",
        "Deep breath.",
        "OK.",
        "Here goes.",
        "Reading everyone's posts gave me courage.",
    ),
    "confession": (
        "This is hard to write.",
        "I owe this to the people I hurt.",
        "Honestly:",
        "Time to own it.",
    ),
    "pledge": (
        "Reading these posts all day.",
        "Men, this is on us.",
        "Starting today:",
        "After everything I read this week,",
    ),
    "support": (
        "Reading these posts all day.",
        "Wow.",
        "Honestly,",
        "Heartbreaking.",
        "To every woman posting today:",
        "This thread.",
    ),
    "backlash": (
        "Unpopular opinion:",
        "Sorry but",
        "Let's be honest.",
        "Here we go again.",
        "Say it with me:",
    ),
    "reporting": ("BREAKING:", "Update:", "NEW:", "Report:", "Just in:"),
    "other": ("omg", "Today only!", "New post:", "Hey all,"),
}
CLOSERS: dict[str, tuple[str, ...]] = {
    "testimony": (
        "I'm still angry.",
        "It wasn't my fault.",
        "Thank you for reading.",
        "I'm done being quiet.",
    ),
    "confession": ("I'm listening now.", "No excuses.", "I'm ashamed of it."),
    "pledge": ("Hold me to it.", "Who's with me?", "No more silence."),
    "support": ("Please share.", "Listen to women.", "Enough.", "Keep speaking.", "We see you."),
    "backlash": ("Think about it.", "Wake up.", "Enough already.", "This is madness."),
    "reporting": (
        "More to follow.",
        "Developing story.",
        "Full statement below.",
        "Read more in the morning edition.",
    ),
    "other": ("Link in bio.", "DM for details.", "Have a nice day."),
}
COMMENTATOR = (
    "{Fig} calls for new workplace harassment rules {tag}",
    "Activist {Fig} testifies before lawmakers on harassment {tag}",
    "{Fig}: 'This is only the beginning' {tag}",
    "{Fig} launches fund for survivors who cannot afford lawyers {tag}",
)
ACCUSED = tuple(f for f in FIGURES if f.role != "activist")


def _decorate(rng: random.Random, act: str, text: str) -> str:
    if rng.random() < 0.35:
        text = f"{rng.choice(OPENERS[act])} {text}"
    if rng.random() < 0.3:
        text = f"{text} {rng.choice(CLOSERS[act])}"
    return text


def compose(
    rng: random.Random,
    act: str,
    tag: str,
    lang: str = "en",
    fig: Figure | None = None,
    when: date | None = None,
) -> tuple[str, list[str]]:
    """A post text for ``act`` carrying ``tag``; returns (text, mentioned handles).

    Only figures already in the news on ``when`` are named in passing.
    """
    if lang == "fr" or lang == "es":
        table = FRENCH if lang == "fr" else SPANISH
        options = table.get(act) or table["support"]
        return rng.choice(options).format(tag=tag), []
    mentions: list[str] = []
    slots = testimony_slots(rng)
    if fig is not None:
        alias, handle = figure_alias(rng, fig)
        if handle:
            mentions.append(handle)
        slots["Fig"] = alias
        slots["Surname"] = fig.surname if handle is None else alias
    else:
        named = [f for f in ACCUSED if when is None or f.first_news <= when]
        other = rng.choice(named) if named else None
        slots["Fig"] = other.name if other else "he"
        slots["Surname"] = other.surname if other else "he"
    templates = ACT_TEMPLATES[act]
    if fig is None and slots["Fig"] == "he":  # nobody is in the news yet: name no one
        templates = tuple(t for t in templates if "{Fig}" not in t and "{Surname}" not in t)
    template = rng.choice(templates or ACT_TEMPLATES[act])
    if fig is not None and fig.role == "activist" and act == "reporting":
        template = rng.choice(COMMENTATOR)
    if fig is not None and act in ("support", "backlash") and "{Fig}" not in template:
        template = template + " #" + fig.surname if rng.random() < 0.3 else "{Fig}: " + template
    text = template.format(
        tag=tag,
        n=rng.randint(2, 9),
        pct=rng.randint(30, 85),
        newsharm=rng.choice(NEWS_HARMS),
        product=rng.choice(PRODUCTS),
        who=rng.choice(WHO),
        **slots,
    )
    return " ".join(_decorate(rng, act, text).split()), mentions


def pile_on_text(rng: random.Random, fig: Figure, tag: str) -> str:
    """A hostile reply aimed at the pile-on target's handle."""
    text = rng.choice(PILE_ON).format(handle=fig.handle, hostile=rng.choice(HOSTILE), tag=tag)
    return " ".join(text.split())
