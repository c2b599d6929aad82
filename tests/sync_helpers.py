"""Helpers of the sync tests: the outbox as fields, and a minimal hub behind httpx."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from keyring.backend import KeyringBackend

from companion.hub import wire
from companion.protocol.hlc import physical_ms
from companion.protocol.messages import PROTOCOL, PROTOCOL_HEADER, Change
from companion.sync import outbox


def prepare(store) -> None:
    store.conn.execute("BEGIN IMMEDIATE")
    outbox.prepare(store.conn)
    store.conn.execute("COMMIT")


def queued(store) -> set[tuple[str, str, str]]:
    """(table, id, field) of every change the next push would send."""
    prepare(store)
    rows = store.conn.execute("SELECT tbl, id, field FROM sync_outbox").fetchall()
    found = set()
    for table, record_id, name in rows:
        for change in outbox.record_changes(store.conn, table, record_id, name):
            found.add((change.table, change.id, change.field))
    return found


def fields_of(store, table: str, record_id: str) -> set[str]:
    return {f for t, i, f in queued(store) if (t, i) == (table, record_id)}


def pushed(store) -> list[Change]:
    """Everything queued, as changes, then the outbox emptied (as after a push)."""
    prepare(store)
    changes: dict[tuple[str, str, str], Change] = {}
    for table, record_id, name, base in store.conn.execute(
        "SELECT tbl, id, field, base FROM sync_outbox ORDER BY n"
    ).fetchall():
        for change in outbox.record_changes(store.conn, table, record_id, name, base):
            changes[(change.table, change.id, change.field)] = change
    store.conn.execute("DELETE FROM sync_outbox")
    return list(changes.values())


@dataclass
class FakeHub:
    """The protocol, minimally: last writer wins per field, a feed by sequence number."""

    epoch: str = field(default_factory=lambda: str(uuid.uuid4()))
    member: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: dict[tuple[str, str, str], tuple[Any, str, int]] = field(default_factory=dict)
    seq: int = 0
    batches: dict[str, dict] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    token: str = "jeton-de-test"
    failures: list[Any] = field(default_factory=list)  # answers to give first (status or exc)
    clock_ms: int | None = None
    rejected_fields: set[str] = field(default_factory=set)

    def now(self) -> int:
        return self.clock_ms if self.clock_ms is not None else physical_ms()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            status, headers = failure if isinstance(failure, tuple) else (failure, {})
            return httpx.Response(status, headers=headers, json={"message": "panne simulée"})
        if request.headers.get(PROTOCOL_HEADER) != str(PROTOCOL):
            return httpx.Response(426, json={"message": "version"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"message": "jeton inconnu"})
        if request.url.path == "/v1/status":
            return httpx.Response(200, json={
                "protocol": PROTOCOL, "epoch": self.epoch, "hub_seq": self.seq,
                "server_time_ms": self.now(),
                "member": {"id": self.member, "name": "Test", "role": "member"},
            })  # fmt: skip
        if request.url.path == "/v1/push":
            return httpx.Response(200, json=self.push(json.loads(request.content)))
        if request.url.path == "/v1/pull":
            since = int(request.url.params["since"])
            limit = int(request.url.params["limit"])
            if request.url.params.get("format") == "records":  # as the real hub writes it
                page = self.pull(since, limit)
                rows = [(c["table"], c["id"], c["field"], json.dumps(c["value"]), c["hlc"],
                         c["seq"]) for c in page["changes"]]  # fmt: skip
                text = wire.pull_page_to_json_text(
                    wire.PullPage(rows, page["next"], page["more"], page["epoch"]),
                    page["server_time_ms"], grouped=True,
                )  # fmt: skip
                return httpx.Response(200, text=text)
            return httpx.Response(200, json=self.pull(since, limit))
        if request.url.path == "/v1/toolbox/manifest":
            return httpx.Response(
                200, json={"items": [], "epoch": self.epoch, "server_time_ms": self.now()}
            )
        return httpx.Response(404, json={"message": "inconnu"})

    def push(self, body: dict) -> dict:
        if body["batch_id"] in self.batches:
            return self.batches[body["batch_id"]]
        superseded, rejected, accepted = [], [], 0
        for raw in body["changes"]:
            change = Change.from_json(raw)
            key = (change.table, change.id, change.field)
            if change.field in self.rejected_fields:
                rejected.append({**{k: raw[k] for k in ("table", "id", "field")},
                                 "reason": "forbidden"})  # fmt: skip
                continue
            current = self.state.get(key)
            if current is not None and change.hlc <= current[1]:
                if change.hlc < current[1]:
                    superseded.append(
                        {"table": key[0], "id": key[1], "field": key[2],
                         "value": current[0], "hlc": current[1]}
                    )  # fmt: skip
                else:
                    accepted += 1
                continue
            self.seq += 1
            self.state[key] = (change.value, change.hlc, self.seq)
            accepted += 1
        answer = {
            "accepted": accepted, "rejected": rejected, "superseded": superseded,
            "epoch": self.epoch, "hub_seq": self.seq, "server_time_ms": self.now(),
        }  # fmt: skip
        self.batches[body["batch_id"]] = answer
        return answer

    def pull(self, since: int, limit: int) -> dict:
        rows = sorted(
            (seq, key, value, stamp)
            for key, (value, stamp, seq) in self.state.items()
            if seq > since
        )
        page = rows[:limit]
        return {
            "changes": [
                {"table": k[0], "id": k[1], "field": k[2], "value": v, "hlc": h, "seq": s}
                for s, k, v, h in page
            ],
            "next": page[-1][0] if page else since,
            "more": len(rows) > limit,
            "epoch": self.epoch,
            "server_time_ms": self.now(),
        }

    def value(self, table: str, record_id: str, name: str) -> Any:
        return self.state[(table, record_id, name)][0]


# -- the hub token's keyring -----------------------------------------------------------


class MemoryKeyring(KeyringBackend):
    """A keyring like the desktop's, kept in memory."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


# -- convergence checks (tests/integration/test_sync_reliability.py) ------------------


def network_state(store) -> dict[tuple[str, str], dict[str, Any]]:
    """Every network record of a laptop as it travels: (table, id) -> {field: value}."""
    from companion.protocol.messages import SYNCED_FIELDS

    found = {}
    for table in SYNCED_FIELDS:
        for (record_id,) in store.conn.execute(
            f"SELECT id FROM {table} WHERE visibility = 'network'"
        ).fetchall():
            changes = outbox.record_changes(store.conn, table, record_id, "*")
            found[(table, record_id)] = {c.field: c.value for c in changes}
    return found


def hub_network_state(hub_store) -> dict[tuple[str, str], dict[str, Any]]:
    """The hub's network records: (table, id) -> {field: value}."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    with hub_store.backend.transaction() as tx:
        rows = tx.rows(
            "SELECT f.tbl, f.id, f.field, f.value FROM field_state f JOIN records r"
            " ON r.tbl = f.tbl AND r.id = f.id WHERE r.visibility = 'network'"
        )
    for table, record_id, name, value in rows:
        found.setdefault((table, record_id), {})[name] = json.loads(value)
    return found


def hub_fields(hub_store, record_id: str) -> dict[str, Any]:
    """Every field the hub keeps of one record, whatever its visibility."""
    with hub_store.backend.transaction() as tx:
        rows = tx.rows("SELECT field, value FROM field_state WHERE id = ?", (record_id,))
    return {name: json.loads(value) for name, value in rows}


# -- a client transport, waiting on conditions (the hub itself: tests/loopback.py) -------
# (tests/integration/test_sync_convergence.py, test_sync_hub_kill.py, hub/test_access_isolation.py)


_TLS: ssl.SSLContext | None = None


def transport(**options: Any) -> httpx.HTTPTransport:
    """A transport for ``SyncClient(..., transport=...)``, like httpx's default one but
    sharing one TLS context: httpx builds one per client (loading certifi, 30 ms a sync)."""
    global _TLS
    if _TLS is None:
        import certifi

        _TLS = ssl.create_default_context(cafile=certifi.where())
    return httpx.HTTPTransport(verify=_TLS, **options)


def wait_until(condition, timeout_s: float = 30.0, what: str = "condition") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout_s`` (never a fixed sleep)."""
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met within {timeout_s} s")
        time.sleep(0.005)


# -- the hub as in production: its own process ------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HubProcess:
    """``companion-hub serve`` in its own process on a data folder and a free loopback
    port, its log read line by line (integration/test_sync_hub_kill.py,
    hub/test_hub_instances.py)."""

    def __init__(self, data_dir: Path, token: str, *options: str) -> None:
        self.data_dir = data_dir
        self.options = options  # more ``serve`` options: --database-url, --workers...
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.process: subprocess.Popen | None = None
        self.log: list[str] = []
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "companion.hub.cli", "serve", "--data", str(self.data_dir),
                   "--port", str(self.port), "--log-level", "info", *self.options]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        wait_until(self.answers, 60, "the hub answers")

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.log.append(line)

    def answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError("the hub exited:\n" + "".join(self.log))
        try:
            return self.status().status_code == 200
        except httpx.TransportError:
            return False

    def status(self) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", PROTOCOL_HEADER: str(PROTOCOL)}
        return httpx.get(f"{self.url}/v1/status", headers=headers, timeout=10)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no checkpoint, whatever was in flight."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(30)
        self._reader.join(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)
