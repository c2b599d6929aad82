"""What the hub accepts: request size, and how fast a member may push (token bucket)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from companion.protocol.messages import MAX_BATCH_CHANGES, MAX_REQUEST_BYTES


@dataclass(frozen=True)
class Limits:
    max_request_bytes: int = MAX_REQUEST_BYTES
    # A laptop back online pushes its outbox in a burst of batches (a large
    # import: a few dozen), then rarely; a client that ignores Retry-After
    # is held to push_rate batches a second.
    push_burst: int = 60
    push_rate: float = 2.0
    max_pull: int = 4 * MAX_BATCH_CHANGES


class TokenBuckets:
    """One bucket per key (a member id); ``take`` answers how long to wait, 0 if allowed."""

    def __init__(
        self, capacity: int, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = float(capacity)
        self.rate = rate
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate if self.rate > 0 else float("inf")


class BodyTooLarge(Exception):
    """The request body went past the limit while it was read."""


class BodyLimit:
    """Refuse bodies over ``limit`` bytes: by Content-Length at once, else while streaming.

    A body read past the limit raises ``BodyTooLarge`` inside the endpoint; the
    app's exception handler answers 413.
    """

    def __init__(self, app: ASGIApp, limit: int, refuse: Callable[[], ASGIApp]) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self.refuse()(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)
