import hashlib
import re
import sqlite3

import pytest

from companion.protocol.messages import LINK_FIELDS, SYNCED_FIELDS
from companion.store import DatabaseCorrupt, SchemaTooNew, Store
from companion.store.connection import open_database
from companion.store.database import set_aside, table_names
from companion.store.migrations import MIGRATIONS, Migration, applied_migrations
from companion.store.upgrade import migrate


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


# The SHA-256 of each released migration's SQL, as the code that released it produced it
# (taken at commit cb30256, when migrations 0008-0010 and 0013 were still computed from
# companion.sync.capture): a released migration never changes. A new migration adds its line.
RELEASED_SQL_SHA256 = {
    "0001_initial": "c66bcd4333a7a091e7d65929fbe58f87711f98ca642aec745a4281e88089c5c2",
    "0002_search_index": "3eb3ae9ce7c97b2009df1e5b455b509f8698eb18e9088193245bbd92ae8dccf6",
    "0003_live_record_indexes": "4e3e03b453c3f216836414cdb49b8dbbceaa2d768eecb2b276efce41a4f8a899",
    "0004_map_views": "88c96dc3d90e98d4e83fe8b8242804989a7ec1fce5153ef980a0eb81311165c1",
    "0005_map_kind_index": "45c766aaa9694c01a0e4f039bb44b63f04260a2f9ba598c27a4302568d648297",
    "0006_directory_details": "09f9a81f730aa778ba00ae298bd57fb33ac0f801875d86102f09c2687c960781",
    "0007_toolbox": "c9e9457b25e3bcf3a2adf8815422c57f9837dd0eecf81eccdb63636669777e71",
    "0008_sync": "745c1895d47d67c00c4dd726355f8d135103a3b0d8e808792dd16e05fde41213",
    "0009_sync_base": "d6ce794e5c1fb4b62cc30e1776f199c02fe1c22765ed8decee3763a1540477c5",
    "0010_catalyst_profiles": "fcd7ea5ec8ed0f1ee8f83f731411bdbb3c590837e32c71880d756acfcfd2acf5",
    "0011_insights_indexes": "06ebf6d5a599f731bb16d100428b4aabf38c9009dd48d8fabef32cea1c95aef5",
    "0012_sync_refused_values": "51204b8e944274b977cac6ef6b6c31d58c7aa5bbe077dc334860967492e54554",
    "0013_map_stories": "8ded058b754d45baa691d5e36797a0151c1695ad5d042cd10396264960a91eab",
    "0017_import_batches": "a4c99d958e9e1a137241d60b8f3738e47da2716f933edfc5b815c129cf5a1eaf",
    "0014_contact_details": "38f01e6d8f33d2cb1a75b1d83332ca3df06abe4f4ecff700cf4b15c029d846ae",
    "0015_zones": "9bb7d87faa5f351386cf978e11aa375d078594a1d02d3ffda51d78b4c5a30ac0",
}


def test_released_migrations_never_change():
    assert [m.name for m in MIGRATIONS] == list(RELEASED_SQL_SHA256), (
        "a migration was added, removed or reordered: a new one adds its digest above"
    )
    changed = [
        m.name
        for m in MIGRATIONS
        if hashlib.sha256(m.sql.encode("utf-8")).hexdigest() != RELEASED_SQL_SHA256[m.name]
    ]
    assert changed == [], "released migrations never change: add a new one instead"


def test_the_frozen_capture_triggers_capture_every_synced_field(tmp_path):
    """The triggers a migrated database holds (frozen SQL, store/sync_triggers.py) stamp
    exactly the fields the protocol syncs: an edit of any other field would never travel."""
    store = Store.open(tmp_path / "companion.db")
    rows = store.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    triggers = dict(rows.fetchall())
    store.close()
    for table, fields in SYNCED_FIELDS.items():
        update = triggers[f"sync_{table}_update"]
        captured = set(re.findall(r"SELECT '(\w+)' AS f WHERE old\.(\w+) IS NOT new\.\2", update))
        assert {name for name, _column in captured} == set(fields) - {"visibility"}, table
        assert all(name == column for name, column in captured), table
        for kind in ("shared", "unshared"):
            assert f"AFTER UPDATE OF visibility ON {table}" in triggers[f"sync_{table}_{kind}"]
    assert LINK_FIELDS == {"actors": "tags"}  # an actor's tags: links in actor_tags
    for trigger in ("sync_actor_tags_delete", "actor_tags_fts_insert"):
        assert "SELECT 'tags' AS f" in triggers[trigger]
