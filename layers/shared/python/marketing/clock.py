"""The one clock: services take `now` from here so tests can pin time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    """ISO 8601 UTC with a Z suffix and millisecond precision, the format of every time field."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Deadline:
    """When an invocation's work must have stopped (Lambda's timeout), handed by the worker to the
    services whose work may not fit one invocation: they stop in time and leave the rest queued."""

    def __init__(self, remaining_millis: Callable[[], int] | None = None):
        self._remaining_millis = remaining_millis

    def seconds_left(self) -> float:
        """An hour when there is no invocation (a test, a call outside Lambda)."""
        return 3600.0 if self._remaining_millis is None else self._remaining_millis() / 1000


NO_DEADLINE = Deadline()
