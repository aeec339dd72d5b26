"""The twin's exceptions: one hierarchy under :class:`TwinError`, defined below every other module.

Every error of bad input carries ``problems``: one line per problem, each naming the file or field,
the value and why. The command line prints those lines and exits with code 2, never a traceback.

::

    TwinError
    ├── ScenarioError      a scenario file or mapping
    ├── WeatherError       a weather file (EPW or typical year)
    ├── RunIdError         a run id that cannot name a run, or one already taken
    ├── RunNotFound        a folder or file that is not a stored run
    ├── SweepError         a sweep file
    ├── EventError         an event (fault) definition
    └── PlanError          a planning study

``TwinError`` subclasses :class:`ValueError` (``RunNotFound`` also :class:`LookupError`), so code
that caught those before keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EventError", "PlanError", "RunIdError", "RunNotFound", "ScenarioError", "SweepError",
           "TwinError", "WeatherError"]


class TwinError(ValueError):
    """Bad input to the twin, worded for the user.

    Parameters
    ----------
    problems : str or iterable of str
        One line per problem (the field or file, the value and why).
    source : str, optional
        What was being read (a file path, ``"scenario"``, ``"--run-id"`` ...).
    """

    def __init__(self, problems: str | Iterable[str], source: str = ""):
        self.problems: list[str] = [problems] if isinstance(problems, str) else [str(p) for p in problems]
        self.source = source
        super().__init__("\n".join(self.problems))


class ScenarioError(TwinError):
    """Bad scenario input; ``problems`` holds one line per problem."""

    def __init__(self, problems: str | Iterable[str], source: str = "scenario"):
        super().__init__(problems, source)


class WeatherError(TwinError):
    """A weather file that cannot be read as it claims to be (structure, values, gaps)."""


class RunIdError(TwinError):
    """A run id that cannot name a run directory, or one that is already taken."""


class RunNotFound(TwinError, LookupError):
    """A path or run id that is not a complete stored run (or whose files are damaged)."""


class SweepError(TwinError):
    """A bad sweep file."""


class EventError(TwinError):
    """A bad event (fault) definition."""


class PlanError(TwinError):
    """A bad planning study."""
