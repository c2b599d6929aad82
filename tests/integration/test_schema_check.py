"""A database brought in from outside (a backup restored, an archive imported, a data folder
opened) holds exactly the schema its migrations define: an object of its own (a trigger that
shares private records at the next sync, a view, a table, an index, a changed column) is refused
by name, read-only, before anything is written; every database Companion made passes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from loopback import LoopbackServer
from needs import require_module

from companion.app.archive import ArchiveError, export_archive, import_archive
from companion.cli import main
from companion.store import SchemaTooNew, Store, backups, migrations
from companion.store.backups import MANUAL, list_backups, make_backup, restore_backup
from companion.store.migrations import MIGRATIONS, Migration
from companion.store.schema import SEARCH_INDEX
from companion.store.schema_check import UnexpectedSchema, check_database_file, check_schema
from companion.store.upgrade import migrate
from tests.french import fr

# The attack of issue #14: private actors quietly become network ones, so their
# descriptions and e-mails reach the hub at the next sync.
FLIP = (
    "CREATE TRIGGER flip_private AFTER UPDATE ON actors BEGIN "
    "UPDATE actors SET visibility = 'network' WHERE visibility = 'private'; END"
)
ATTACKS = {
    "trigger": (FLIP, "un déclencheur inconnu : « flip_private »"),
    "table": ("CREATE TABLE loot (email TEXT)", "une table inconnue : « loot »"),
    "view": ("CREATE VIEW everyone AS SELECT email FROM people", "une vue inconnue : « everyone »"),
    "index": (
        "CREATE INDEX actors_by_email ON actors (email)",
        "un index inconnu : « actors_by_email »",
    ),
    "column": ("ALTER TABLE people ADD COLUMN spy TEXT", "une table « people » différente"),
    "default": (  # saved map views become network records by default
        "PRAGMA writable_schema = ON; "
        "UPDATE sqlite_master SET sql = replace(sql, \"DEFAULT 'private'\", \"DEFAULT 'network'\") "
        "WHERE name = 'map_views'; PRAGMA writable_schema = OFF;",
        "une table « map_views » différente",
    ),
    "statistics": (  # ANALYZE's table is SQLite's own only with SQLite's own SQL
        "ANALYZE; PRAGMA writable_schema = ON; "
        "UPDATE sqlite_master SET sql = 'CREATE TABLE sqlite_stat1(tbl,idx,stat,spy)' "
        "WHERE name = 'sqlite_stat1'; PRAGMA writable_schema = OFF;",
        "une table inconnue : « sqlite_stat1 »",
    ),
    "same name": (  # the capture trigger of an actor made private, made to share it again
        "DROP TRIGGER sync_actors_unshared; "
        "CREATE TRIGGER sync_actors_unshared AFTER UPDATE OF visibility ON actors "
        "WHEN old.visibility = 'network' AND new.visibility = 'private' "
        "BEGIN UPDATE actors SET visibility = 'network' WHERE id = new.id; END",
        "un déclencheur « sync_actors_unshared » différent",
    ),
}


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(sql)
    finally:
        conn.close()


def fill(store: Store) -> None:
    ecole = store.add_actor("École des Jardins", "association", commune="Lyon")
    secret = store.add_actor("Projet confidentiel", "collectif", visibility="private")
    store.tag_actor(ecole.id, "alimentation")
    alice = store.add_person("Alice", "Martin", email="alice@exemple.example")
    store.add_affiliation(alice.id, ecole.id, role="Présidente")
    store.add_relation(ecole.id, secret.id, "partenariat")
    store.add_interaction("reunion", "2025-03-14", actor_id=ecole.id, title="Bilan")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "donnees"
    folder.mkdir()
    store = Store.open(folder / "companion.db")
    try:
        fill(store)
    finally:
        store.close()
    return folder


def refused_backup(data_dir: Path, sql: str) -> backups.Backup:
    store = Store.open(data_dir / "companion.db")
    try:
        made = make_backup(store, data_dir, MANUAL)
    finally:
        store.close()
    tamper(made.path, sql)
    return made


# -- restoring a backup -----------------------------------------------------------------------


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_backup_with_objects_of_its_own_is_refused_by_name(data_dir, attack):
    sql, words = ATTACKS[attack]
    made = refused_backup(data_dir, sql)
    database = data_dir / "companion.db"
    before = digest(database)
    with pytest.raises(UnexpectedSchema) as refused:
        restore_backup(data_dir, made)
    assert fr(words) in str(refused.value) and "elle est refusée" in str(refused.value)
    assert digest(database) == before
    assert [b.path for b in list_backups(data_dir)] == [made.path]  # no copy of the current
    assert not database.with_name("companion.db.restauration").exists()
    # The restore dialog shows why beside the copy (backup --list too).
    with pytest.raises(backups.BackupError, match=fr(words)):
        backups.preview_database(made.path)


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_restore_command_refuses_it_with_exit_2(data_dir, attack, capsys):
    sql, words = ATTACKS[attack]
    made = refused_backup(data_dir, sql)
    before = digest(data_dir / "companion.db")
    assert main(["restore", made.path.name, "--data", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert fr(words) in err and "elle est refusée" in err
    assert digest(data_dir / "companion.db") == before


@pytest.mark.parametrize(
    ("pragma", "words"),
    [("user_version = 7", "user_version 7"), ("application_id = 1297105496", "application_id")],
)
def test_a_backup_marked_by_another_application_is_refused(data_dir, pragma, words):
    made = refused_backup(data_dir, f"PRAGMA {pragma};")
    before = digest(data_dir / "companion.db")
    with pytest.raises(UnexpectedSchema, match=words):
        restore_backup(data_dir, made)
    assert digest(data_dir / "companion.db") == before


# -- importing an archive ---------------------------------------------------------------------


def forge(archive: Path, target: Path, sql: str) -> Path:
    """The archive with its database changed by ``sql`` and its manifest made to match, as
    whoever crafts one would do."""
    with zipfile.ZipFile(archive) as old:
        entries = {info.filename: old.read(info) for info in old.infolist()}
    database = target.with_suffix(".db")
    database.write_bytes(entries["companion.db"])
    tamper(database, sql)
    data = database.read_bytes()
    entries["companion.db"] = data
    manifest = json.loads(entries["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "companion.db":
            entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    entries["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as new:
        for name, content in entries.items():
            new.writestr(name, content)
    return target


@pytest.fixture
def archive(data_dir, tmp_path) -> Path:
    return export_archive(data_dir / "companion.db", tmp_path / "tout.zip").path


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_archive_with_objects_of_its_own_is_refused_by_name(data_dir, archive, attack):
    sql, words = ATTACKS[attack]
    forged = forge(archive, archive.with_name("forge.zip"), sql)
    empty = data_dir.parent / "nouveau"
    with pytest.raises((UnexpectedSchema, ArchiveError)) as refused:
        import_archive(forged, empty)
    assert fr(words) in str(refused.value) and "refusée" in str(refused.value)
    assert not (empty / "companion.db").exists()

    database = data_dir / "companion.db"
    before = digest(database)
    with pytest.raises((UnexpectedSchema, ArchiveError), match=fr(words)):
        import_archive(forged, data_dir, replace=True)
    assert digest(database) == before
    assert [b.reason for b in list_backups(data_dir)] == []  # nothing was backed up
    assert sorted(p.name for p in data_dir.iterdir()) == ["companion.db"]


@pytest.mark.parametrize("attack", ["trigger", "same name", "default"])
def test_the_import_archive_command_refuses_it_with_exit_2(data_dir, archive, attack, capsys):
    sql, words = ATTACKS[attack]
    forged = forge(archive, archive.with_name("forge.zip"), sql)
    before = digest(data_dir / "companion.db")
    code = main(["import-archive", str(forged), "--replace", "--data", str(data_dir)])
    assert code == 2
    err = capsys.readouterr().err
    assert fr(words) in err and "refusée" in err
    assert digest(data_dir / "companion.db") == before


# -- opening a data folder --------------------------------------------------------------------


def test_a_data_folder_whose_database_has_objects_of_its_own_is_not_opened(data_dir, capsys):
    database = data_dir / "companion.db"
    tamper(database, FLIP)
    before = digest(database)
    with pytest.raises(UnexpectedSchema, match=fr("un déclencheur inconnu : « flip_private »")):
        Store.open(database)
    assert digest(database) == before
    assert main(["search", "jardins", "--data", str(data_dir)]) == 2
    assert fr("« flip_private »") in capsys.readouterr().err
    assert digest(database) == before


def test_a_foreign_sqlite_file_is_not_migrated_into_a_companion_database(tmp_path):
    database = tmp_path / "companion.db"
    tamper(database, "CREATE TABLE notes (text TEXT)")
    before = digest(database)
    with pytest.raises(UnexpectedSchema, match=fr("une table inconnue : « notes »")):
        Store.open(database)
    assert digest(database) == before


def test_a_database_from_a_newer_version_is_still_called_so(data_dir):
    database = data_dir / "companion.db"
    tamper(database, "INSERT INTO _migrations VALUES ('0099_futur', '2099-01-01')")
    with pytest.raises(SchemaTooNew, match="0099_futur"):
        check_database_file(database)


# -- what passes ------------------------------------------------------------------------------


def test_a_fresh_database_passes_at_every_level(tmp_path):
    for count in range(len(MIGRATIONS) + 1):
        path = tmp_path / f"niveau-{count}.db"
        conn = sqlite3.connect(path, isolation_level=None)
        applied = migrate(conn, path, MIGRATIONS[:count])
        conn.close()
        assert applied == [m.name for m in MIGRATIONS[:count]]
        check_database_file(path)  # raises UnexpectedSchema where it would not pass
    check_database_file(tmp_path / "absente.db")  # nothing there yet: a new database
    (tmp_path / "vide.db").write_bytes(b"")
    check_database_file(tmp_path / "vide.db")


def test_sql_differing_only_in_whitespace_and_comments_passes_other_sql_does_not(data_dir):
    database = data_dir / "companion.db"
    tamper(
        database,
        "DROP TRIGGER actors_fts_delete; "
        "CREATE TRIGGER actors_fts_delete AFTER DELETE ON actors\n\n\tBEGIN -- (re-indented)\n"
        "  DELETE FROM actors_fts WHERE rowid=old.seq ;END",
    )
    check_database_file(database)
    Store.open(database).close()
    tamper(
        database,
        "DROP TRIGGER actors_fts_delete; "
        "CREATE TRIGGER actors_fts_delete AFTER DELETE ON actors BEGIN "
        "DELETE FROM actors_fts WHERE rowid = old.seq; "
        "UPDATE actors SET visibility = 'network'; END",
    )
    with pytest.raises(
        UnexpectedSchema, match=fr("un déclencheur « actors_fts_delete » différent")
    ):
        check_database_file(database)
    tamper(database, "DROP TRIGGER actors_fts_delete")
    with pytest.raises(UnexpectedSchema, match=fr("le déclencheur « actors_fts_delete »")):
        check_database_file(database)


# The first releases wrapped one line of migration 0002's tags_fts_update trigger differently
# (git show ffcfa3f:companion/store/schema.py): their databases still hold that text.
NEW_WRAP = (
    "SELECT a.seq FROM actors a JOIN actor_tags at ON at.actor_id = a.id\n"
    "        WHERE at.tag_id = new.id);"
)
OLD_WRAP = (
    "SELECT a.seq FROM actors a JOIN actor_tags at ON at.actor_id = a.id WHERE at.tag_id = new.id);"
)


def test_a_database_made_by_the_first_releases_passes_and_migrates(tmp_path, monkeypatch):
    assert NEW_WRAP in SEARCH_INDEX
    released = Migration("0002_search_index", SEARCH_INDEX.replace(NEW_WRAP, OLD_WRAP))
    path = tmp_path / "companion.db"
    conn = sqlite3.connect(path, isolation_level=None)
    with monkeypatch.context() as patched:
        patched.setattr(migrations, "MIGRATIONS", [MIGRATIONS[0], released])
        migrate(conn, path)
    stored = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'tags_fts_update'")
    assert OLD_WRAP in stored.fetchone()[0]
    conn.close()
    check_database_file(path)
    store = Store.open(path)
    try:
        store.add_actor("Ressourcerie", "association")
    finally:
        store.close()
    check_database_file(path)


def test_a_database_after_real_work_passes(tmp_path, capsys):
    """Imports (one large enough to rebuild the indexes), undo, merges, an erasure, a sync,
    ANALYZE and PRAGMA optimize: what Companion does to its own database passes."""
    from companion.app.erasure import erase_person
    from companion.directory.merge import merge
    from companion.hub.app import create_app
    from companion.hub.storage import HubStore
    from companion.sync.client import SyncClient

    folder = tmp_path / "donnees"
    database = folder / "companion.db"
    rows = "".join(f"Structure {n};association;Lyon\n" for n in range(1200))
    source = tmp_path / "acteurs.csv"
    source.write_text("Nom;Type;Commune\n" + rows, encoding="utf-8")
    assert main(["import", str(source), "--data", str(folder)]) == 0
    store = Store.open(database)
    try:
        fill(store)
        with store.undoable("Modifier"):
            first = store.add_actor("Doublon", "association", commune="Lyon")
            # The undo journal's triggers are TEMP ones: not in the file's schema.
            temporary = "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'"
            assert store.conn.execute(temporary).fetchone()[0] > 0
            check_schema(store.conn, database)
            check_database_file(database)
        store.journal.undo()
        second = store.add_actor("Doublon bis", "association", commune="Lyon")
        third = store.add_actor("Doublon ter", "association", commune="Lyon")
        merge(store, "actors", second.id, third.id)
        person = store.add_person("Léa", "Martin")
        erase_person(store, person.id)
        hub = HubStore.open(tmp_path / "hub")
        _member, token = hub.add_member("Alice", "member")
        server = LoopbackServer(create_app(hub))
        try:
            SyncClient(store, server.url, token).sync()
        finally:
            server.stop()
            hub.close()
        store.conn.execute("ANALYZE")
        store.conn.execute("PRAGMA optimize")
        assert store.conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
        assert first.id
    finally:
        store.close()
    check_database_file(database)
    made = make_backup(database, folder, MANUAL)
    check_database_file(made.path)
    restore_backup(folder, made)
    Store.open(database).close()


def test_the_demo_database_passes(tmp_path, capsys):
    folder = tmp_path / "demo"
    assert main(["demo", "--catalysts", "12", "--actors", "120", "--data", str(folder)]) == 0
    check_database_file(folder / "companion.db")


def test_an_encrypted_database_is_checked_through_sqlcipher(tmp_path, no_keyring):
    require_module("sqlcipher3")
    from companion.store import encryption

    folder = tmp_path / "donnees"
    folder.mkdir()
    database = folder / "companion.db"
    store = Store.open(database)
    fill(store)
    store.close()
    encryption.encrypt_database(database, "phrase de passe des tests")
    check_database_file(database)
    store = Store.open(database)
    try:
        made = make_backup(store, folder, MANUAL)
        store.conn.execute(FLIP)  # the same attack, inside the encrypted file
    finally:
        store.close()
    with pytest.raises(UnexpectedSchema, match=fr("« flip_private »")):
        Store.open(database)
    with pytest.raises(UnexpectedSchema, match=fr("« flip_private »")):
        check_database_file(database)
    before = digest(database)
    check_database_file(made.path)  # the copy made before it passes
    restore_backup(folder, made)
    assert digest(database) != before
    Store.open(database).close()

    # Made encrypted from the start: SQLCipher's own SQLite wrote every object.
    fresh = tmp_path / "chiffree" / "companion.db"
    fresh.parent.mkdir()
    store = Store.open(fresh, "une autre phrase de passe")
    fill(store)
    store.close()
    check_database_file(fresh)
    Store.open(fresh).close()


def test_the_newest_level_is_recognised_without_building_the_reference(data_dir, monkeypatch):
    from companion.store import schema_check

    newest = schema_check.expected_schema([m.name for m in MIGRATIONS])
    name, digest = schema_check.NEWEST
    assert (name, digest) == (MIGRATIONS[-1].name, schema_check.schema_digest(newest)), (
        "a new migration: set NEWEST in companion/store/schema_check.py to "
        f"({MIGRATIONS[-1].name!r}, {schema_check.schema_digest(newest)!r})"
    )

    def never(level):
        raise AssertionError(f"reference schema built for {level}")

    monkeypatch.setattr(schema_check, "_expected", {})
    monkeypatch.setattr(schema_check, "_build", never)
    check_database_file(data_dir / "companion.db")
    tamper(data_dir / "companion.db", "ANALYZE")
    check_database_file(data_dir / "companion.db")
    tamper(data_dir / "companion.db", FLIP)
    with pytest.raises(AssertionError, match="reference schema built"):
        check_database_file(data_dir / "companion.db")
