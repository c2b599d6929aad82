"""Polite network access: a token bucket (at most ``rate`` requests a second), at most
``max_concurrent`` requests at once, and a pause that a server's Retry-After imposes on everyone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class RateLimiter:
    """Shared by every request of one fetcher (viewing and area downloads alike)."""

    def __init__(
        self,
        rate: float,
        max_concurrent: int = 2,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or max_concurrent < 1 or burst < 1:
            raise ValueError("rate, max_concurrent and burst must be positive")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429 or 503 answer's Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        with self._lock:
            return max(0.0, self._paused_until - self._clock())

    def _take_token(self) -> float:
        """Take a token and return 0, or return how long to wait before trying again."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate

    @contextmanager
    def request(self, cancel: threading.Event | None = None) -> Iterator[bool]:
        """Hold a request slot for the ``with`` body; yields False if cancelled while waiting."""
        with self._slots:
            while (wait := self._take_token()) > 0:
                # Event.wait returns early when cancelled: a cancel never waits out a pause.
                if cancel is not None and cancel.wait(wait):
                    break
                if cancel is None:
                    time.sleep(wait)
            yield not (cancel is not None and cancel.is_set())
