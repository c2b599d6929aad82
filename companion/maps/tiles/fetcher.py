"""Getting one tile: from the cache first; from the network only when online tiles are enabled.

Offline (connection refused, DNS failure, timeout) is the normal case, not an error: ``get``
returns None and the map shows what is cached. After such a failure the network is left alone
for ``offline_backoff`` seconds so that a map full of missing tiles does not queue hundreds of
doomed requests. A 429 or 503 answer pauses every request for its Retry-After, then the tile is
asked again (``max_retries`` times at most); during a pause longer than ``MAX_RETRY_AFTER``
tiles are not waited for: ``get`` answers from the cache only. One fetcher has one rate limit
and one offline state for all its sources (in practice one online source is in use at a time).
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import threading
import time
import urllib.error
import urllib.request

from companion import __version__
from companion.maps.tiles.cache import TileCache
from companion.maps.tiles.ratelimit import RateLimiter
from companion.maps.tiles.sources import TileSource
from companion.maps.tiles.tilemath import is_valid_tile

log = logging.getLogger(__name__)

BULK_RATE = 2.0  # requests per second
MAX_CONCURRENT = 2
TIMEOUT = 10.0  # seconds, per request
DEFAULT_RETRY_AFTER = 10.0  # seconds, when a 429/503 answer does not say
MAX_RETRY_AFTER = 60.0  # a longer pause is honoured, but the tile is not waited for


def user_agent(contact: str | None = None) -> str:
    """``Companion/<version> (+<contact>)``: tile servers want to know who is asking."""
    return f"Companion/{__version__} (+{contact})" if contact else f"Companion/{__version__}"


class TileFetcher:
    """Tiles for the map and for area downloads, shared by every thread that needs them."""

    def __init__(
        self,
        cache: TileCache,
        *,
        online: bool = False,
        contact: str | None = None,
        rate: float = BULK_RATE,
        max_concurrent: int = MAX_CONCURRENT,
        timeout: float = TIMEOUT,
        max_retries: int = 2,
        offline_backoff: float = 30.0,
    ) -> None:
        self.cache = cache
        self.online = online  # online basemaps are off unless the user turns them on
        self.user_agent = user_agent(contact)
        self.limiter = RateLimiter(rate, max_concurrent)
        self.timeout = timeout
        self.max_retries = max_retries
        self.offline_backoff = offline_backoff
        self._offline_until = 0.0

    @property
    def offline(self) -> bool:
        """Whether the last request found the network unreachable (within the back-off)."""
        return time.monotonic() < self._offline_until

    @property
    def unavailable(self) -> bool:
        """Offline, or told by a server to wait longer than is worth waiting for a tile."""
        return self.offline or self.limiter.paused_for() > MAX_RETRY_AFTER

    def get(
        self,
        source: TileSource,
        z: int,
        x: int,
        y: int,
        cancel: threading.Event | None = None,
    ) -> bytes | None:
        """The tile from the cache, else (online only) from the network, then cached."""
        if not is_valid_tile(z, x, y):
            return None
        tile = self.cache.get(source, z, x, y)
        if tile is not None or source.read_only or not self.online:
            return tile
        tile = self.fetch(source, z, x, y, cancel)
        if tile is not None:
            self.cache.put(source, z, x, y, tile)
        return tile

    def fetch(
        self,
        source: TileSource,
        z: int,
        x: int,
        y: int,
        cancel: threading.Event | None = None,
    ) -> bytes | None:
        """Ask the server for one tile (no cache); None when offline, refused or cancelled."""
        if source.url is None or not source.min_zoom <= z <= source.max_zoom:
            return None
        url = source.tile_url(z, x, y)
        for _attempt in range(self.max_retries + 1):
            if self.unavailable:
                return None
            with self.limiter.request(cancel) as allowed:
                if not allowed:
                    return None
                status, body, retry_after = self._request(url)
            if status == 200 and body:
                return body
            if status in (429, 503):
                delay = DEFAULT_RETRY_AFTER if retry_after is None else retry_after
                log.info("%s answered %s: pausing %.0f s", url, status, delay)
                self.limiter.pause(delay)
                continue
            return None  # offline, 404 (no tile there) or another refusal
        return None

    def _request(self, url: str) -> tuple[int | None, bytes | None, float | None]:
        """(status, body, Retry-After seconds); status None when the network is unreachable."""
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if response.headers.get_content_maintype() == "text":
                    # a hotel or station Wi-Fi login page answering 200: not a tile to keep
                    return response.status, None, None
                return response.status, response.read(), None
        except urllib.error.HTTPError as error:
            retry_after = parse_retry_after(error.headers.get("Retry-After"))
            error.close()
            return error.code, None, retry_after
        # refused, DNS failure, timeout, connection reset, truncated answer
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            log.info("tile server unreachable (%s), offline for a while", error)
            self._offline_until = time.monotonic() + self.offline_backoff
            return None, None, None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
