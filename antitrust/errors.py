"""Errors raised by antitrust, all under one root.

    AntitrustError
    ├── InputError            bad user input: always carries file, line and column
    │   ├── DealFileError     a deal file (cases/*.yaml) is malformed or invalid
    │   └── RulebookError     a rule or parameter file is malformed or invalid
    ├── EngineError           the inference engine failed or broke one of its limits
    └── UsageError            a call into the Python API was wrong (an unknown format, a bad argument)

The CLI turns an InputError into one line ``path:line:col: message`` and exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something stands in a user's file (1-based line and column)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path


class AntitrustError(Exception):
    """Root of every error this package raises on purpose."""


class InputError(AntitrustError, ValueError):
    """A user-written file is wrong. ``str()`` gives the one-line diagnostic."""

    def __init__(self, location: Location, message: str, *, field: str | None = None) -> None:
        self.location = location
        self.message = message
        self.field = field
        super().__init__(f"{location}: {message}")


class DealFileError(InputError):
    """A deal file is malformed, has an unknown field, a wrong type or a missing fact."""


class RulebookError(InputError):
    """A rule or parameter file is malformed, or a rule's condition is wrong."""


class EngineError(AntitrustError, RuntimeError):
    """durable_rules failed, or an action raised (which durable_rules only reports in state)."""


class UsageError(AntitrustError, ValueError):
    """A function of the Python API was called with an argument it cannot take."""


class InputErrors(AntitrustError):
    """Several input errors found in one pass (the loader reports all it can, not just the first)."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    @property
    def location(self) -> Location:
        """Where the first problem stands (each of ``errors`` has its own)."""
        return self.errors[0].location if self.errors else Location("")

    @property
    def message(self) -> str:
        return self.errors[0].message if self.errors else ""

    @property
    def field(self) -> str | None:
        return self.errors[0].field if self.errors else None
