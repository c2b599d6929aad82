"""Local backups: made with SQLite's online backup API, listed with a preview, kept the
last N of each reason, restored atomically, and safe for sync once restored."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta

import pytest
from loopback import LoopbackServer
from sync_helpers import hub_network_state, network_state

from companion.cli import main
from companion.directory.merge import merge
from companion.hub.app import create_app
from companion.hub.storage import HubStore
from companion.store import SchemaTooNew, Store, backups
from companion.store.backups import (
    AUTOMATIC,
    IMPORT,
    MANUAL,
    MERGE,
    MIGRATION,
    RESTORE,
    BackupCorrupt,
    BackupError,
    list_backups,
    make_backup,
    restore_backup,
)
from companion.store.migrations import MIGRATIONS
from companion.store.upgrade import migrate
from companion.sync import outbox, state
from companion.sync.client import SyncClient, conflicts


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "donnees"
    folder.mkdir()
    return folder


@pytest.fixture
def laptop(data_dir):
    store = Store.open(data_dir / "companion.db")
    yield store
    store.close()


def fill(store: Store, actors: int = 3) -> list[str]:
    ids = []
    for n in range(actors):
        ids.append(store.add_actor(f"Acteur {n}", "association", commune="Lyon").id)
    alice = store.add_person("Alice", "Martin")
    store.add_affiliation(alice.id, ids[0], role="Présidente")
    if actors > 1:
        store.add_relation(ids[0], ids[1], "partenariat")
    store.add_interaction("reunion", "2025-03-14", actor_id=ids[0], title="Bilan")
    return ids


def rows(path, table: str) -> list[tuple]:
    conn = backups.open_read_only(path)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


# -- making and listing ---------------------------------------------------------------------


def test_a_backup_is_one_consistent_file_named_by_its_reason(laptop, data_dir):
    fill(laptop)
    made = make_backup(laptop, data_dir, IMPORT)
    assert made.path.parent == data_dir / "sauvegardes"
    assert made.path.name.startswith("companion-") and made.path.name.endswith("-avant-import.db")
    assert made.label == "avant import" and made.size == made.path.stat().st_size
    assert not made.path.with_name(made.path.name + "-wal").exists()
    conn = backups.open_read_only(made.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert rows(made.path, "actors") == rows(laptop.path, "actors")
    [listed] = list_backups(data_dir)
    assert (listed.path, listed.reason, listed.size) == (made.path, IMPORT, made.size)


def test_a_backup_is_the_committed_state_while_another_connection_writes(laptop, data_dir):
    fill(laptop)
    writer = sqlite3.connect(laptop.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE actors SET name = 'Pas encore validé'")
        made = make_backup(laptop.path, data_dir, AUTOMATIC)  # its own connection
        writer.execute("COMMIT")
    finally:
        writer.close()
    names = {row[0] for row in backups.open_read_only(made.path).execute("SELECT name FROM actors")}
    assert names == {"Acteur 0", "Acteur 1", "Acteur 2"}


def test_the_list_is_newest_first_with_a_preview(laptop, data_dir):
    fill(laptop)
    first = make_backup(laptop, data_dir, AUTOMATIC)
    laptop.add_actor("Nouvel acteur", "collectif")
    with laptop.db.atomic():
        laptop.db.execute(
            "INSERT INTO toolbox_notes (item_id, text, updated_at) VALUES ('x', 'Ma note', ?)",
            ("2030-01-01T00:00:00.000Z",),
        )
    second = make_backup(laptop, data_dir, MANUAL)
    assert [b.path for b in list_backups(data_dir)] == [second.path, first.path]
    preview = backups.preview_database(first.path)
    assert preview.counts == {
        "actors": 3, "people": 1, "relations": 1, "interactions": 1, "toolbox_notes": 0
    }  # fmt: skip
    later = backups.preview_database(second.path)
    assert (later.counts["actors"], later.counts["toolbox_notes"]) == (4, 1)
    assert later.last_change == "2030-01-01T00:00:00.000Z"
    assert later.migrations[-1] == MIGRATIONS[-1].name


def test_partial_copies_are_never_listed_and_old_ones_are_cleaned(laptop, data_dir):
    make_backup(laptop, data_dir, AUTOMATIC)
    folder = data_dir / "sauvegardes"
    partial = folder / ".companion-20250101-000000-000000-automatique.db.partiel"
    partial.write_bytes(b"SQLite format 3\x00 cut short")
    assert len(list_backups(data_dir)) == 1
    make_backup(laptop, data_dir, AUTOMATIC)
    assert partial.exists()  # maybe another process writing it: left for an hour
    an_hour_ago = (datetime.now() - timedelta(hours=2)).timestamp()
    os.utime(partial, (an_hour_ago, an_hour_ago))
    make_backup(laptop, data_dir, AUTOMATIC)
    assert not partial.exists()


def test_the_last_n_are_kept_for_each_reason(laptop, data_dir):
    for _n in range(4):
        make_backup(laptop, data_dir, AUTOMATIC, keep=3)
    imports = [make_backup(laptop, data_dir, IMPORT, keep=3) for _n in range(2)]
    migration = make_backup(laptop, data_dir, MIGRATION, detail="0013_exemple", keep=3)
    listed = list_backups(data_dir)
    by_reason = {
        reason: [b for b in listed if b.reason == reason] for reason in {b.reason for b in listed}
    }
    assert len(by_reason[AUTOMATIC]) == 3
    assert [b.path for b in by_reason[IMPORT]] == [b.path for b in reversed(imports)]
    assert [(b.path, b.detail) for b in by_reason[MIGRATION]] == [(migration.path, "0013_exemple")]
    assert migration.label == "avant migration (0013_exemple)"
    # The setting decides when none is given; never fewer than the copy just made.
    laptop.set_setting(backups.KEEP_SETTING, "0")
    newest = make_backup(laptop, data_dir, AUTOMATIC)
    assert [b.path for b in list_backups(data_dir) if b.reason == AUTOMATIC] == [newest.path]


def test_migrations_back_up_through_the_same_module(tmp_path):
    path = tmp_path / "companion.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path, MIGRATIONS[:3])
    migrate(conn, path)
    conn.close()
    [copy] = list_backups(tmp_path)
    assert (copy.reason, copy.detail) == (MIGRATION, MIGRATIONS[3].name)
    assert backups.preview_database(copy.path).migrations == tuple(m.name for m in MIGRATIONS[:3])


def test_an_automatic_backup_is_due_after_its_interval(laptop, data_dir):
    assert backups.automatic_backup_due(data_dir, 24)
    made = make_backup(laptop, data_dir, AUTOMATIC)
    assert not backups.automatic_backup_due(data_dir, 24)
    assert backups.automatic_backup_due(data_dir, 24, now=made.made_at + timedelta(hours=25))
    assert not backups.automatic_backup_due(data_dir, 0)  # never
    make_backup(laptop, data_dir, IMPORT)  # other reasons do not count
    assert backups.last_backup_time(data_dir, AUTOMATIC) == made.made_at


def test_an_unchanged_base_backed_up_again_costs_no_space(laptop, data_dir):
    """The second copy of an unchanged base is a second name of the first (a hard link);
    once the base changes, the next copy is a file of its own."""
    fill(laptop)
    first = make_backup(laptop, data_dir, AUTOMATIC)
    second = make_backup(laptop, data_dir, IMPORT)
    assert second.path != first.path and second.reason == IMPORT
    assert os.path.samefile(first.path, second.path)
    assert first.path.stat().st_nlink == 2
    assert [backup.reason for backup in list_backups(data_dir)] == [IMPORT, AUTOMATIC]
    laptop.add_actor("Nouvel acteur", "association")
    third = make_backup(laptop, data_dir, MANUAL)
    assert not os.path.samefile(third.path, second.path)
    assert third.path.stat().st_nlink == 1
    os.remove(first.path)  # a copy pruned away leaves its twin whole
    assert len(rows(second.path, "actors")) == 3


def test_the_demo_network_is_not_copied_at_its_birth(tmp_path):
    """A demo base says when it was made: its first automatic copy is an interval later."""
    from companion.app.datafolder import create_demo_database

    folder = tmp_path / "demo"
    create_demo_database(folder, catalysts=3, seed=1, actors=60)
    store = Store.open(folder / "companion.db")
    try:
        created = backups.created_setting(store.conn)
    finally:
        store.close()
    assert created is not None and abs(datetime.now() - created) < timedelta(minutes=5)
    assert not backups.automatic_backup_due(folder, 24, created=created)
    later = created + timedelta(hours=25)
    assert backups.automatic_backup_due(folder, 24, now=later, created=created)
    assert backups.automatic_backup_due(folder, 24)  # a base that says nothing: at once


def test_a_run_of_merges_is_backed_up_once(laptop, data_dir):
    ids = fill(laptop, actors=4)
    merge(laptop, "actors", ids[0], ids[1])
    merge(laptop, "actors", ids[0], ids[2])
    assert [b.reason for b in list_backups(data_dir)] == [MERGE]
    assert len(rows(list_backups(data_dir)[0].path, "actors")) == 4  # before the first merge


def test_the_command_line_import_backs_up_first(laptop, data_dir, tmp_path, capsys):
    fill(laptop)
    laptop.close()
    source = tmp_path / "acteurs.csv"
    source.write_text("Nom;Type;Commune\nRessourcerie;association;Lyon\n", encoding="utf-8")
    assert main(["import", str(source), "--data", str(data_dir)]) == 0
    [copy] = list_backups(data_dir)
    assert copy.reason == IMPORT and len(rows(copy.path, "actors")) == 3
    assert "Base sauvegardée avant l'import" in capsys.readouterr().err


def test_backup_list_and_restore_from_the_command_line(laptop, data_dir, capsys):
    fill(laptop)
    laptop.close()
    assert main(["backup", "--data", str(data_dir)]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["reason"] == "manuelle"
    assert main(["backup", "--list", "--data", str(data_dir)]) == 0
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed["file"] == made["file"] and listed["counts"]["actors"] == 3
    assert main(["restore", made["file"], "--data", str(data_dir)]) == 0
    assert "État précédent sauvegardé" in capsys.readouterr().err


# -- restoring --------------------------------------------------------------------------------


def test_a_restore_backs_up_the_current_state_then_replaces_the_file(laptop, data_dir):
    ids = fill(laptop)
    made = make_backup(laptop, data_dir, MANUAL)
    laptop.delete_actor(ids[0])
    laptop.add_actor("Après la sauvegarde", "collectif")
    path = laptop.path
    laptop.close()
    outcome = restore_backup(data_dir, made)
    assert outcome.restored.path == made.path and outcome.safety.reason == RESTORE
    assert outcome.safety.label == "avant restauration"
    for side in ("-wal", "-shm"):
        assert not path.with_name(path.name + side).exists()
    assert not path.with_name(path.name + ".restauration").exists()
    reopened = Store.open(path)
    try:
        assert reopened.get_actor(ids[0]) is not None
        assert reopened.count_actors() == 3
        assert reopened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        reopened.close()
    # The state before the restore is one restore away.
    assert backups.preview_database(outcome.safety.path).counts["actors"] == 3  # 3 - 1 + 1
    safety = backups.open_read_only(outcome.safety.path)
    names = {row[0] for row in safety.execute("SELECT name FROM actors WHERE deleted = 0")}
    safety.close()
    assert "Après la sauvegarde" in names and "Acteur 0" not in names


def test_a_damaged_backup_is_refused_and_nothing_changes(laptop, data_dir):
    fill(laptop)
    made = make_backup(laptop, data_dir, MANUAL)
    data = bytearray(made.path.read_bytes())
    page = 4096
    data[3 * page : 3 * page + 2000] = b"\xff" * 2000  # a table's page scribbled over
    made.path.write_bytes(bytes(data))
    laptop.close()
    before = (data_dir / "companion.db").read_bytes()
    with pytest.raises(BackupCorrupt) as refused:
        restore_backup(data_dir, made)
    assert made.path.name in str(refused.value) and "endommagée" in str(refused.value)
    assert (data_dir / "companion.db").read_bytes() == before
    assert [b.reason for b in list_backups(data_dir)] == [MANUAL]  # no copy of the current

    not_a_database = data_dir / "sauvegardes" / "companion-20250101-000000-000000-manuelle.db"
    not_a_database.write_bytes(b"bonjour")
    with pytest.raises(BackupCorrupt) as refused:
        restore_backup(data_dir, not_a_database.name)
    assert not isinstance(refused.value, backups.BackupKeyRequired)  # not even page-sized


def test_a_copy_that_may_be_encrypted_asks_for_its_passphrase(laptop, data_dir):
    """Whole pages of other bytes: a copy under another key, or garbage (SQLCipher cannot
    tell): its passphrase is asked for, rather than the copy called damaged outright."""
    laptop.close()
    before = (data_dir / "companion.db").read_bytes()
    locked = data_dir / "sauvegardes" / "companion-20250101-000000-000000-manuelle.db"
    locked.parent.mkdir()
    locked.write_bytes(os.urandom(4096))
    for attempt in (backups.check_backup, backups.preview_database):
        with pytest.raises(backups.BackupKeyRequired) as refused:
            attempt(locked)
        assert isinstance(refused.value, BackupCorrupt) and not refused.value.wrong
        assert locked.name in str(refused.value) and "phrase de passe" in str(refused.value)
    with pytest.raises(backups.BackupKeyRequired):
        restore_backup(data_dir, locked.name)
    assert (data_dir / "companion.db").read_bytes() == before
    assert [backup.path for backup in list_backups(data_dir)] == [locked]  # no copy made


def test_a_backup_from_a_newer_version_is_refused(laptop, data_dir):
    made = make_backup(laptop, data_dir, MANUAL)
    conn = sqlite3.connect(made.path)
    conn.execute("INSERT INTO _migrations VALUES ('9999_futur', '2099-01-01')")
    conn.commit()
    conn.close()
    laptop.close()
    with pytest.raises(SchemaTooNew):
        restore_backup(data_dir, made)


def test_a_database_in_use_is_not_replaced(laptop, data_dir):
    made = make_backup(laptop, data_dir, MANUAL)
    with pytest.raises(BackupError) as refused:
        restore_backup(data_dir, made)  # the laptop's store is still open
    assert "ouverte" in str(refused.value)


def test_a_restored_database_pulls_everything_again_and_keeps_its_outbox(laptop, data_dir):
    ids = fill(laptop)
    with laptop.db.atomic():
        state.put(laptop.conn, state.CURSOR, 1234)
    laptop.update_actor(ids[0], description="Pas encore envoyée")
    pending = laptop.conn.execute("SELECT tbl, id, field FROM sync_outbox").fetchall()
    made = make_backup(laptop, data_dir, MANUAL)
    laptop.close()
    restore_backup(data_dir, made)
    restored = Store.open(data_dir / "companion.db")
    try:
        assert state.cursor(restored.conn) == 0
        assert restored.conn.execute("SELECT tbl, id, field FROM sync_outbox").fetchall() == pending
    finally:
        restored.close()


# -- a restore, then a sync -------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path):
    store = HubStore.open(tmp_path / "hub")
    _member, token = store.add_member("Alice", "member")
    server = LoopbackServer(create_app(store))
    yield server.url, token, store
    server.stop()
    store.close()


class Laptops:
    """Laptop A (the one restored) and laptop C, one member, each in its data folder."""

    def __init__(self, tmp_path, hub) -> None:
        self.url, self.token, self.hub_store = hub
        self.a_dir, self.c_dir = tmp_path / "a", tmp_path / "c"
        self.a_dir.mkdir()
        self.c_dir.mkdir()
        self.a = Store.open(self.a_dir / "companion.db")
        self.c = Store.open(self.c_dir / "companion.db")

    def sync(self, store: Store):
        return SyncClient(store, self.url, self.token).sync()

    def restore_a(self, backup) -> None:
        self.a.close()
        restore_backup(self.a_dir, backup)
        self.a = Store.open(self.a_dir / "companion.db")

    def hub_state(self) -> dict:
        return hub_network_state(self.hub_store)

    def close(self) -> None:
        self.a.close()
        self.c.close()


@pytest.fixture
def laptops(tmp_path, hub):
    both = Laptops(tmp_path, hub)
    yield both
    both.close()


def changed_fields(before: dict, after: dict) -> set:
    return {
        (key, name)
        for key, fields in after.items()
        for name, value in fields.items()
        if before.get(key, {}).get(name) != value
    }


def test_a_restore_then_a_sync_sends_what_the_hub_never_had(laptops):
    net = laptops
    kept, _edited, shared = fill(net.a)
    net.sync(net.a)
    net.sync(net.c)
    # Offline in the evening: an edit the hub has not had yet, then the nightly copy.
    net.a.update_actor(kept, description="Écrit hors ligne, jamais envoyé")
    nightly = make_backup(net.a, net.a_dir, AUTOMATIC)
    # Meanwhile the network moves on; this laptop makes a mistake, unsynced, and
    # restores the nightly copy.
    net.c.update_actor(shared, description="Écrit sur l'autre portable")
    net.c.add_actor("Créé sur l'autre portable", "collectif")
    net.sync(net.c)
    net.a.delete_actor(shared)
    before = net.hub_state()
    net.restore_a(nightly)
    report = net.sync(net.a)
    assert report.pulled > 0 and outbox.pending(net.a.conn) == 0 and report.conflicts == 0
    net.sync(net.c)
    after = net.hub_state()
    assert after.keys() == before.keys()  # every record the hub had is still there
    assert changed_fields(before, after) == {(("actors", kept), "description")}
    assert after[("actors", kept)]["description"] == "Écrit hors ligne, jamais envoyé"
    assert after[("actors", shared)]["description"] == "Écrit sur l'autre portable"
    assert after[("actors", shared)]["deleted"] == 0  # the mistake never left the laptop
    assert network_state(net.a) == after == network_state(net.c)


def test_a_restore_of_a_copy_older_than_the_last_sync_takes_the_network_back(laptops):
    net = laptops
    kept, edited, shared = fill(net.a)
    net.sync(net.a)
    net.sync(net.c)
    net.a.update_actor(kept, description="Première version")  # not sent yet
    nightly = make_backup(net.a, net.a_dir, AUTOMATIC)
    # The next day this laptop syncs (its cursor passes the copy's), edits again and
    # syncs again, and pulls the other laptop's edits.
    net.sync(net.a)
    net.a.update_actor(kept, description="Deuxième version")
    net.a.update_actor(edited, commune="Dijon")
    net.a.add_actor("Créé après la copie", "collectif")
    net.c.update_actor(shared, description="Écrit sur l'autre portable")
    net.sync(net.c)
    net.sync(net.a)
    before = net.hub_state()
    net.restore_a(nightly)
    assert net.a.get_actor(kept).description == "Première version"
    report = net.sync(net.a)
    # The copy's unsent edit went again and lost to this laptop's later one: the
    # value is kept in the Conflicts view, where it can be brought back.
    assert report.conflicts == 1
    [conflict] = conflicts(net.a)
    assert (conflict.local_value, conflict.remote_value) == ("Première version", "Deuxième version")
    net.sync(net.c)
    after = net.hub_state()
    assert after == before  # the older copy took nothing from the hub
    assert network_state(net.a) == after == network_state(net.c)
    assert net.a.get_actor(kept).description == "Deuxième version"
    assert net.a.get_actor(edited).commune == "Dijon"
    assert net.a.get_actor(shared).description == "Écrit sur l'autre portable"
    assert net.a.count_actors() == 4


def test_migrations_name_the_backup_folder_as_backups_do():
    from companion.store import backups, migrations

    assert migrations.BACKUP_FOLDER == backups.BACKUP_FOLDER
