"""Plug-in loading shared by the registries: built-ins and entry points take the same path.

Each registry names its built-ins as ``{"name": "module:Attribute"}``; plug-ins add entries
under an entry-point group (``groundswell.readers``, ``groundswell.analyses``). A plug-in cannot
silently replace a built-in of the same name.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any


def load_plugins(
    builtins: dict[str, str], group: str, errors: dict[str, Exception] | None = None
) -> dict[str, Any]:
    """Every registered object by name: the built-ins first, then the group's entry points.

    With ``errors``, a plug-in that fails to load is recorded there (name -> exception) and the
    others still load (the report shows the failure in its place); without, the error is raised.
    """
    specs = dict(builtins)
    for ep in entry_points(group=group):
        specs.setdefault(ep.name, ep.value)
    out = {}
    for name, spec in specs.items():
        module, _, attr = spec.partition(":")
        try:
            out[name] = getattr(import_module(module), attr)
        except Exception as exc:
            if errors is None:
                raise
            errors[name] = exc
    return out
