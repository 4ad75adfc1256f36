"""One colour per tag for the whole report, and one per speech act.

A report builds one ``TagColours``: the movement's seed and its family get the first colours, in
the order given, and any other tag the next free one when a chart first draws it. Every chart
and legend asks the same map, so a tag keeps its colour from chart to chart. Colours are the
Okabe-Ito palette (colour-blind safe), then a few darker tones.
"""

from __future__ import annotations

from collections.abc import Iterable

TAG_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#B8A200",
    "#8C564B",
    "#7F3C8D",
    "#3969AC",
    "#11A579",
    "#999999",
)
MOVEMENT_COLOUR = "#1d232b"  # the whole movement, drawn above its tags
MOVEMENT_SERIES = "(movement)"

ACT_COLOURS = {
    "testimony": "#D55E00",
    "confession": "#CC79A7",
    "pledge": "#009E73",
    "support": "#0072B2",
    "backlash": "#000000",
    "reporting": "#999999",
    "other": "#E69F00",
}


class TagColours:
    """A deterministic tag -> colour map: ``first`` tags in order, others as first asked."""

    def __init__(self, first: Iterable[str] = ()) -> None:
        self._map: dict[str, str] = {MOVEMENT_SERIES: MOVEMENT_COLOUR}
        self._next = 0
        for tag in first:
            self.colour(tag)

    def colour(self, tag: str) -> str:
        """The tag's colour, given the next free one the first time it is asked for."""
        if tag not in self._map:
            self._map[tag] = TAG_PALETTE[self._next % len(TAG_PALETTE)]
            self._next += 1
        return self._map[tag]

    def for_series(self, names: Iterable[str]) -> dict[str, str]:
        """Colours for a chart's series, in the order of ``names``."""
        return {n: self.colour(n) for n in names}

    def as_dict(self) -> dict[str, str]:
        """Every tag coloured so far (the movement's series included)."""
        return dict(self._map)


def act_colours(acts: Iterable[str]) -> dict[str, str]:
    """The fixed colour of each act; an act outside the codebook gets grey."""
    return {a: ACT_COLOURS.get(a, "#777777") for a in acts}
