"""The full export (one zip: database, files, readable copy, manifest) and its import into
another data folder: the same records come back; a tampered archive is refused."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from companion import __version__
from companion.app.archive import (
    ArchiveError,
    check_archive,
    export_archive,
    import_archive,
    read_archive,
)
from companion.cli import main
from companion.store import Store, backups
from companion.store.migrations import MIGRATIONS
from companion.store.upgrade import migrate
from companion.sync import state
from tests.french import fr

RECORD_TABLES = (
    "actors", "people", "affiliations", "relations", "interactions", "tags", "actor_tags",
    "catalyst_profiles", "map_views", "toolbox_notes", "toolbox_favourites", "settings",
)  # fmt: skip


@pytest.fixture
def source(tmp_path) -> Path:
    """A data folder with records, a toolbox note, hub files, a basemap and secrets."""
    folder = tmp_path / "ancien"
    folder.mkdir()
    store = Store.open(folder / "companion.db")
    try:
        ecole = store.add_actor("École des Jardins", "association", commune="Lyon", siret=None)
        tiers = store.add_actor("Tiers-lieu « La Fabrique »", "collectif", commune="Dijon")
        store.tag_actor(ecole.id, "alimentation")
        alice = store.add_person("Alice", "Martin", email="alice@exemple.example")
        store.add_affiliation(alice.id, ecole.id, role="Présidente")
        store.add_relation(ecole.id, tiers.id, "partenariat")
        store.add_interaction("reunion", "2025-03-14", actor_id=ecole.id, title="Bilan")
        gone = store.add_actor("Supprimé", "autre")
        store.delete_actor(gone.id)
        with store.db.atomic():
            store.db.execute(
                "INSERT INTO toolbox_notes (item_id, text, updated_at) VALUES (?, ?, ?)",
                ("fiche-1", "Ma note : à relire", "2025-04-01T10:00:00.000Z"),
            )
            state.put(store.conn, state.CURSOR, 42)
        backups.make_backup(store, folder, backups.MANUAL)
    finally:
        store.close()
    (folder / "boiteaoutils" / "fiche-1").mkdir(parents=True)
    (folder / "boiteaoutils" / "fiche-1" / "fiche.md").write_text("# Fiche\n", encoding="utf-8")
    (folder / "boiteaoutils" / ".partiel").mkdir()
    (folder / "boiteaoutils" / ".partiel" / "abc").write_bytes(b"moitie")
    (folder / "basemaps").mkdir()
    (folder / "basemaps" / "fond.mbtiles").write_bytes(b"\x00" * 5000)
    (folder / "tile_sources.json").write_text("[]", encoding="utf-8")
    (folder / "jeton-hub").write_text("secret\n", encoding="utf-8")
    (folder / "tiles-osm.mbtiles").write_bytes(b"cache")
    return folder


def table_rows(path: Path) -> dict[str, list[tuple]]:
    conn = backups.open_read_only(path)
    try:
        found = {}
        for table in RECORD_TABLES:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] != "seq"]
            found[table] = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}"))
        return found
    finally:
        conn.close()


def rewrite(archive: Path, target: Path, replace: dict | None = None, add=()) -> Path:
    """A copy of ``archive`` with some entries' bytes changed (the manifest kept)."""
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, (replace or {}).get(info.filename, old.read(info)))
        for name, data in add:
            new.writestr(name, data)
    return target


def test_export_then_import_elsewhere_gives_the_same_records(source, tmp_path):
    out = tmp_path / "export" / "tout.zip"
    summary = export_archive(source / "companion.db", out)
    assert summary.counts == {
        "actors": 2, "people": 1, "relations": 1, "interactions": 1, "toolbox_notes": 1
    }  # fmt: skip
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        readable = archive.read("lisible/acteurs.csv").decode("utf-8-sig")
        everything = json.loads(archive.read("lisible/donnees.json").decode("utf-8"))
        notes = archive.read("lisible/tables/toolbox_notes.csv").decode("utf-8-sig")
    assert {
        "companion.db", "manifest.json", "lisible/acteurs.csv", "lisible/personnes.vcf",
        "lisible/acteurs.geojson", "lisible/donnees.json", "lisible/LISEZMOI.txt",
        "lisible/tables/actors.csv", "lisible/tables/people.csv", "lisible/tables/relations.csv",
        "fichiers/boiteaoutils/fiche-1/fiche.md", "fichiers/basemaps/fond.mbtiles",
        "fichiers/tile_sources.json",
    } <= names  # fmt: skip
    # No backups, no tile cache, no token, no unfinished download.
    assert not [n for n in names if "sauvegardes" in n or "jeton" in n or "partiel" in n]
    assert not [n for n in names if "tiles-osm" in n]
    assert manifest["app_version"] == __version__
    assert manifest["migrations"] == [m.name for m in MIGRATIONS]
    assert manifest["created_at"] and manifest["counts"]["actors"] == 2
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == names - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 for entry in listed.values())
    header, *lines = list(csv.reader(io.StringIO(readable), delimiter=";"))
    assert header[:3] == ["Identifiant", "Nom", "Type"]  # the directory's export: reimports
    assert {line[1] for line in lines} == {"Tiers-lieu « La Fabrique »", "École des Jardins"}
    assert "Ma note : à relire" in notes
    assert {row["name"] for row in everything["tables"]["actors"]} == {
        "École des Jardins", "Tiers-lieu « La Fabrique »"
    }  # fmt: skip

    target = tmp_path / "nouveau"
    done = import_archive(out, target)
    assert done.preview.counts == summary.counts and done.safety is None
    assert done.attachments == 3 and done.migrated == ()
    assert table_rows(target / "companion.db") == table_rows(source / "companion.db")
    assert (target / "boiteaoutils" / "fiche-1" / "fiche.md").read_text() == "# Fiche\n"
    assert (target / "basemaps" / "fond.mbtiles").read_bytes() == b"\x00" * 5000
    assert not (target / "jeton-hub").exists() and not (target / "sauvegardes").exists()
    store = Store.open(target / "companion.db")
    try:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert state.cursor(store.conn) == 0  # the hub's history is read again
        assert [hit.title for hit in store.search("fabrique")] == ["Tiers-lieu « La Fabrique »"]
    finally:
        store.close()


def test_a_tampered_archive_is_refused_naming_the_file(source, tmp_path):
    out = export_archive(source / "companion.db", tmp_path / "tout.zip").path
    target = tmp_path / "nouveau"
    csv_changed = rewrite(out, tmp_path / "a.zip", {"lisible/acteurs.csv": b"Nom\nFaux\n"})
    with pytest.raises(ArchiveError) as refused:
        import_archive(csv_changed, target)
    assert fr("« lisible/acteurs.csv »") in str(refused.value) and "SHA-256" in str(refused.value)
    assert not (target / "companion.db").exists()

    database = zipfile.ZipFile(out).read("companion.db")
    flipped = database[:5000] + bytes([database[5000] ^ 1]) + database[5001:]
    db_changed = rewrite(out, tmp_path / "b.zip", {"companion.db": flipped})
    with pytest.raises(ArchiveError, match=fr("« companion.db »")):
        check_archive(db_changed)

    extra = rewrite(out, tmp_path / "c.zip", add=[("fichiers/basemaps/ajout.mbtiles", b"x")])
    with pytest.raises(ArchiveError, match=fr("« fichiers/basemaps/ajout.mbtiles »")):
        import_archive(extra, target)
    assert not target.exists() or not any(target.iterdir())


def test_names_that_leave_the_folder_are_refused(source, tmp_path):
    out = export_archive(source / "companion.db", tmp_path / "tout.zip").path
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["files"].append({"path": "fichiers/../../evil", "sha256": "0" * 64, "size": 1})
    evil = rewrite(
        out,
        tmp_path / "evil.zip",
        {"manifest.json": json.dumps(manifest).encode()},
        add=[("fichiers/../../evil", b"x")],
    )
    with pytest.raises(ArchiveError, match="n'est pas admis"):
        check_archive(evil)


def test_a_folder_with_data_is_replaced_only_when_asked(source, tmp_path):
    out = export_archive(source / "companion.db", tmp_path / "tout.zip").path
    target = tmp_path / "occupe"
    target.mkdir()
    store = Store.open(target / "companion.db")
    store.add_actor("Déjà là", "collectif")
    store.close()
    with pytest.raises(ArchiveError, match="contient déjà des données"):
        import_archive(out, target)
    done = import_archive(out, target, replace=True)
    assert done.safety is not None and done.safety.label == "avant import d'archive"
    assert backups.preview_database(done.safety.path).counts["actors"] == 1
    assert done.preview.counts["actors"] == 2


def test_an_older_archive_is_migrated_and_a_newer_one_refused(tmp_path):
    old = tmp_path / "vieux" / "companion.db"
    old.parent.mkdir()
    conn = sqlite3.connect(old, isolation_level=None)
    migrate(conn, old, MIGRATIONS[:9])
    conn.execute(
        "INSERT INTO actors (id, name, sort_name, kind, created_at, updated_at) "
        "VALUES ('a1', 'Ancien', 'ancien', 'association', '2024-01-01', '2024-01-01')"
    )
    conn.close()
    out = export_archive(old, tmp_path / "vieux.zip").path
    assert read_archive(out).migrations == tuple(m.name for m in MIGRATIONS[:9])
    done = import_archive(out, tmp_path / "migre")
    assert done.migrated == tuple(m.name for m in MIGRATIONS[9:])
    assert done.preview.counts["actors"] == 1

    future = tmp_path / "futur" / "companion.db"
    future.parent.mkdir()
    Store.open(future).close()
    conn = sqlite3.connect(future)
    conn.execute("INSERT INTO _migrations VALUES ('9999_futur', '2099-01-01')")
    conn.commit()
    conn.close()
    newer = export_archive(future, tmp_path / "futur.zip").path
    with pytest.raises(ArchiveError) as refused:
        import_archive(newer, tmp_path / "vide")
    assert "plus récente" in str(refused.value) and "9999_futur" in str(refused.value)
    assert not (tmp_path / "vide" / "companion.db").exists()


def test_not_an_archive_is_refused(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"pas une archive")
    with pytest.raises(ArchiveError, match="n'est pas une archive Companion"):
        read_archive(tmp_path / "x.zip")
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as archive:
        archive.writestr("bonjour.txt", "bonjour")
    with pytest.raises(ArchiveError, match="manifeste"):
        read_archive(tmp_path / "y.zip")


def test_export_and_import_archive_from_the_command_line(source, tmp_path, capsys):
    out = tmp_path / "tout.zip"
    assert main(["export", "--format", "archive", "--out", str(out), "--data", str(source)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["format"] == "archive" and exported["actors"] == 2
    target = tmp_path / "nouveau"
    assert main(["import-archive", str(out), "--data", str(target)]) == 0
    imported = json.loads(capsys.readouterr().out)
    assert imported["counts"]["actors"] == 2 and imported["attachments"] == 3
    assert main(["import-archive", str(out), "--data", str(target)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["import-archive", str(out), "--replace", "--data", str(target)]) == 0


def test_an_archive_naming_another_hub_never_gets_the_folders_token(source, tmp_path, monkeypatch):
    from companion.sync.credentials import TOKEN_FILE, load_token

    monkeypatch.setenv("COMPANION_KEYRING", "0")
    crafted = Store.open(source / "companion.db")  # as a hostile archive would say
    with crafted.db.atomic():
        state.put(crafted.conn, state.HUB_URL, "https://hub.malveillant.example")
    crafted.close()
    out = export_archive(source / "companion.db", tmp_path / "tout.zip").path
    target = tmp_path / "rejoint"
    target.mkdir()
    joined = Store.open(target / "companion.db")
    with joined.db.atomic():
        state.put(joined.conn, state.HUB_URL, "https://hub.reseau.example")
    joined.close()
    (target / TOKEN_FILE).write_text("jeton-du-reseau\n")  # an earlier version's file
    import_archive(out, target, replace=True)
    assert load_token(target, "https://hub.malveillant.example") is None
    assert load_token(target, "https://hub.reseau.example") == "jeton-du-reseau"
