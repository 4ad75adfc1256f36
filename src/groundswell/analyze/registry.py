"""The analyses registry: each analysis declares what it needs and makes, and runs on a store.

Built-in analyses register in ``BUILTIN_ANALYSES``; plug-ins through the ``groundswell.analyses``
entry-point group, loaded the same way. Every run is recorded in the store's ``runs`` table with
its parameters and version, for provenance.
"""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

import pandas as pd

from groundswell.plugins import load_plugins

ENTRY_POINT_GROUP = "groundswell.analyses"

# name -> "module:Class"; analyses add themselves here
BUILTIN_ANALYSES: dict[str, str] = {
    "family": "groundswell.analyze.family:FamilyAnalysis",
    "timeline": "groundswell.analyze.timeline:TimelineAnalysis",
    "pileons": "groundswell.analyze.pileon:PileonAnalysis",
    "people": "groundswell.analyze.people:PeopleAnalysis",
    "articles": "groundswell.analyze.article:ArticleStance",
}


@dataclass
class LineChart:
    """What an analysis wants drawn as a line chart; the report draws it (analyses do not
    import the report stage)."""

    days: list[Any]
    series: dict[str, list[float]]
    title: str
    y_label: str = "posts per day"
    # distinct authors behind the points: unit (day, week, month) -> series -> the period's
    # first day -> count; the report leaves out a point of fewer than 10 (CODEBOOK section 7),
    # and without them it can only leave out points whose value is under 10
    authors: dict[str, dict[str, dict[Any, float]]] | None = None


@dataclass
class Params:
    """Base for an analysis's parameters (a dataclass with defaults from the codebook)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Analysis:
    """One measurement over a store.

    ``requires`` names the tables it reads (``posts``, ``acts`` ...), ``produces`` the tables it
    writes (may be empty), ``version`` changes when results would change. ``compute`` returns a
    pandas DataFrame; ``render`` turns it into an HTML fragment for the report.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    requires: ClassVar[tuple[str, ...]] = ("posts",)
    produces: ClassVar[tuple[str, ...]] = ()
    params_class: ClassVar[type[Params]] = Params

    def __init__(self, **params: Any) -> None:
        known = {f.name for f in fields(self.params_class)}
        unknown = set(params) - known
        if unknown:
            raise TypeError(
                f"{self.name}: unknown parameters {sorted(unknown)}; known {sorted(known)}"
            )
        self.params = self.params_class(**params)

    def compute(self, store: Any) -> pd.DataFrame:
        raise NotImplementedError

    def run(self, store: Any) -> pd.DataFrame:
        """Compute and record the run (name, version, parameters, row count) in the store."""
        started = datetime.now(UTC)
        frame = self.compute(store)
        if not getattr(store, "read_only", True):
            store.record_run(
                f"analyze:{self.name}",
                {"version": self.version, **self.params.as_dict()},
                {"rows": len(frame)},
                started,
            )
        return frame

    def chart(self, frame: pd.DataFrame) -> LineChart | None:
        """A line chart to show above the fragment (none by default)."""
        return None

    def render(self, frame: pd.DataFrame) -> str:
        """An HTML fragment: the title and the table (first 50 rows). The report shows the
        parameters and version above every analysis's fragment, and its chart."""
        table = frame.head(50).to_html(index=False, escape=True, border=0, classes="data")
        return f"<h2>{html.escape(self.title or self.name)}</h2>{table}"


def readable_p(p: Any) -> str:
    """A p-value as people read it: "< 0.001" below a thousandth, else two significant
    figures ("0.012", "0.35", "0.5"); empty when missing."""
    if p is None or isinstance(p, str):
        return p or ""
    p = float(p)
    if math.isnan(p):
        return ""
    if p < 0.001:
        return "< 0.001"
    return f"{p:.2g}"


def analyses() -> dict[str, type[Analysis]]:
    """Every registered analysis class by name: built-ins first, then plug-ins."""
    return load_plugins(BUILTIN_ANALYSES, ENTRY_POINT_GROUP)
