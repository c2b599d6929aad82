"""Hybrid logical clocks: timestamps that order edits across laptops whose clocks disagree.

A timestamp is ``(wall_ms, counter, site)``, written as one string that sorts
the same way (``"0001764333000000-00000-<site>"``), so SQL can compare them.
``wall_ms`` follows the local clock corrected by the offset learned from the
hub (so a laptop whose clock is days off still stamps sensible times); the
counter orders edits within one millisecond; the site id breaks exact ties.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

WALL_DIGITS = 16
COUNTER_DIGITS = 5
MAX_COUNTER = 10**COUNTER_DIGITS - 1
MAX_DRIFT_MS = 60 * 60 * 1000  # a remote stamp further ahead than this is refused


class ClockDrift(ValueError):
    """A timestamp from too far in the future: its sender's clock is wrong."""


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    site: str

    def __str__(self) -> str:
        return f"{self.wall_ms:0{WALL_DIGITS}d}-{self.counter:0{COUNTER_DIGITS}d}-{self.site}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        wall, counter, site = text.split("-", 2)
        if len(wall) != WALL_DIGITS or len(counter) != COUNTER_DIGITS or not site:
            raise ValueError(f"not a timestamp: {text!r}")
        return cls(int(wall), int(counter), site)


def physical_ms() -> int:
    return time.time_ns() // 1_000_000


class Clock:
    """One site's clock. Not thread-safe: one per store connection."""

    def __init__(self, site: str, offset_ms: int = 0, last: Timestamp | None = None) -> None:
        self.site = site
        self.offset_ms = offset_ms  # hub time minus local time, learned at each sync
        self.last = last or Timestamp(0, 0, site)

    def now(self) -> Timestamp:
        """A timestamp later than every one this clock issued or received."""
        wall = physical_ms() + self.offset_ms
        if wall > self.last.wall_ms:
            stamp = Timestamp(wall, 0, self.site)
        elif self.last.counter < MAX_COUNTER:
            stamp = Timestamp(self.last.wall_ms, self.last.counter + 1, self.site)
        else:  # the counter would outgrow its digits (and the text order): borrow a ms
            stamp = Timestamp(self.last.wall_ms + 1, 0, self.site)
        self.last = stamp
        return stamp

    def receive(self, remote: Timestamp, reference_ms: int | None = None) -> None:
        """Move past a remote timestamp; refuse one beyond the drift limit."""
        reference = physical_ms() + self.offset_ms if reference_ms is None else reference_ms
        if remote.wall_ms > reference + MAX_DRIFT_MS:
            raise ClockDrift(str(remote))
        if remote > self.last:
            self.last = Timestamp(remote.wall_ms, remote.counter, self.site)
