"""Sync hub under load: 50 clients pushing and pulling at once over loopback HTTP.

The hub runs as ``companion-hub serve`` in its own process (SQLite by default,
``--database-url`` for PostgreSQL) with the rate limit lifted, so the figures
are the hub's capacity. Each client is a member with its own token; it loops
for ``--seconds``: push a batch (``--records`` new actors of 10 fields), then
pull the next page of the feed from its cursor. Reported: requests and changes
per second, push and pull latency (p50, p95), errors. Baseline: the same
clients calling ``GET /v1/status`` (token check and one read, no write).

    python -m benchmarks sync --seconds 10 [--clients 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import emit, summary
from companion.hub.storage import HubStore
from companion.hub.wire import push_request_to_json
from companion.sync.hlc import Clock
from companion.sync.protocol import PROTOCOL, PROTOCOL_HEADER, Change, PushRequest

PULL_LIMIT = 1000


@dataclass
class Figures:
    push_ms: list[float] = field(default_factory=list)
    pull_ms: list[float] = field(default_factory=list)
    status_ms: list[float] = field(default_factory=list)
    pushed: int = 0
    pulled: int = 0
    errors: int = 0
    rate_limited: int = 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sync")
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration (60)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--records", type=int, default=5, help="new actors per push (5)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL instead of SQLite")
    return parser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _actor(member_id: str, clock: Clock, number: int) -> list[Change]:
    record_id, when = str(uuid.uuid4()), str(clock.now())
    fields = {
        "owner": member_id, "visibility": "network", "created_at": "2026-01-01T00:00:00Z",
        "deleted": 0, "name": f"Association {number}", "kind": "association",
        "description": "Tiers-lieu et jardin partagé, ateliers du samedi.",
        "insee_code": "94033", "commune": "Fontenay-sous-Bois", "postcode": "94120",
    }  # fmt: skip
    return [Change("actors", record_id, name, value, when) for name, value in fields.items()]


class _Connection:
    """A minimal HTTP/1.1 keep-alive client: at 50 concurrent connections httpx's
    async client, not the hub, would be what this benchmark measures."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = (
            f"Host: 127.0.0.1\r\n{PROTOCOL_HEADER}: {PROTOCOL}\r\nAuthorization: Bearer {token}\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        extra = f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n" if data else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode() + data)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in head[1:] if ": " in line)
        content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            self.writer.close()
            self.writer = None
        return int(head[0].split()[1]), json.loads(content) if content else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _client(
    port: int, token: str, member_id: str, deadline: float, records: int, figures: Figures
) -> None:
    connection = _Connection(port, token)
    clock = Clock(f"bench-{member_id[:8]}")
    cursor, number = 0, 0
    while time.perf_counter() < deadline:
        changes = [c for _ in range(records) for c in _actor(member_id, clock, number)]
        number += records
        request = PushRequest(clock.site, str(uuid.uuid4()), changes)
        start = time.perf_counter()
        status, body = await connection.request("POST", "/v1/push", push_request_to_json(request))
        figures.push_ms.append((time.perf_counter() - start) * 1000)
        if status == 200:
            figures.pushed += body["accepted"]
        else:
            figures.rate_limited += status == 429
            figures.errors += status != 429
        start = time.perf_counter()
        status, body = await connection.request(
            "GET", f"/v1/pull?since={cursor}&limit={PULL_LIMIT}"
        )
        figures.pull_ms.append((time.perf_counter() - start) * 1000)
        if status == 200:
            cursor = body["next"]
            figures.pulled += len(body["changes"])
        else:
            figures.errors += 1
    connection.close()


async def _status_client(port: int, token: str, deadline: float, figures: Figures) -> None:
    connection = _Connection(port, token)
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        status, _body = await connection.request("GET", "/v1/status")
        figures.status_ms.append((time.perf_counter() - start) * 1000)
        figures.errors += status != 200
    connection.close()


async def _load(port: int, members: list[tuple[str, str]], seconds: float, records: int):
    baseline = Figures()
    deadline = time.perf_counter() + max(2.0, seconds / 6)
    await asyncio.gather(*(_status_client(port, t, deadline, baseline) for _m, t in members))
    figures = Figures()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(_client(port, token, member, deadline, records, figures) for member, token in members)
    )
    return baseline, figures, time.perf_counter() - start


def _wait_until_up(url: str, token: str, process: subprocess.Popen) -> None:
    headers = {PROTOCOL_HEADER: str(PROTOCOL), "Authorization": f"Bearer {token}"}
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise RuntimeError("companion-hub serve exited")
        try:
            if httpx.get(f"{url}/v1/status", headers=headers, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("companion-hub serve did not answer within 30 s")


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv or [])
    with tempfile.TemporaryDirectory(prefix="companion-hub-bench-") as folder:
        data = Path(folder)
        store = HubStore.open(data, args.database_url)
        engine = store.engine
        members = []
        for n in range(args.clients):
            member, token = store.add_member(f"bench-{uuid.uuid4().hex[:8]}-{n}", "member")
            members.append((member.id, token))
        store.close()
        port = _free_port()
        command = [
            sys.executable, "-m", "companion.hub.cli", "serve", "--data", str(data),
            "--port", str(port), "--push-rate", "100000", "--push-burst", "100000",
            "--log-level", "warning",
        ]  # fmt: skip
        if args.database_url:
            command += ["--database-url", args.database_url]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, members[0][1], process)
            baseline, figures, elapsed = asyncio.run(
                _load(port, members, args.seconds, args.records)
            )
        finally:
            process.terminate()
            process.wait(30)
    requests = len(figures.push_ms) + len(figures.pull_ms)
    emit({
        "bench": "sync_hub", "engine": engine, "clients": args.clients,
        "seconds": round(elapsed, 1), "changes_per_push": args.records * 10,
        "pushes": len(figures.push_ms), "pulls": len(figures.pull_ms),
        "requests_per_s": round(requests / elapsed, 1),
        "changes_pushed_per_s": round(figures.pushed / elapsed),
        "changes_pulled_per_s": round(figures.pulled / elapsed),
        **summary(figures.push_ms, "push_"), **summary(figures.pull_ms, "pull_"),
        "errors": figures.errors + baseline.errors, "rate_limited": figures.rate_limited,
        "baseline_status_requests_per_s": round(
            len(baseline.status_ms) / max(2.0, args.seconds / 6), 1
        ),
        **summary(baseline.status_ms, "baseline_status_"),
    })  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
