"""Clocks for tests, starting at a chosen instant, so no test depends on when it runs.

The instant is 15 June 2026, 12:00 in Mikkeli unless FOORUMI_TEST_CLOCK sets another, e.g.
FOORUMI_TEST_CLOCK="2026-03-29T03:30+03:00" (the spring daylight-saving morning): the whole suite
must pass at any instant (deploy/test-at-hours.sh runs it at several). A test whose outcome
depends on the time of day sets its own instant.
"""
from __future__ import annotations

import asyncio
import math
import os
import time
from datetime import UTC, datetime, timedelta

DEFAULT_INSTANT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 12:00 in Mikkeli (summer time)
# Instants a test pins when its outcome depends on the time of day (residents' quiet hours are
# 21–08 by default): these hold whatever FOORUMI_TEST_CLOCK says.
MIDDAY = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 12:00 in Mikkeli
NIGHT = datetime(2026, 6, 15, 20, 30, tzinfo=UTC)  # 23:30 in Mikkeli


def test_instant() -> datetime:
    """The instant the tests' clocks start at (FOORUMI_TEST_CLOCK, an ISO 8601 time with offset)."""
    configured = os.environ.get("FOORUMI_TEST_CLOCK")
    if not configured:
        return DEFAULT_INSTANT
    instant = datetime.fromisoformat(configured)
    if instant.tzinfo is None:
        raise ValueError("FOORUMI_TEST_CLOCK needs a UTC offset, e.g. 2026-10-25T03:30+02:00")
    return instant.astimezone(UTC)


class FakeClock:
    """Time moves only when a test (or a sleeper) moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or test_instant()
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    async def sleep(self, seconds: float) -> None:
        """Sleeping advances time at once, so code that waits runs instantly and exactly."""
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            # Weeks into a test, a wait shorter than the float's resolution at that many seconds
            # would leave the clock where it was, and whoever waits for it would wait forever.
            self._elapsed = max(self._elapsed + seconds, math.nextafter(self._elapsed, math.inf))


class RunningClock:
    """Real seconds passing from a chosen instant: for the bot under end-to-end tests over HTTP,
    which waits on real sockets, while its wall clock (quiet hours, schedules) is the test's."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or test_instant()
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
