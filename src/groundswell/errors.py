"""One error hierarchy for groundswell.

    GroundswellError
    ├── InputError (ValueError)        a file or record cannot be read; names file and line
    │   └── NotEnoughDataError         an analysis has too little data; says for what and why
    ├── StoreError (RuntimeError)      the DuckDB store cannot be opened or written
    │   └── StoreLockedError           another process holds the store
    ├── ModelError (RuntimeError)      a model or head is missing or incompatible
    └── MissingExtraError (ImportError) an optional dependency is not installed; says which extra

The library raises these; only ``cli.py`` turns them into a message and an exit code.
"""

from __future__ import annotations


class GroundswellError(Exception):
    """Base class of every error groundswell raises on purpose."""

    exit_code = 1


class InputError(GroundswellError, ValueError):
    """A file or record cannot be read."""

    exit_code = 2


class NotEnoughDataError(InputError):
    """An analysis cannot run on what the store holds: "not enough data for X because Y"."""

    def __init__(self, what: str, why: str, hint: str = "") -> None:
        self.what, self.why = what, why
        fix = f"; try {hint}" if hint else ""
        super().__init__(f"not enough data for {what} because {why}{fix}")


class StoreError(GroundswellError, RuntimeError):
    """The store cannot be opened or written."""

    exit_code = 3


class StoreLockedError(StoreError):
    """Another process holds the DuckDB file for writing."""


class ModelError(GroundswellError, RuntimeError):
    """A classifier model or head is missing or incompatible."""

    exit_code = 4


class MissingExtraError(GroundswellError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    exit_code = 5
