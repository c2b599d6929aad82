"""Limits on what an import reads (issue #14, item 7): zip bombs, lying zip directories,
DTDs in a workbook's XML, deep JSON, typed manifests, room on disk, NUL bytes."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from collections import namedtuple
from pathlib import Path

import pytest
from openpyxl import Workbook

from companion.app.archive import ArchiveError, check_archive, export_archive, import_archive
from companion.geo import Gazetteer
from companion.io.textfile import UnreadableFile
from companion.store import Store
from tests.french import fr

MIB = 1 << 20


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    store = Store.open(folder / "companion.db")
    try:
        store.add_actor("École des Jardins", "association")
    finally:
        store.close()
    return export_archive(folder / "companion.db", tmp_path / "tout.zip").path


def workbook(path: Path, sheet_xml: bytes | None = None) -> Path:
    book = Workbook()
    book.active.append(["Nom", "Type"])
    book.active.append(["Épicerie", "Association"])
    book.save(path)
    if sheet_xml is not None:
        replace_entries(path, {"xl/worksheets/sheet1.xml": sheet_xml})
    return path


def replace_entries(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as old:
        kept = [(info.filename, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in kept:
            new.writestr(name, entries.pop(name, data))
        for name, data in entries.items():
            new.writestr(name, data)


def declare_size(path: Path, name: str, size: int) -> None:
    """Make the zip's central directory claim ``size`` bytes for ``name``."""
    data = bytearray(path.read_bytes())
    position = 0
    while True:
        position = data.index(b"PK\x01\x02", position)
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            break
        position += 4
    struct.pack_into("<I", data, position + 24, size)
    path.write_bytes(bytes(data))


def test_a_workbook_bomb_is_refused_from_its_directory(store, gazetteer, tmp_path):
    from companion.io.actor_import import plan_import

    bomb = workbook(tmp_path / "bombe.xlsx", b" " * (64 * MIB))
    with pytest.raises(UnreadableFile, match=r"bombe\.xlsx.*bombe zip"):
        plan_import(store, gazetteer, bomb)


def test_a_workbook_with_an_external_entity_never_reads_the_file(store, gazetteer, tmp_path):
    from companion.io.actor_import import plan_import

    secret = tmp_path / "secret.txt"
    secret.write_text("mot de passe", encoding="utf-8")
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Nom {n}</t></is></c></row>'
            for n in range(1, 300)
        ) + '<row r="300"><c r="A300" t="inlineStr"><is><t>&x;</t></is></c></row>'
        "</sheetData></worksheet>"
    )  # fmt: skip
    path = workbook(tmp_path / "xxe.xlsx", sheet.encode())
    with pytest.raises(UnreadableFile, match=r"xxe\.xlsx.*DTD"):
        plan_import(store, gazetteer, path)


def test_a_workbook_in_an_unknown_xml_encoding_is_refused(tmp_path):
    from companion.io.xlsx import read_xlsx_records

    sheet = b'<?xml version="1.0" encoding="cp500"?><worksheet/>'
    with pytest.raises(UnreadableFile, match="cp500"):
        list(read_xlsx_records(workbook(tmp_path / "ebcdic.xlsx", sheet)))


def test_stray_cells_far_right_are_cut_but_values_there_are_refused(tmp_path):
    from companion.io.xlsx import read_xlsx_records

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    styled = (
        f'<worksheet xmlns="{ns}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c><c r="XFD1" s="0"/></row>'
        "</sheetData></worksheet>"
    )
    records = list(read_xlsx_records(workbook(tmp_path / "style.xlsx", styled.encode())))
    assert [record.cells[:1] for record in records] == [["Nom"]]  # no padded million rows
    assert len(records[0].cells) == 1000
    wide = styled.replace('s="0"/>', "><v>1</v></c>")
    with pytest.raises(UnreadableFile, match="1000 colonnes"):
        list(read_xlsx_records(workbook(tmp_path / "large.xlsx", wide.encode())))


def test_an_archive_bomb_is_refused_before_anything_is_written(archive, tmp_path):
    import hashlib

    database = bytes(64 * MIB)
    with zipfile.ZipFile(archive) as source:
        manifest = json.loads(source.read("manifest.json"))
    for entry in manifest["files"]:
        if entry["path"] == "companion.db":
            entry.update(sha256=hashlib.sha256(database).hexdigest(), size=len(database))
    replace_entries(
        archive, {"companion.db": database, "manifest.json": json.dumps(manifest).encode()}
    )
    target = tmp_path / "nouveau"
    with pytest.raises(ArchiveError, match=r"tout\.zip.*bombe zip"):
        import_archive(archive, target)
    assert not target.exists()


def test_an_archive_directory_that_lies_is_refused(archive, tmp_path):
    declare_size(archive, "companion.db", 3 << 30)  # 3 GiB announced, a few KB stored
    with pytest.raises(ArchiveError, match="bombe zip"):
        check_archive(archive)


MANIFEST_CHANGES = {
    "format_version": "1",
    "counts": {"actors": "beaucoup"},
    "migrations": 7,
    "created_at": {"jour": 1},
    "database_encrypted": "non",
    "files": {"companion.db": "abc"},
}


@pytest.mark.parametrize("field", MANIFEST_CHANGES)
def test_a_manifest_with_wrong_types_is_refused_in_french(archive, tmp_path, field):
    with zipfile.ZipFile(archive) as source:
        manifest = json.loads(source.read("manifest.json"))
    manifest[field] = MANIFEST_CHANGES[field]
    replace_entries(archive, {"manifest.json": json.dumps(manifest).encode()})
    target = tmp_path / "nouveau"
    with pytest.raises(ArchiveError, match=fr(r"« tout\.zip »")):
        import_archive(archive, target)
    assert not target.exists()


def test_a_manifest_size_that_differs_from_the_zip_is_refused(archive, tmp_path):
    with zipfile.ZipFile(archive) as source:
        manifest = json.loads(source.read("manifest.json"))
    for entry in manifest["files"]:
        entry["size"] += 1
    replace_entries(archive, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(ArchiveError, match="taille ou son empreinte"):
        check_archive(archive)


def test_an_archive_that_does_not_fit_on_the_disk_is_refused(archive, tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10_000, 9_000, 1_000))
    target = tmp_path / "nouveau"
    with pytest.raises(ArchiveError, match="espace libre"):
        import_archive(archive, target)
    assert not target.exists()


def test_deep_json_is_refused_in_french(store, gazetteer, tmp_path):
    from companion.io.geojson_io import plan_geojson

    deep = tmp_path / "profond.geojson"
    deep.write_text('{"features": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"profond\.geojson.*imbriquées"):
        plan_geojson(store, gazetteer, deep)


def test_geojson_coordinates_of_the_wrong_type_are_a_problem(store, gazetteer, tmp_path):
    from companion.io.geojson_io import plan_geojson

    path = tmp_path / "types.geojson"
    feature = {"geometry": {"type": "Point", "coordinates": 5}, "properties": {"name": "x"}}
    path.write_text(json.dumps({"features": [feature]}), encoding="utf-8")
    plan = plan_geojson(store, gazetteer, path)
    assert [str(problem) for problem in plan.problems] == [
        fr("Élément 1 : coordonnées du point illisibles")
    ]


def test_text_files_with_nul_bytes_or_nothing_in_them_are_refused(store, gazetteer, tmp_path):
    from companion.io.actor_import import plan_import
    from companion.io.vcard import VCardError, read_cards

    csv = tmp_path / "binaire.csv"
    csv.write_bytes(b"Nom;Type\r\nA\x00\x00;Association\r\n")
    with pytest.raises(UnreadableFile, match=fr(r"binaire\.csv », ligne 2 : octet nul")):
        plan_import(store, gazetteer, csv)
    empty = tmp_path / "vide.vcf"
    empty.write_bytes(b"\r\n")
    with pytest.raises(VCardError, match="aucune fiche"):
        read_cards(empty)


def test_files_too_large_to_read_whole_are_refused(store, gazetteer, tmp_path, monkeypatch):
    from companion.io import limits
    from companion.io.actor_import import plan_import

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "gros.csv"
    big.write_bytes(b"Nom\r\n" + b"Acteur\r\n" * 200)
    with pytest.raises(UnreadableFile, match="trop volumineux"):
        plan_import(store, gazetteer, big)


def test_a_mapping_file_nested_too_deep_is_refused(tmp_path, capsys):
    from companion.cli import main

    source = tmp_path / "a.csv"
    source.write_bytes(b"Nom;Ville\r\nA;Lyon\r\n")
    mapping = tmp_path / "m.json"
    mapping.write_text('{"Nom": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    data = tmp_path / "donnees"
    assert main(["import", str(source), "--mapping", str(mapping), "--data", str(data)]) == 2
    assert fr("Correspondance « ") in capsys.readouterr().err
