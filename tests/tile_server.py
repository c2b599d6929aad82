"""Tiles for the tile tests: a real HTTP tile server on 127.0.0.1 (no request leaves the
machine), and MBTiles files as other tools write them.

The server answers ``/{z}/{x}/{y}.png`` with a small PNG proper to that tile, records every
request (arrival time, path, User-Agent), can answer slowly (``delay``), and can be told to
answer a path with given statuses first (``script``).
"""

from __future__ import annotations

import re
import socket
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from companion.maps.tiles import TileSource

TILE_PATH = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")


def png_tile(z: int, x: int, y: int) -> bytes:
    """A valid 1x1 PNG whose colour and text chunk say which tile it is."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, z * 10 % 256, x % 256, y % 256]))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", f"tile\x00{z}/{x}/{y}".encode())
        + chunk(b"IDAT", pixel)
        + chunk(b"IEND", b"")
    )


@dataclass
class Seen:
    at: float  # time.monotonic() on arrival
    path: str
    user_agent: str | None


@dataclass
class TileServer:
    delay: float = 0.0  # seconds before each answer
    script: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    max_in_flight: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server._answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(
                Seen(time.monotonic(), handler.path, handler.headers.get("User-Agent"))
            )
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            scripted = self.script.get(handler.path)
            status, headers = scripted.pop(0) if scripted else (200, {})
        try:
            if self.delay:
                time.sleep(self.delay)  # the server being slow, not the test waiting
            match = TILE_PATH.match(handler.path)
            if status == 200 and not match:
                status = 404
            body = png_tile(*map(int, match.groups())) if status == 200 and match else b""
        finally:
            # Done before the answer leaves: once the client has it, it may send the next
            # request at once, and this one must no longer count as in flight.
            with self._lock:
                self._in_flight -= 1
        handler.send_response(status)
        for name, value in {"Content-Type": "image/png", **headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def source(self, **changes: object) -> TileSource:
        """A source on this server whose terms allow bulk download (unless changed)."""
        values: dict[str, object] = {
            "id": "test",
            "name": "Serveur de test",
            "url": self.url + "/{z}/{x}/{y}.png",
            "attribution": "© test",
            "bulk_download_allowed": True,
        }
        values.update(changes)
        return TileSource(**values)  # type: ignore[arg-type]

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def stop(self) -> None:
        """Stop answering: the port then refuses connections, like a machine offline."""
        if not self._thread.is_alive():
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def free_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def running_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[TileServer]:
    """Body of each module's ``server`` fixture: a server for one test, stopped after it."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")  # a proxy must not see 127.0.0.1
    server = TileServer()
    yield server
    server.stop()


def make_mbtiles(path: Path, metadata: dict[str, str], tiles: dict[tuple[int, int, int], bytes]):
    """An MBTiles file as another tool would write it: rows bottom-up (TMS), WAL mode."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data BLOB)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", metadata.items())
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, 2**z - 1 - y, data) for (z, x, y), data in tiles.items()],
        )
    return path
