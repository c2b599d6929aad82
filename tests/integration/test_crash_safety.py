"""Crash safety: the app's process killed (SIGKILL) in the middle of an import, of a sync
and of a scheduled backup, then the database opened again.

Each case runs the real thing in a child process (``python -m companion import``,
``python -m companion sync`` against a real hub on loopback, the backup module), waits
for a condition that proves the work is half done (the import's WAL growing, a first
pulled page or pushed batch committed, a first step of the backup copied), kills it,
and checks: ``PRAGMA integrity_check`` passes, the search index too, and what was
committed is all there and consistent (the import all or nothing; the sync's cursor
matching the rows applied, the outbox holding everything the hub did not acknowledge;
no half-written backup listed). Then the work is done again and completes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from loopback import LoopbackServer
from sync_helpers import hub_network_state, network_state, wait_until

from companion.hub.app import create_app
from companion.hub.storage import DATABASE_FILE, HubStore
from companion.store import Store, backups
from companion.store.records import new_id, now_iso
from companion.sync import outbox, state
from companion.sync.client import SyncClient
from companion.text import fold

ROOT = Path(__file__).resolve().parents[2]
ACTORS = 2_000  # about 44,000 changes: 5 pages of a pull, 9 batches of a push
CHILD_ENV = {**os.environ, "COMPANION_KEYRING": "0", "PYTHONUNBUFFERED": "1"}


def child(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=CHILD_ENV, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def kill_when(process: subprocess.Popen, condition, what: str, timeout_s: float = 120) -> None:
    """SIGKILL ``process`` once ``condition()`` holds; fail if it ended first."""
    wait_until(lambda: condition() or process.poll() is not None, timeout_s, what)
    if process.poll() is not None:
        _out, err = process.communicate()
        raise AssertionError(f"{what}: the process ended first ({process.returncode}): {err}")
    process.kill()
    process.communicate(timeout=30)
    assert process.returncode == -9


def run_to_end(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=CHILD_ENV, text=True, capture_output=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


def check_intact(path: Path) -> Store:
    """The database opens again (recovering its WAL) and passes every check."""
    store = Store.open(path)
    assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for index in ("actors_fts", "people_fts", "interactions_fts"):
        store.conn.execute(f"INSERT INTO {index} ({index}) VALUES ('integrity-check')")
    return store


def network_actors(count: int, owner: str, prefix: str) -> list[dict]:
    now = now_iso()
    return [
        {
            "id": new_id(), "name": f"{prefix} {n:05d}", "sort_name": fold(f"{prefix} {n:05d}"),
            "kind": "association", "owner": owner, "visibility": "network", "created_at": now,
            "updated_at": now, "deleted": 0, "commune": "Lyon", "departement": "69",
            "description": f"Une description qui occupe un peu de place, numéro {n}.",
        }
        for n in range(count)
    ]  # fmt: skip


# -- an import --------------------------------------------------------------------------------


def test_an_import_killed_midway_is_all_or_nothing(tmp_path):
    data = tmp_path / "donnees"
    data.mkdir()
    store = Store.open(data / "companion.db")
    for n in range(5):
        store.add_actor(f"Déjà là {n}", "association", commune="Lyon")
    before = store.counts()
    store.close()
    rows = 20_000
    source = tmp_path / "gros.csv"
    with open(source, "w", encoding="utf-8") as handle:
        handle.write("Nom;Type;Commune;Code postal;Description\n")
        for n in range(rows):
            handle.write(
                f"Association importée {n};association;Lyon;69001;"
                f"Une description assez longue pour remplir des pages, numéro {n}\n"
            )
    wal = data / "companion.db-wal"

    process = child("-m", "companion", "import", str(source), "--data", str(data))
    # The import's one transaction is being written: its pages spill into the WAL.
    kill_when(process, lambda: wal.exists() and wal.stat().st_size > 4_000_000, "import writing")
    print(f"killed with {wal.stat().st_size} bytes in the WAL")

    store = check_intact(data / "companion.db")
    try:
        after = store.counts()
        imported = store.conn.execute(
            "SELECT count(*) FROM actors WHERE name LIKE 'Association importée %'"
        ).fetchone()[0]
    finally:
        store.close()
    assert imported in (0, rows)  # all or nothing
    assert after == before if imported == 0 else after["actors"] == before["actors"] + rows
    # The copy made before the import is complete and listed.
    [copy] = backups.list_backups(data)
    assert copy.reason == backups.IMPORT
    assert backups.check_backup(copy.path).counts["actors"] == before["actors"]


# -- a sync -----------------------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path):
    """A real hub (SQLite in its folder) on loopback; Alice's and Bob's tokens in files."""
    store = HubStore.open(tmp_path / "hub")
    _alice, alice = store.add_member("Alice", "member")
    _bob, bob = store.add_member("Bob", "member")
    server = LoopbackServer(create_app(store))
    tokens = []
    for name, token in (("alice", alice), ("bob", bob)):
        path = tmp_path / f"jeton-{name}"
        path.write_text(token + "\n", encoding="utf-8")
        tokens.append((token, path))
    yield server.url, tokens, tmp_path / "hub"
    server.stop()
    store.close()


def hub_fields(hub_dir: Path) -> dict[tuple[str, str, str], tuple[object, int]]:
    """(table, id, field) -> (value, hub sequence number), as committed at the hub."""
    conn = read_only(hub_dir / DATABASE_FILE)
    try:
        rows = conn.execute("SELECT tbl, id, field, value, seq FROM field_state").fetchall()
    finally:
        conn.close()
    return {(t, i, f): (json.loads(v), s) for t, i, f, v, s in rows}


def hub_seq(hub_dir: Path) -> int:
    conn = read_only(hub_dir / DATABASE_FILE)
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])
    finally:
        conn.close()


def cursor_of(path: Path) -> int:
    if not path.exists():
        return 0
    conn = read_only(path)
    try:
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
    except sqlite3.OperationalError:  # the schema is being made
        return 0
    finally:
        conn.close()
    return int(row[0]) if row and row[0] else 0


def sync_args(url: str, token_file: Path, data: Path) -> tuple[str, ...]:
    return ("-m", "companion", "sync", "--hub", url, "--token-file", str(token_file),
            "--insecure", "--data", str(data))  # fmt: skip


def test_a_sync_killed_while_pulling_keeps_every_page_it_committed(tmp_path, hub):
    url, [(alice_token, _file), (_token, bob_file)], hub_dir = hub
    alice = Store.open(tmp_path / "alice.db")
    try:
        alice.bulk_insert("actors", network_actors(ACTORS, alice.member_id, "Acteur"))
        SyncClient(alice, url, alice_token).sync()
    finally:
        alice.close()
    at_hub = hub_fields(hub_dir)
    total = hub_seq(hub_dir)
    bob = tmp_path / "bob"
    database = bob / "companion.db"

    process = child(*sync_args(url, bob_file, bob))
    kill_when(process, lambda: cursor_of(database) > 0, "a first page applied")

    store = check_intact(database)
    try:
        cursor = state.cursor(store.conn)
        assert 0 < cursor < total, "the pull was not cut short"
        # Every change up to the cursor is here, as the hub has it; nothing else is.
        here = network_state(store)
        pulled = {(t, i, f): value for (t, i, f), (value, seq) in at_hub.items() if seq <= cursor}
        assert {(t, i) for t, i, _f in pulled} == set(here)
        assert all(here[(t, i)][f] == value for (t, i, f), value in pulled.items())
    finally:
        store.close()
    print(f"killed with {cursor} of {total} changes pulled")

    report = run_to_end(*sync_args(url, bob_file, bob))
    assert (report["rejected"], report["conflicts"]) == (0, 0)
    store = check_intact(database)
    hub_store = HubStore.open(hub_dir)
    try:
        assert state.cursor(store.conn) == total
        assert network_state(store) == hub_network_state(hub_store)
        assert store.count_actors() == ACTORS
    finally:
        hub_store.close()
        store.close()


def test_a_sync_killed_while_pushing_loses_no_edit(tmp_path, hub):
    url, [(_token, _file), (_bob_token, bob_file)], hub_dir = hub
    bob = tmp_path / "bob"
    bob.mkdir()
    database = bob / "companion.db"
    store = Store.open(database)
    try:
        store.bulk_insert("actors", network_actors(ACTORS, store.member_id, "Local"))
    finally:
        store.close()

    process = child(*sync_args(url, bob_file, bob))
    kill_when(process, lambda: hub_seq(hub_dir) > 0, "a first batch committed at the hub")

    at_hub = hub_fields(hub_dir)
    store = check_intact(database)
    try:
        assert 0 < len(at_hub), "nothing reached the hub"
        pending = {
            (t, i, f) for t, i, f in store.conn.execute("SELECT tbl, id, field FROM sync_outbox")
        }
        # Every field is at the hub (with this laptop's value) or still waiting to go:
        # outbox rows left only with the batches the hub acknowledged.
        missing = []
        for (table, record_id), fields in network_state(store).items():
            for name, value in fields.items():
                sent = at_hub.get((table, record_id, name))
                queued = {(table, record_id, name), (table, record_id, "*")} & pending
                if not queued and (sent is None or sent[0] != value):
                    missing.append((table, record_id, name))
        assert missing == []
        left = outbox.pending(store.conn)
    finally:
        store.close()
    print(f"killed with {len(at_hub)} changes at the hub, {left} outbox rows left")
    assert left > 0, "the push was not cut short"

    report = run_to_end(*sync_args(url, bob_file, bob))
    assert (report["rejected"], report["conflicts"]) == (0, 0)
    store = check_intact(database)
    hub_store = HubStore.open(hub_dir)
    try:
        assert outbox.pending(store.conn) == 0
        at_hub_state = hub_network_state(hub_store)
        assert network_state(store) == at_hub_state
        assert sum(1 for table, _id in at_hub_state if table == "actors") == ACTORS
    finally:
        hub_store.close()
        store.close()


# -- a scheduled backup -----------------------------------------------------------------------

# The app's scheduled backup (ui/data/backup_scheduler.py) runs this on its own connection;
# here it stops after its first step and waits, so the kill lands in the middle.
BACKUP_CHILD = """
import sys
from companion.store import backups

def step(done, total, _message):
    print(f"{done}/{total}", flush=True)
    sys.stdin.readline()  # killed here

backups.make_backup(sys.argv[1], None, backups.AUTOMATIC, progress=step)
"""


def test_a_backup_killed_midway_leaves_the_database_whole_and_lists_nothing(tmp_path):
    data = tmp_path / "donnees"
    data.mkdir()
    store = Store.open(data / "companion.db")
    try:
        store.bulk_insert("actors", network_actors(20_000, store.member_id, "Acteur"))
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        assert pages > 3 * backups.STEP_PAGES  # several steps
        process = child("-c", BACKUP_CHILD, str(data / "companion.db"))
        first = process.stdout.readline()  # the first step is copied
        done, total = map(int, first.split("/"))
        assert 0 < done < total
        # The app keeps writing meanwhile: the backup's read transaction blocks nobody.
        kept = store.add_actor("Écrit pendant la sauvegarde", "collectif")
        process.kill()
        process.communicate(timeout=30)
    finally:
        store.close()

    [partial] = (data / "sauvegardes").glob(".*.partiel")
    assert partial.stat().st_size > 0  # half written, and hidden
    assert backups.list_backups(data) == []
    store = check_intact(data / "companion.db")
    try:
        assert store.get_actor(kept.id) is not None
        assert store.count_actors() == 20_001
        made = backups.make_backup(store, None, backups.AUTOMATIC)  # the next one completes
    finally:
        store.close()
    assert [b.path for b in backups.list_backups(data)] == [made.path]
    assert backups.check_backup(made.path).counts["actors"] == 20_001
