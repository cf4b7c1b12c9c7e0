"""Clocks. Time is injected: only SystemClock reads the real time."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

# Deadlines are counted in the calendar of the platform's jurisdiction (China Standard Time).
CST = timezone(timedelta(hours=8), "CST")


class Clock(Protocol):
    """Something that tells the current time (timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stays where it is set and moves only when told (tests, demonstrations)."""

    def __init__(self, at: datetime) -> None:
        self._at = as_aware(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to `at`."""
        with self._lock:
            self._at = as_aware(at)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta` and return the new time."""
        with self._lock:
            self._at = self._at + delta
            return self._at


def as_aware(at: datetime) -> datetime:
    """A naive time given by an operator means China Standard Time."""
    return at if at.tzinfo is not None else at.replace(tzinfo=CST)


def local_date(at: datetime) -> date:
    """The calendar date of `at` in China Standard Time, the calendar deadlines count in."""
    return at.astimezone(CST).date()
