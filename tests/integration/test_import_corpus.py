"""Broken files of every import format (issue #14, item 7): each is refused with a French
message naming it and exit code 2, never a traceback, and the data folder is left as it was.

The corpus is built here: empty, truncated and random files, wrong encodings, NUL bytes,
huge lines, zip bombs (a 1 GiB entry compressed to about 1 MB, streamed), headers that
lie, entity bombs and XXE in a workbook's XML, 100,000-deep JSON, manifests with wrong
types, and seeded bit flips of valid samples. Most run through ``main()`` in-process;
a few go through a real ``python -m companion`` to prove the process itself never
prints a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import random
import struct
import subprocess
import sys
import traceback
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from companion.app.archive import export_archive
from companion.cli import main
from companion.store import Store
from tests.french import fr

SEED = 14
MUTANTS = 12  # bit-flipped copies of each valid sample
GIB = 1 << 30


@dataclass(frozen=True)
class Case:
    path: Path
    strict: bool = True  # must be refused; False: a mutant, which may happen to stay valid

    @property
    def label(self) -> str:
        return self.path.name


def run(arguments: list[str]) -> tuple[int, str, str]:
    """``companion ARGUMENTS`` in this process: (exit code, stdout, stderr); an exception
    that escapes ``main`` is returned as a traceback on stderr, as Python would print it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(arguments)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:  # noqa: BLE001 - what the user would see
            traceback.print_exc()
            code = 1
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def judge(case: Case, code: int, err: str, before: dict, after: dict) -> str | None:
    """Why a run is wrong, or None."""
    if "Traceback" in err:
        return f"{case.label}: traceback\n{err[-1500:]}"
    if before != after:
        changed = set(before.items()) ^ set(after.items())
        return f"{case.label}: data folder changed ({sorted(name for name, _ in changed)})"
    if code == 0 and not case.strict:
        return None
    if code != 2:
        return f"{case.label}: exit code {code}, expected 2\n{err[-500:]}"
    if case.path.name not in err:
        return f"{case.label}: the message does not name the file: {err[-300:]!r}"
    if not any(mark in err for mark in (fr("Erreur : "), "Fichier refusé")):
        return f"{case.label}: no French message: {err[-300:]!r}"
    return None


# -- valid samples -----------------------------------------------------------------------


def french_csv(folder: Path) -> Path:
    path = folder / "acteurs.csv"
    path.write_bytes(
        "Nom;Type;Code postal;Ville;Courriel\r\n"
        "Épicerie solidaire;Association;94120;Fontenay-sous-Bois;epicerie@exemple.example\r\n"
        "Garage « Roue libre »;Entreprise;69001;Lyon;\r\n".encode("cp1252")
    )
    return path


def contacts_csv(folder: Path) -> Path:
    path = folder / "contacts.csv"
    path.write_bytes(
        "Prénom;Nom;Société;Adresse de messagerie;Téléphone\r\n"
        "Alix;Trombelle;Collectif Lumière;alix@lumiere.example;01 23 45 67 89\r\n"
        "Basile;Orme;;basile@orme.example;\r\n".encode("cp1252")
    )
    return path


def vcard(folder: Path) -> Path:
    path = folder / "carnet.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Durivaud;Camille;;;\r\nFN:Camille Durivaud\r\n"
        b"ORG:Association Bravelune\r\nEMAIL:camille@exemple.example\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=89lo;Anna\r\n"
        b"TEL;WORK:+33 1 23 45 67 89\r\nEND:VCARD\r\n"
    )
    return path


def workbook(folder: Path) -> Path:
    path = folder / "classeur.xlsx"
    book = Workbook()
    for row in (
        ["Nom", "Type", "Code postal", "Latitude"],
        ["Épicerie", "Association", 94120, 48.85],
        ["Garage", "Entreprise", "69001", None],
    ):
        book.active.append(row)
    book.save(path)
    return path


def geojson(folder: Path) -> Path:
    path = folder / "carte.geojson"
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
            "properties": {"name": "Jardin partagé", "type": "Association"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [4.83, 45.76]},
            "properties": {"name": "Tiers-lieu", "description": "Un lieu"},
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def gogocarto(folder: Path) -> Path:
    path = folder / "gogocarto.json"
    elements = [
        {
            "id": "a1",
            "name": "Ressourcerie",
            "geo": {"latitude": 45.76, "longitude": 4.83},
            "address": {"postalCode": "69001", "addressLocality": "Lyon"},
            "categories": ["Association", "Réemploi"],
        },
        {"id": "a2", "title": "Café associatif", "geo": {"latitude": 48.85, "longitude": 2.35}},
    ]
    path.write_text(json.dumps({"ontology": "gogosmall", "data": elements}), "utf-8")
    return path


def archive(folder: Path) -> Path:
    data = folder / "source"
    data.mkdir()
    store = Store.open(data / "companion.db")
    try:
        store.add_actor("École des Jardins", "association", commune="Lyon")
        store.add_person("Alice", "Martin", notes="=1+1")
    finally:
        store.close()
    return export_archive(data / "companion.db", folder / "archive.zip").path


# -- broken files ------------------------------------------------------------------------


def generic_breakage(sample: Path, folder: Path, rng: random.Random) -> list[Case]:
    """What happens to any file: empty, cut, random, NUL bytes, other encodings, bit flips."""
    content = sample.read_bytes()
    stem, suffix = sample.stem, sample.suffix
    made: list[tuple[str, bytes, bool]] = [
        ("vide", b"", True),
        ("tronque", content[: len(content) // 2], suffix in (".xlsx", ".zip", ".json", ".vcf")),
        ("aleatoire", rng.randbytes(4096), True),
        ("nuls", b"\x00" * 2048, True),
        ("nul-au-milieu", content[:20] + b"\x00" * 64 + content[20:], True),
    ]
    if suffix not in (".xlsx", ".zip"):
        text = content.decode("utf-8", errors="replace")
        made.append(("utf16", text.encode("utf-16"), True))
        made.append(("utf32", text.encode("utf-32"), True))
    for number in range(MUTANTS):
        mutant = bytearray(content)
        for _flip in range(rng.randint(1, 8)):
            position = rng.randrange(len(mutant))
            mutant[position] ^= 1 << rng.randrange(8)
        made.append((f"mutant{number:02d}", bytes(mutant), False))
    cases = []
    for name, data, strict in made:
        path = folder / f"{stem}-{name}{suffix}"
        path.write_bytes(data)
        cases.append(Case(path, strict))
    return cases


def huge_line(folder: Path, name: str, head: bytes) -> Case:
    """One line of 8 MB (no line break), after a plausible start."""
    path = folder / name
    with path.open("wb") as out:
        out.write(head)
        out.write(b"A" * (8 << 20))
    return Case(path)


def zip_with(path: Path, entries: dict[str, bytes], like: Path | None = None) -> Path:
    """A zip holding ``like``'s entries (if given) with ``entries`` replacing or adding."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        if like is not None:
            with zipfile.ZipFile(like) as source:
                for info in source.infolist():
                    if info.filename not in entries:
                        out.writestr(info.filename, source.read(info))
        for name, data in entries.items():
            out.writestr(name, data)
    return path


def zero_bomb(path: Path, name: str, size: int, like: Path | None = None) -> str:
    """A zip whose entry ``name`` is ``size`` zero bytes, compressed as it is written (never
    held whole); returns the entry's SHA-256."""
    digest = hashlib.sha256()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        if like is not None:
            with zipfile.ZipFile(like) as source:
                for info in source.infolist():
                    if info.filename not in (name, "manifest.json"):
                        out.writestr(info.filename, source.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as entry:
            for _ in range(size // len(chunk)):
                entry.write(chunk)
                digest.update(chunk)
    return digest.hexdigest()


def lie_about_size(path: Path, name: str, declared: int) -> None:
    """Rewrite the central directory so that ``name`` claims ``declared`` bytes (32-bit)."""
    data = bytearray(path.read_bytes())
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        assert position >= 0, f"{name} not in the central directory"
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            break
        position += 4
    struct.pack_into("<I", data, position + 24, declared)
    path.write_bytes(bytes(data))


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def xxe_sheet(secret: Path) -> str:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )


SHEET = (
    '<?xml version="1.0"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>{rows}</sheetData></worksheet>"
)
NAME_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>'


def workbook_breakage(sample: Path, folder: Path, secret: Path) -> list[Case]:
    sheet = "xl/worksheets/sheet1.xml"
    cases = [
        Case(zip_with(folder / "lol.xlsx", {sheet: BILLION_LAUGHS.encode()}, sample)),
        Case(zip_with(folder / "xxe.xlsx", {sheet: xxe_sheet(secret).encode()}, sample)),
        Case(
            zip_with(folder / "xxe-utf16.xlsx", {sheet: xxe_sheet(secret).encode("utf-16")}, sample)
        ),
        Case(
            zip_with(
                folder / "lignes-infinies.xlsx",
                {
                    sheet: SHEET.format(
                        dimension="", rows=NAME_ROW + '<row r="999999999999"/>'
                    ).encode()
                },
                sample,
            )
        ),
        Case(
            zip_with(
                folder / "colonnes.xlsx",
                {
                    sheet: SHEET.format(
                        dimension='<dimension ref="A1:XFD1048576"/>',
                        rows=NAME_ROW
                        + "".join(
                            f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>'
                            for n in range(2, 20000)
                        ),
                    ).encode()
                },
                sample,
            )
        ),
        Case(zip_with(folder / "sans-feuille.xlsx", {}, None)),
        Case(
            zip_with(
                folder / "feuille-absente.xlsx",
                {"xl/_rels/workbook.xml.rels": b"<Relationships/>"},
                sample,
            )
        ),
        Case(zip_with(folder / "pas-du-xml.xlsx", {sheet: b"\x00\xff" * 1000}, sample)),
    ]
    bomb = folder / "bombe.xlsx"
    zero_bomb(bomb, sheet, GIB, like=sample)
    cases.append(Case(bomb))
    lying = zip_with(folder / "menteur.xlsx", {sheet: b" " * (4 << 20)}, sample)
    lie_about_size(lying, sheet, 100)
    cases.append(Case(lying))
    many = folder / "nombreux.xlsx"
    with zipfile.ZipFile(many, "w") as out:
        with zipfile.ZipFile(sample) as source:
            for info in source.infolist():
                out.writestr(info.filename, source.read(info))
        for number in range(20_000):
            out.writestr(f"xl/media/vide{number}.bin", b"")
    cases.append(Case(many))
    return cases


def json_breakage(folder: Path, stem: str, suffix: str) -> list[Case]:
    deep = "[" * 100_000 + "]" * 100_000
    deep_object = '{"a":' * 100_000 + "1" + "}" * 100_000
    texts = {
        "profond": deep,
        "profond-objet": deep_object,
        "profond-dans": '{"type": "FeatureCollection", "features": [' + deep + "]}",
        "nan": '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
        '{"type": "Point", "coordinates": [NaN, Infinity]}, "properties": {"name": "x"}}]}',
        "grand-nombre": '{"features": [' + "9" * 5000 + "]}",
        "types": '{"type": "FeatureCollection", "features": {"a": 1}}',
        "types-coordonnees": '{"features": [{"geometry": {"type": "Point", "coordinates": 5},'
        ' "properties": {"name": "x"}}, {"geometry": {"type": "Point", "coordinates": '
        '{"a": 1}}, "properties": ["x"]}, {"geometry": "Point"}, 7, null]}',
        "types-gogocarto": '{"data": [{"name": {"a": 1}, "geo": [1, 2], "address": 5, '
        '"categories": "x", "id": {"b": 2}}, "texte", 3, [], {"geo": {"latitude": '
        '{"x": 1}, "longitude": []}, "name": ["a"]}]}',
        "gogocarto-vide": '{"data": []}',
        "scalaire": "42",
        "chaine": '"FeatureCollection"',
    }
    cases = []
    for name, text in texts.items():
        path = folder / f"{stem}-{name}{suffix}"
        path.write_text(text, encoding="utf-8")
        cases.append(Case(path))
    # Values nested just within the parser's reach: read, never turned into text.
    inner = "[" * 960 + "1" + "]" * 960
    path = folder / f"{stem}-valeurs-profondes{suffix}"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
        f'{{"type": "Point", "coordinates": [2.35, 48.85]}}, "properties": {{"name": "x", '
        f'"description": {inner}, "etiquettes": [{inner}]}}}}], "data": [{{"name": {inner}, '
        f'"ontology": {inner}, "description": {inner}}}]}}',
        encoding="utf-8",
    )
    cases.append(Case(path, strict=False))
    return cases


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def archive_breakage(sample: Path, folder: Path) -> list[Case]:
    good = manifest_of(sample)
    wrong = {
        "version-texte": {**good, "format_version": "1"},
        "fichiers-objet": {**good, "files": {"companion.db": "abc"}},
        "fichiers-taille": {
            **good,
            "files": [{**entry, "size": "grand"} for entry in good["files"]],
        },
        "fichiers-nombres": {**good, "files": [1, 2]},
        "comptes-texte": {**good, "counts": {"actors": "beaucoup"}},
        "comptes-liste": {**good, "counts": [1, 2]},
        "migrations-nombre": {**good, "migrations": 7},
        "date-objet": {**good, "created_at": {"jour": 1}},
        "liste": [good],
        "empreinte-nombre": {
            **good,
            "files": [{**entry, "sha256": 12} for entry in good["files"]],
        },
    }
    cases = [
        Case(zip_with(folder / f"manifeste-{name}.zip", {"manifest.json": json.dumps(value)
                                                         .encode()}, sample))
        for name, value in wrong.items()
    ]  # fmt: skip
    deep = "[" * 100_000 + "]" * 100_000
    cases.append(
        Case(zip_with(folder / "manifeste-profond.zip", {"manifest.json": deep.encode()}, sample))
    )
    cases.append(
        Case(
            zip_with(
                folder / "manifeste-latin1.zip",
                {"manifest.json": json.dumps(good).encode() + "é".encode("latin-1")},
                sample,
            )
        )
    )
    bomb = folder / "bombe.zip"
    digest = zero_bomb(bomb, "companion.db", GIB, like=sample)
    manifest = {**good, "files": [e for e in good["files"] if e["path"] != "companion.db"]}
    manifest["files"].append({"path": "companion.db", "sha256": digest, "size": GIB})
    with zipfile.ZipFile(bomb, "a") as out:
        out.writestr("manifest.json", json.dumps(manifest))
    cases.append(Case(bomb))
    lying = folder / "menteur.zip"
    with zipfile.ZipFile(sample) as source:
        database = source.read("companion.db")
    zip_with(lying, {"companion.db": database + b"\x00" * (4 << 20)}, sample)
    lie_about_size(lying, "companion.db", len(database))
    cases.append(Case(lying))
    cases.append(Case(zip_with(folder / "sans-base.zip", {"manifest.json": b"{}"}, None)))
    return cases


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, list[Case]]:
    folder = tmp_path_factory.mktemp("corpus")
    rng = random.Random(SEED)
    secret = folder / "secret.txt"
    secret.write_text("mot de passe secret\n", encoding="utf-8")
    samples = {
        "csv": french_csv(folder),
        "contacts": contacts_csv(folder),
        "vcard": vcard(folder),
        "xlsx": workbook(folder),
        "geojson": geojson(folder),
        "gogocarto": gogocarto(folder),
        "archive": archive(folder),
    }
    cases = {kind: generic_breakage(path, folder, rng) for kind, path in samples.items()}
    cases["csv"].append(huge_line(folder, "ligne-immense.csv", b"Nom;Type\r\n"))
    cases["vcard"].append(huge_line(folder, "ligne-immense.vcf", b"BEGIN:VCARD\r\nNOTE:"))
    cases["contacts"].append(huge_line(folder, "contacts-immense.csv", b"Pr\xe9nom;Nom\r\nA;"))
    cases["xlsx"] += workbook_breakage(samples["xlsx"], folder, secret)
    cases["geojson"] += json_breakage(folder, "carte", ".geojson")
    cases["gogocarto"] += json_breakage(folder, "gogocarto", ".json")
    cases["archive"] += archive_breakage(samples["archive"], folder)
    return {"samples": samples, **cases}


def data_folder(tmp_path: Path) -> Path:
    """A data folder with a database and one actor, as a first import leaves it."""
    data = tmp_path / "donnees"
    data.mkdir()
    store = Store.open(data / "companion.db")
    try:
        store.add_actor("Déjà là", "collectif")
    finally:
        store.close()
    return data


IMPORT_FORMATS = ("csv", "contacts", "vcard", "xlsx", "geojson", "gogocarto")


@pytest.mark.parametrize("kind", IMPORT_FORMATS)
def test_broken_files_are_refused_in_french_and_change_nothing(corpus, kind, tmp_path):
    data = data_folder(tmp_path)
    assert run(["import", str(corpus["samples"][kind]), "--dry-run", "--data", str(data)])[0] == 0
    failures = []
    for case in corpus[kind]:
        modes = (["--dry-run"], []) if case.strict else (["--dry-run"],)
        for mode in modes:
            before = snapshot(data)
            code, _out, err = run(["import", str(case.path), *mode, "--data", str(data)])
            problem = judge(case, code, err, before, snapshot(data))
            if problem:
                failures.append(f"[{' '.join(mode) or 'import'}] {problem}")
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)


def test_broken_archives_are_refused_and_nothing_is_extracted(corpus, tmp_path):
    occupied = data_folder(tmp_path)
    failures = []
    for number, case in enumerate(corpus["archive"]):
        empty = tmp_path / f"vide{number}"
        for data, extra in ((empty, []), (occupied, ["--replace"])):
            before = snapshot(data)
            code, _out, err = run(["import-archive", str(case.path), *extra, "--data", str(data)])
            problem = judge(case, code, err, before, snapshot(data))
            if code == 0 and not case.strict:
                continue  # a mutant that stayed valid was imported: fine
            if problem:
                failures.append(problem)
            elif data == empty and empty.exists():
                failures.append(f"{case.label}: created {empty}")
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)


def test_restore_refuses_what_is_no_backup(corpus, tmp_path):
    data = data_folder(tmp_path)
    # Random bytes look like an encrypted copy: the passphrase is given (a wrong one), so
    # that nothing is asked on a terminal.
    key_file = tmp_path / "phrase.txt"
    key_file.write_text("pas la bonne\n", encoding="utf-8")
    failures = []
    chosen = [c for c in corpus["archive"] + corpus["csv"] if c.strict][:12]
    for case in chosen:
        before = snapshot(data)
        code, _out, err = run(
            ["restore", str(case.path), "--backup-key-file", str(key_file), "--data", str(data)]
        )
        problem = judge(case, code, err, before, snapshot(data))
        if problem:
            failures.append(problem)
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)


def test_a_real_process_prints_no_traceback(corpus, tmp_path):
    """A handful of the worst files through ``python -m companion`` itself."""
    data = data_folder(tmp_path)
    names = {
        "bombe.xlsx", "lol.xlsx", "xxe.xlsx", "carte-profond.geojson",
        "gogocarto-types-gogocarto.json", "acteurs-aleatoire.csv", "carnet-utf32.vcf",
    }  # fmt: skip
    chosen = [c for kind in IMPORT_FORMATS for c in corpus[kind] if c.label in names]
    assert len(chosen) == len(names)
    environment = {**os.environ, "COMPANION_LANG": "fr", "PYTHONPATH": os.getcwd()}
    for case in chosen:
        before = snapshot(data)
        done = subprocess.run(
            [sys.executable, "-m", "companion", "import", str(case.path), "--data", str(data)],
            capture_output=True,
            text=True,
            env=environment,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert judge(case, done.returncode, done.stderr, before, snapshot(data)) is None
        assert "Traceback" not in done.stdout
    bomb = next(c for c in corpus["archive"] if c.label == "bombe.zip")
    done = subprocess.run(
        [sys.executable, "-m", "companion", "import-archive", str(bomb.path), "--data",
         str(tmp_path / "neuf")],
        capture_output=True, text=True, env=environment, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    assert judge(bomb, done.returncode, done.stderr, {}, snapshot(tmp_path / "neuf")) is None
    assert not (tmp_path / "neuf").exists()
