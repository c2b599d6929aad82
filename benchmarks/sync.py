"""Sync hub under load: 50 clients pushing and pulling at once over loopback HTTP.

The hub runs as ``companion-hub serve`` in its own process (SQLite by default,
``--database-url`` for PostgreSQL) with the rate limit lifted, so the figures
are the hub's capacity. Each client is a member with its own token; it loops
for ``--seconds``: push a batch (``--records`` new actors of 10 fields), then
pull the next page of the feed from its cursor. Reported: requests and changes
per second, push and pull latency (p50, p95), errors. Baseline: the same
clients calling ``GET /v1/status`` (token check and one read, no write).

Client side (``--part client``): one laptop creates ``--actors`` network actors
(realistic fields, a few tags) and pushes them ("first push"); a new laptop
then syncs them ("initial"), the first changes 1 % of them (one or two fields)
and pushes, the new one syncs again ("incremental"), then once more with
nothing to do ("noop"). Times are whole ``SyncClient.sync()`` calls; bytes are
counted on the wire (status/request lines, headers, bodies) by a transport
wrapper. Baseline in the same run: a full export of the same data, as the hub
serves it to a new laptop (every ``/v1/pull`` page from ``since=0``), and the
size of ``companion export --format geojson`` of the first laptop. Targets:
initial <= 5 s, incremental <= 1 s and <= 3 % of the full export's bytes, noop
<= 100 ms.

Hub runs: SQLite with one process, then PostgreSQL with one and with two worker
processes (``--workers``) on a throwaway cluster the benchmark starts (when PostgreSQL
is installed; ``--database-url`` uses an existing database instead).

    python -m benchmarks sync --seconds 10 [--clients 50] [--database-url URL]
    python -m benchmarks sync --part hub --engines postgresql --workers 1,2,4
    python -m benchmarks sync --part client [--actors 20000] [--profile]
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
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import emit, summary
from companion.hub.storage import HubStore
from companion.hub.wire import push_request_to_json
from companion.protocol.hlc import Clock
from companion.protocol.messages import PROTOCOL, PROTOCOL_HEADER, Change, PushRequest

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
    parser.add_argument("--database-url", default=None, help="an existing PostgreSQL database")
    parser.add_argument(
        "--engines", default="sqlite,postgresql",
        help="hub part: engines to load, comma-separated (sqlite,postgresql)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", default="1,2", help="hub part on PostgreSQL: worker counts (1,2)"
    )
    parser.add_argument(
        "--part", choices=("all", "hub", "client"), default="all",
        help="hub load, client figures, or both (all)",
    )  # fmt: skip
    parser.add_argument("--actors", type=int, default=20_000, help="client part: actors (20000)")
    parser.add_argument(
        "--profile", action="store_true", help="client part: cProfile the initial sync"
    )
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
    engines = args.engines.split(",")
    with ExitStack() as stack:
        new_database = None
        if args.database_url:
            new_database = lambda: args.database_url  # noqa: E731
        elif "postgresql" in engines and args.part in ("all", "hub"):
            new_database = stack.enter_context(_throwaway_postgres())
        if args.part in ("all", "hub"):
            if "sqlite" in engines and not args.database_url:
                _hub_load(args, None, 1)
            if new_database:
                for workers in (int(n) for n in args.workers.split(",")):
                    _hub_load(args, new_database(), workers)
        if args.part in ("all", "client"):
            client_figures(args.actors, args.database_url, args.profile)


@contextmanager
def _throwaway_postgres() -> Iterator[Callable[[], str] | None]:
    """New databases on a PostgreSQL cluster made for this run (the tests' helper), or
    None when PostgreSQL is not installed (its figures are then left out, with a note)."""
    from tests.hub.helpers import Cluster, Unavailable, postgres_bin

    bin_dir = postgres_bin()
    if bin_dir is None:
        print("sync: PostgreSQL not installed, its figures are left out", file=sys.stderr)
        yield None
        return
    try:
        cluster = Cluster.start(bin_dir)
    except Unavailable as problem:
        print(f"sync: PostgreSQL cannot run here ({problem})", file=sys.stderr)
        yield None
        return
    try:
        yield lambda: cluster.url(cluster.new_database())
    finally:
        cluster.stop()


def _start_hub(
    data: Path, database_url: str | None, workers: int = 1
) -> tuple[subprocess.Popen, str]:
    """``companion-hub serve`` on a free loopback port, rate limit lifted."""
    port = _free_port()
    command = [
        sys.executable, "-m", "companion.hub.cli", "serve", "--data", str(data),
        "--port", str(port), "--push-rate", "100000", "--push-burst", "100000",
        "--log-level", "warning", "--workers", str(workers),
    ]  # fmt: skip
    if database_url:
        command += ["--database-url", database_url]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL), f"http://127.0.0.1:{port}"


def _hub_load(args: argparse.Namespace, database_url: str | None, workers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="companion-hub-bench-") as folder:
        data = Path(folder)
        store = HubStore.open(data, database_url)
        engine = store.engine
        members = []
        for n in range(args.clients):
            member, token = store.add_member(f"bench-{uuid.uuid4().hex[:8]}-{n}", "member")
            members.append((member.id, token))
        store.close()
        process, url = _start_hub(data, database_url, workers)
        port = int(url.rsplit(":", 1)[1])
        try:
            _wait_until_up(url, members[0][1], process)
            baseline, figures, elapsed = asyncio.run(
                _load(port, members, args.seconds, args.records)
            )
        finally:
            process.terminate()
            process.wait(30)
        # Nothing lost: every change the hub acknowledged (each a field of a new record) is
        # in its store once the server stopped.
        store = HubStore.open(data, database_url)
        with store.backend.transaction() as tx:
            stored = int(tx.one("SELECT count(*) FROM field_state")[0])
        store.close()
    requests = len(figures.push_ms) + len(figures.pull_ms)
    emit({
        "bench": "sync_hub", "engine": engine, "workers": workers, "clients": args.clients,
        "seconds": round(elapsed, 1), "changes_per_push": args.records * 10,
        "pushes": len(figures.push_ms), "pulls": len(figures.pull_ms),
        "requests_per_s": round(requests / elapsed, 1),
        "changes_pushed_per_s": round(figures.pushed / elapsed),
        "changes_pulled_per_s": round(figures.pulled / elapsed),
        **summary(figures.push_ms, "push_"), **summary(figures.pull_ms, "pull_"),
        "errors": figures.errors + baseline.errors, "rate_limited": figures.rate_limited,
        "acknowledged_changes": figures.pushed, "stored_changes": stored,
        "lost": figures.pushed - stored,
        "baseline_status_requests_per_s": round(
            len(baseline.status_ms) / max(2.0, args.seconds / 6), 1
        ),
        **summary(baseline.status_ms, "baseline_status_"),
    })  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])


# -- client side: initial and incremental sync of a new laptop -----------------------------

COMMUNES = [
    ("94033", "Fontenay-sous-Bois", "94", "94120", 48.851, 2.477),
    ("69123", "Lyon", "69", "69001", 45.764, 4.836),
    ("13055", "Marseille", "13", "13001", 43.296, 5.370),
    ("35238", "Rennes", "35", "35000", 48.117, -1.678),
    ("59350", "Lille", "59", "59000", 50.629, 3.057),
    ("33063", "Bordeaux", "33", "33000", 44.838, -0.579),
]
KINDS = ["association", "entreprise", "collectivite", "fondation", "collectif", "reseau"]


class _Wire(httpx.BaseTransport):
    """The loopback HTTP transport, counting bytes both ways (lines, headers, bodies)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent = 0
        self.received = 0
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.sent += len(request.method) + len(request.url.raw_path) + 12
        self.sent += sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + 2
        self.sent += len(request.read())
        response = self.inner.handle_request(request)
        body = response.read()
        response.close()
        self.received += 17 + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2
        self.received += len(body)
        return httpx.Response(
            response.status_code, headers=response.headers, content=body,
            extensions=response.extensions,
        )  # fmt: skip

    def take(self) -> tuple[int, int, int]:
        counts = (self.sent, self.received, self.requests)
        self.sent = self.received = self.requests = 0
        return counts

    def close(self) -> None:
        self.inner.close()


def _seed_actors(store: Any, count: int, owner: str) -> list[str]:
    """``count`` network actors with realistic fields, a fifth of them with one or two tags."""
    import random

    from companion.store.records import new_id, now_iso
    from companion.text import fold

    rng = random.Random(7)
    for n in range(20):
        store.tag_actor(store.add_actor(f"Graine {n}", "autre").id, f"Thème {n}")
    tag_ids = [row[0] for row in store.conn.execute("SELECT id FROM tags")]
    now = now_iso()
    rows, links = [], []
    for n in range(count):
        insee, commune, dep, postcode, lat, lon = rng.choice(COMMUNES)
        name = f"{rng.choice(['Association', 'Collectif', 'Coopérative', 'Atelier'])} {n:05d}"
        record_id = new_id()
        rows.append({
            "id": record_id, "name": name, "sort_name": fold(name), "kind": rng.choice(KINDS),
            "description": "Tiers-lieu, jardin partagé et ateliers du samedi ; accueil des "
                           "habitants et des associations du quartier.",
            "insee_code": insee, "commune": commune, "departement": dep, "postcode": postcode,
            "address": f"{rng.randint(1, 120)} rue de la République",
            "latitude": round(lat + rng.uniform(-0.05, 0.05), 6),
            "longitude": round(lon + rng.uniform(-0.05, 0.05), 6),
            "website": f"https://acteur-{n}.example.org",
            "email": f"contact@acteur-{n}.example.org",
            "phone": f"+3314{rng.randint(1000000, 9999999)}",
            "owner": owner, "visibility": "network", "created_at": now, "updated_at": now,
            "deleted": 0,
        })  # fmt: skip
        if n % 5 == 0:
            for tag_id in rng.sample(tag_ids, rng.randint(1, 2)):
                links.append({"actor_id": record_id, "tag_id": tag_id})
    store.bulk_insert("actors", rows)
    store.bulk_insert("actor_tags", links)
    return [row["id"] for row in rows]


def _timed_sync(client: Any, wire: _Wire, profile: bool = False) -> tuple[float, Any, tuple]:
    wire.take()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    report = client.sync()
    elapsed = time.perf_counter() - start
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)
    return elapsed, report, wire.take()


def _full_export_bytes(url: str, token: str) -> tuple[int, int]:
    """Every ``/v1/pull`` page from ``since=0`` (the hub's full export): wire bytes, pages."""
    from companion.sync.client import PULL_LIMIT

    wire = _Wire()
    headers = {PROTOCOL_HEADER: str(PROTOCOL), "Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, transport=wire, headers=headers, timeout=60) as client:
        since, pages = 0, 0
        while True:
            params = {"since": since, "limit": PULL_LIMIT, "format": "records"}  # as clients
            page = client.get("/v1/pull", params=params).json()
            pages += 1
            since = page["next"]
            if not page["more"]:
                break
    total = wire.sent + wire.received
    wire.close()
    return total, pages


def client_figures(actors: int, database_url: str | None, profile: bool) -> None:
    from companion.io.geojson_io import export_geojson
    from companion.store import Store
    from companion.sync.client import SyncClient

    with tempfile.TemporaryDirectory(prefix="companion-sync-client-bench-") as folder:
        data = Path(folder)
        hub = HubStore.open(data / "hub", database_url)
        engine = hub.engine
        _alice, alice_token = hub.add_member("Alice", "member")
        _bob, bob_token = hub.add_member("Bob", "member")
        hub.close()
        for name in ("premier", "nouveau"):
            (data / name).mkdir()
        first = Store.open(data / "premier" / "companion.db")
        new = Store.open(data / "nouveau" / "companion.db")
        wires = [_Wire(), _Wire()]
        process, url = _start_hub(data / "hub", database_url)
        try:
            _wait_until_up(url, alice_token, process)
            SyncClient(first, url, alice_token, transport=wires[0]).sync()  # learn the member id
            start = time.perf_counter()
            ids = _seed_actors(first, actors, first.member_id)
            create_s = time.perf_counter() - start
            pusher = SyncClient(first, url, alice_token, transport=wires[0])
            push_s, push_report, (push_sent, _r, push_requests) = _timed_sync(pusher, wires[0])

            puller = SyncClient(new, url, bob_token, transport=wires[1])
            initial_s, initial, (i_sent, i_received, i_requests) = _timed_sync(
                puller, wires[1], profile
            )
            assert new.counts()["actors"] >= actors, new.counts()

            changed = ids[:: max(1, len(ids) // (actors // 100))][: actors // 100]
            with first.db.atomic():
                for n, record_id in enumerate(changed):
                    fields = {"phone": f"+33199{n:06d}"}
                    if n % 2:
                        fields["description"] = f"Nouvelle description {n}."
                    first.conn.execute(
                        "UPDATE actors SET " + ", ".join(f"{k} = ?" for k in fields)
                        + " WHERE id = ?", [*fields.values(), record_id],
                    )  # fmt: skip
            _s, change_push, _c = _timed_sync(pusher, wires[0])
            incr_s, incremental, (n_sent, n_received, n_requests) = _timed_sync(puller, wires[1])
            assert new.get_actor(changed[1]).description == "Nouvelle description 1."
            noop_s, noop, (z_sent, z_received, z_requests) = _timed_sync(puller, wires[1])

            full_bytes, full_pages = _full_export_bytes(url, bob_token)
            geojson = data / "export.geojson"
            export_geojson(first, geojson)
            geojson_bytes = geojson.stat().st_size
        finally:
            first.close()
            new.close()
            for wire in wires:
                wire.close()
            process.terminate()
            process.wait(30)
    incremental_bytes = n_sent + n_received
    emit({
        "bench": "sync_client", "engine": engine, "actors": actors,
        "changes_pushed": push_report.pushed, "seed_create_s": round(create_s, 2),
        "first_push_s": round(push_s, 2), "first_push_requests": push_requests,
        "first_push_bytes_sent": push_sent,
        "initial_s": round(initial_s, 2), "initial_pulled": initial.pulled,
        "initial_requests": i_requests, "initial_bytes": i_sent + i_received,
        "incremental_changed_actors": len(changed), "incremental_pushed": change_push.pushed,
        "incremental_s": round(incr_s, 3), "incremental_pulled": incremental.pulled,
        "incremental_requests": n_requests, "incremental_bytes": incremental_bytes,
        "noop_ms": round(noop_s * 1000, 1), "noop_requests": z_requests,
        "noop_bytes": z_sent + z_received, "noop_pulled": noop.pulled,
        "baseline_full_pull_bytes": full_bytes, "baseline_full_pull_pages": full_pages,
        "baseline_geojson_export_bytes": geojson_bytes,
        "incremental_vs_full_pull_pct": round(100 * incremental_bytes / full_bytes, 2),
        "targets_met": {
            "initial_le_5s": initial_s <= 5, "incremental_le_1s": incr_s <= 1,
            "incremental_le_3pct": incremental_bytes <= 0.03 * full_bytes,
            "noop_le_100ms": noop_s <= 0.1,
        },
    })  # fmt: skip
