import hashlib
import sqlite3

import pytest

from companion.store import DatabaseCorrupt, SchemaTooNew, Store
from companion.store.database import open_database, set_aside, table_names
from companion.store.migrations import MIGRATIONS, Migration, applied_migrations, migrate


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_schema_database(path):
    """A database as the first release left it, with data in it."""
    db = open_database(path)
    migrate(db, path, migrations=MIGRATIONS[:1])
    db.execute(
        "INSERT INTO actors (id, name, sort_name, kind, commune, created_at, updated_at) "
        "VALUES ('a1', 'Épicerie solidaire du Vercors', 'epicerie solidaire du vercors', "
        "'association', 'Villard-de-Lans', '2025-01-01', '2025-01-01')"
    )
    db.execute(
        "INSERT INTO people (id, first_name, last_name, created_at, updated_at) "
        "VALUES ('p1', 'Alix', 'Trombelle', '2025-01-01', '2025-01-01')"
    )
    db.close()


def test_upgrade_from_first_schema_backs_up_then_indexes_old_rows(tmp_path):
    path = tmp_path / "companion.db"
    first_schema_database(path)

    store = Store.open(path)
    assert applied_migrations(store.conn) == [m.name for m in MIGRATIONS]
    assert [a.id for a in store.actors("epicerie vercors")] == ["a1"]
    assert [h.id for h in store.search("trombelle")] == ["p1"]
    store.close()

    [backup] = (tmp_path / "sauvegardes").iterdir()
    assert "avant-0002_search_index" in backup.name
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT name FROM actors").fetchall() == [
        ("Épicerie solidaire du Vercors",)
    ]
    assert copy.execute("SELECT name FROM _migrations").fetchall() == [("0001_initial",)]
    copy.close()


def test_new_database_needs_no_backup(tmp_path):
    Store.open(tmp_path / "companion.db").close()
    assert not (tmp_path / "sauvegardes").exists()


def test_failed_migration_rolls_back_whole(tmp_path):
    path = tmp_path / "companion.db"
    first_schema_database(path)
    broken = Migration("0002_broken", "CREATE TABLE half_done (x); INSERT INTO nowhere VALUES (1);")
    db = open_database(path)
    with pytest.raises(sqlite3.OperationalError):
        _apply_extra(db, path, broken)
    assert "half_done" not in table_names(db)
    assert applied_migrations(db) == ["0001_initial"]
    db.close()


def _apply_extra(db, path, migration):
    from companion.store import migrations

    saved = list(migrations.MIGRATIONS)
    migrations.MIGRATIONS[:] = [*saved[:1], migration]
    try:
        migrate(db, path)
    finally:
        migrations.MIGRATIONS[:] = saved


def test_database_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "companion.db"
    Store.open(path).close()
    db = open_database(path)
    db.execute("INSERT INTO _migrations VALUES ('0099_future', '2030-01-01')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = digest(path)
    with pytest.raises(SchemaTooNew) as raised:
        Store.open(path)
    assert "version plus récente" in str(raised.value) and "0099_future" in str(raised.value)
    assert digest(path) == before


def test_corrupt_file_is_refused_untouched_and_can_be_set_aside(tmp_path):
    path = tmp_path / "companion.db"
    path.write_bytes(b"this is not a database at all" * 100)
    before = digest(path)
    with pytest.raises(DatabaseCorrupt) as raised:
        Store.open(path)
    assert "endommagé" in str(raised.value)
    assert digest(path) == before

    aside = set_aside(path)
    assert not path.exists() and digest(aside) == before
    Store.open(path).close()  # a fresh database can now be created


def test_damaged_pages_are_detected_before_migrating(tmp_path):
    path = tmp_path / "companion.db"
    first_schema_database(path)
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 200] = b"\xff" * 200  # garbage over a table page
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(DatabaseCorrupt):
        Store.open(path)
    assert digest(path) == before
