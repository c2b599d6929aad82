"""All of a user's data in one zip archive, and its import on another machine. Qt-free.

An archive holds:

- ``companion.db``: the database, a consistent copy (SQLite's online backup API);
- ``fichiers/``: the files of the data folder that the database relies on and that
  nothing could bring back: toolbox items received from the hub (``boiteaoutils/``,
  listed in the database), imported basemaps (``basemaps/``) and the tile sources
  chosen (``tile_sources.json``). Personal notes of the toolbox are in the database;
  documents made from templates are written to the user's Documents folder, outside
  the data folder, and are not part of it. Left out too: the backups (older copies
  of the same), the tile cache (downloaded again) and the hub's token (a secret,
  asked again on the new machine);
- ``lisible/``: a copy anyone can read without Companion: ``acteurs.csv`` (the
  directory's export, which imports back), ``personnes.vcf``, ``acteurs.geojson``,
  one CSV per table of records in ``tables/``, and ``donnees.json`` (all of it),
  in UTF-8;
- ``manifest.json``: format, app version, the database's migrations, counts, date,
  and the SHA-256 and size of every other file, checked before anything is imported.

An encrypted database (``store/encryption.py``) stays encrypted in the archive, under
the same key (importing it asks for it); ``lisible/`` is plaintext by nature, so the
archive as a whole is not encrypted: the dialog and the command say so
(``ENCRYPTED_WARNING``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from companion import __version__, filemodes
from companion.errors import CompanionError
from companion.i18n import _
from companion.store import backups, encryption
from companion.store.backups import Backup, Preview
from companion.store.database import errors as database_errors

Progress = Callable[[int, int, str], None]

FORMAT = "companion-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_ENTRY = "companion.db"
FILES = "fichiers"
READABLE = "lisible"
# What of the data folder goes along (a folder or a file at its root).
ATTACHMENTS = ("boiteaoutils", "basemaps", "tile_sources.json")
_SKIPPED = {".partiel"}  # unfinished downloads inside boiteaoutils/
# The tables of the readable copy (live rows only: the database keeps the rest).
READABLE_TABLES = (
    "actors", "people", "affiliations", "relations", "interactions", "tags", "actor_tags",
    "catalyst_profiles", "map_views", "toolbox_notes", "toolbox_favourites", "zones",
)  # fmt: skip
_CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 32 << 20  # about 200,000 files listed


def encrypted_warning() -> str:
    return _(
        "La base est chiffrée, mais l'archive ne l'est pas : sa copie lisible (lisible/, "
        "CSV, vCard, JSON) se lit sans phrase de passe. Gardez-la en lieu sûr. La base "
        "contenue dans l'archive reste chiffrée avec la même phrase de passe."
    )


class ArchiveError(CompanionError):
    """An archive could not be written, or was refused; the message names the file."""


@dataclass(frozen=True)
class ArchiveSummary:
    """What an archive holds (from its manifest)."""

    path: Path
    created_at: str
    app_version: str
    migrations: tuple[str, ...]
    counts: dict[str, int]
    last_change: str | None
    files: int  # entries besides the manifest
    size: int  # bytes of the archive


@dataclass(frozen=True)
class ArchiveImport:
    summary: ArchiveSummary
    preview: Preview  # the database now in place (after any migration)
    migrated: tuple[str, ...]  # migrations applied to the archive's older database
    attachments: int  # files put into the data folder
    safety: Backup | None  # the data folder's previous database, backed up


# -- export ---------------------------------------------------------------------------


def export_archive(database: Path, out: Path, progress: Progress | None = None) -> ArchiveSummary:
    """Write everything of the data folder of ``database`` to the zip ``out`` (atomically)."""
    database, out = Path(database), Path(out)
    report = progress or (lambda _done, _total, _message: None)
    data_dir = database.parent
    partial = out.with_name(out.name + backups.PARTIAL_SUFFIX)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="companion-archive-") as work:
            copy = Path(work) / DATABASE_ENTRY
            report(0, 4, _("Copie de la base…"))
            backups.copy_database(database, copy)
            key = encryption.key_for(database) if encryption.is_encrypted(copy) else None
            if key is not None:  # the copy is encrypted alike: read it with the same key
                encryption.remember_key(copy, key)
            report(1, 4, _("Copie lisible (CSV, vCard, JSON)…"))
            readable = Path(work) / READABLE
            preview = _write_readable(copy, readable)
            entries = [(DATABASE_ENTRY, copy)]
            entries += [(f"{READABLE}/{p.relative_to(readable).as_posix()}", p)
                        for p in sorted(readable.rglob("*")) if p.is_file()]  # fmt: skip
            entries += [(f"{FILES}/{rel}", p) for rel, p in _attachments(data_dir)]
            report(2, 4, _("Écriture de l'archive…"))
            if _inside(out, data_dir):  # the data folder's files are private, this one too
                filemodes.private_file(partial)
            manifest = _write_zip(partial, entries, preview)
            encryption.forget_key(copy)
        os.replace(partial, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ArchiveError(
            _("Impossible d'écrire l'archive « {path} » : {reason}").format(
                path=out, reason=error.strerror or error
            )
        ) from error
    report(4, 4, "")
    return _summary(out, manifest)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _attachments(data_dir: Path) -> Iterator[tuple[str, Path]]:
    for name in ATTACHMENTS:
        root = data_dir / name
        if root.is_file():
            yield name, root
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(data_dir)
                if path.is_file() and not _SKIPPED & set(relative.parts):
                    yield relative.as_posix(), path


def _write_readable(database: Path, folder: Path) -> Preview:
    """The readable copy of the database copy ``database`` into ``folder``."""
    from companion.io.directory_export import export_directory
    from companion.store import Store

    (folder / "tables").mkdir(parents=True)
    conn = backups.open_read_only(database)
    try:
        store = Store(conn, database)
        export_directory(store, "csv", folder / "acteurs.csv")
        export_directory(store, "vcard", folder / "personnes.vcf")
        export_directory(store, "geojson", folder / "acteurs.geojson")
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        tables = [table for table in READABLE_TABLES if table in present]
        # Written as it is read, a row at a time: a large directory never sits in memory.
        with open(folder / "donnees.json", "w", encoding="utf-8") as everything:
            everything.write('{"format": ' + json.dumps(FORMAT) + ', "tables": {')
            for number, table in enumerate(tables):
                everything.write(("," if number else "") + "\n" + json.dumps(table) + ": [")
                _write_table(conn, table, folder / "tables" / f"{table}.csv", everything)
                everything.write("]")
            everything.write("\n}}\n")
        preview = backups.preview_connection(conn)
    finally:
        conn.close()
    (folder / "LISEZMOI.txt").write_text(_readme(), encoding="utf-8")
    return preview


def _write_table(conn: sqlite3.Connection, table: str, path: Path, everything: TextIO) -> None:
    """One table's live rows as CSV (UTF-8 with BOM and ``;``, as French Excel opens it,
    a text that would be a formula quoted: ``io/cells.py``) and as JSON objects into
    ``everything``."""
    from companion.io.cells import csv_value

    cursor = conn.execute(f"SELECT * FROM {table}")
    columns = [column[0] for column in cursor.description]
    deleted = columns.index("deleted") if "deleted" in columns else None
    keep = [i for i, name in enumerate(columns) if name != "seq"]
    first = True
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([csv_value(columns[i]) for i in keep])
        for row in cursor:
            if deleted is not None and row[deleted]:
                continue
            writer.writerow([csv_value(row[i]) for i in keep])
            record = json.dumps({columns[i]: row[i] for i in keep}, ensure_ascii=False)
            everything.write(("" if first else ",") + "\n " + record)
            first = False


def _readme() -> str:
    return _(
        "Archive de toutes vos données Companion.\n\n"
        "companion.db : la base complète, à importer avec Companion "
        "(Fichier › Importer une archive…, ou « companion import-archive »).\n"
        "fichiers/ : les fichiers du dossier de données dont la base a besoin "
        "(boîte à outils reçue du hub, fonds de carte importés).\n"
        "lisible/ : une copie lisible sans Companion : acteurs.csv (se réimporte), "
        "personnes.vcf (carnet d'adresses), acteurs.geojson (carte), tables/*.csv "
        "(une table par fichier) et donnees.json (tout), en UTF-8.\n"
        "manifest.json : la version, les nombres de fiches et l'empreinte SHA-256 de "
        "chaque fichier, vérifiées à l'import.\n"
        "Si la base était chiffrée, companion.db l'est encore (même phrase de passe) ; "
        "lisible/ ne l'est jamais.\n"
    )


def _write_zip(out: Path, entries: list[tuple[str, Path]], preview: Preview) -> dict[str, Any]:
    from companion.store.encryption import is_encrypted
    from companion.store.records import now_iso

    files = []
    encrypted = any(name == DATABASE_ENTRY and is_encrypted(path) for name, path in entries)
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for name, path in entries:
            info = zipfile.ZipInfo.from_file(path, name)
            # Map tiles are compressed images already: storing them is as small and faster.
            stored = path.suffix == ".mbtiles"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            digest = hashlib.sha256()
            size = 0
            with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
                    size += len(chunk)
            files.append({"path": name, "sha256": digest.hexdigest(), "size": size})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "created_at": now_iso(),
            "migrations": list(preview.migrations),
            "counts": preview.counts,
            "last_change": preview.last_change,
            "database_encrypted": encrypted,
            "files": files,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        archive.writestr(MANIFEST, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return manifest


# -- reading and checking ------------------------------------------------------------------


def read_archive(path: Path) -> ArchiveSummary:
    """The manifest of an archive (its files are checked by ``check_archive``)."""
    path = Path(path)
    with _open(path) as archive:
        return _summary(path, _manifest(archive, path))


def check_archive(path: Path, progress: Progress | None = None) -> ArchiveSummary:
    """Refuse an archive whose files do not match its manifest, naming the first such."""
    path = Path(path)
    with _open(path) as archive:
        manifest = _manifest(archive, path)
        _check_files(archive, path, manifest, progress)
    return _summary(path, manifest)


# -- zip reading within limits, and the manifest's validation -----------------------------


def _open(path: Path) -> zipfile.ZipFile:
    """The archive, open, once its zip directory passed the limits (``io/limits.py``)."""
    from companion.io import limits

    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        raise ArchiveError(
            _("« {name} » n'est pas une archive Companion lisible ({reason}).").format(
                name=path.name, reason=error
            )
        ) from error
    try:
        limits.check_zip_directory(archive, limits.ARCHIVE)
    except limits.LimitExceeded as error:
        archive.close()
        raise ArchiveError(
            _("Archive « {name} » refusée : {reason}. Rien n'a été importé.").format(
                name=path.name, reason=error
            )
        ) from error
    return archive


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    """The manifest, read within ``MAX_MANIFEST_BYTES`` and checked field by field."""
    not_ours = _("« {name} » n'est pas une archive Companion (manifeste absent ou illisible).")
    try:
        info = archive.getinfo(MANIFEST)
        if info.file_size > MAX_MANIFEST_BYTES:
            raise ValueError("manifest too large")
        manifest = json.loads(b"".join(_entry_chunks(archive, info)).decode("utf-8"))
    except (KeyError, ValueError, RecursionError, ArchiveError) as error:
        raise ArchiveError(not_ours.format(name=path.name)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(not_ours.format(name=path.name))
    if manifest.get("format_version") != FORMAT_VERSION:
        if not _is_int(manifest.get("format_version")):
            raise ArchiveError(not_ours.format(name=path.name))
        raise ArchiveError(
            _(
                "L'archive « {name} » est d'un format que cette version de Companion ne "
                "connaît pas : mettez Companion à jour pour l'importer."
            ).format(name=path.name)
        )
    problem = _manifest_problem(manifest)
    if problem:
        raise ArchiveError(
            _("L'archive « {name} » a un manifeste invalide : {problem}.").format(
                name=path.name, problem=problem
            )
        )
    return manifest


def _manifest_problem(manifest: dict[str, Any]) -> str | None:
    """What is wrong with the manifest's fields (French), or None."""
    text = _("un texte")
    for key in ("app_version", "created_at"):
        if not isinstance(manifest.get(key, ""), str):
            return _("« {field} » doit être {kind}").format(field=key, kind=text)
    if manifest.get("last_change") is not None and not isinstance(manifest["last_change"], str):
        return _("« {field} » doit être {kind}").format(field="last_change", kind=text)
    if not isinstance(manifest.get("database_encrypted", False), bool):
        return _("« {field} » doit être {kind}").format(
            field="database_encrypted", kind=_("vrai ou faux")
        )
    migrations = manifest.get("migrations", [])
    if not isinstance(migrations, list) or not all(isinstance(m, str) for m in migrations):
        return _("« {field} » doit être {kind}").format(
            field="migrations", kind=_("une liste de textes")
        )
    counts = manifest.get("counts", {})
    if not isinstance(counts, dict) or not all(
        _is_int(value) and value >= 0 for value in counts.values()
    ):
        return _("« {field} » doit être {kind}").format(
            field="counts", kind=_("un objet de nombres entiers")
        )
    files = manifest.get("files")
    if not isinstance(files, list) or not all(_is_file_entry(entry) for entry in files):
        return _("« {field} » doit être {kind}").format(
            field="files", kind=_("une liste de fichiers (chemin, empreinte SHA-256, taille)")
        )
    if len({entry["path"] for entry in files}) != len(files):
        return _("un fichier y est listé deux fois")
    return None


def _tampered(name: str) -> ArchiveError:
    return ArchiveError(
        _(
            "Archive refusée : le fichier « {file} » a été modifié ou endommagé (sa taille ou "
            "son empreinte SHA-256 ne correspond pas au manifeste). Rien n'a été importé."
        ).format(file=name)
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_file_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("sha256"), str)
        and re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]) is not None
        and _is_int(entry.get("size"))
        and entry["size"] >= 0
    )


def _entry_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, listed_size: int | None = None
) -> Iterator[bytes]:
    """An entry's bytes in chunks, never more than its zip directory (and the manifest, when
    given) announce; ``ArchiveError`` naming the entry when it is damaged or lies."""
    from companion.io import limits

    if listed_size is not None and listed_size != info.file_size:
        raise _tampered(info.filename)
    try:
        yield from limits.read_entry(archive, info)
    except limits.LimitExceeded as error:
        raise ArchiveError(
            _("Archive refusée : {reason}. Rien n'a été importé.").format(reason=error)
        ) from error
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError) as error:
        # a damaged entry (CRC, deflate stream), or a compression this Python lacks
        raise ArchiveError(
            _("Archive refusée : le fichier « {file} » est endommagé.").format(file=info.filename)
        ) from error


def _check_files(
    archive: zipfile.ZipFile, path: Path, manifest: dict[str, Any], progress: Progress | None
) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for name in archive.namelist():
        if name != MANIFEST and name not in listed and not name.endswith("/"):
            raise ArchiveError(
                _("Archive refusée : « {file} » n'est pas dans son manifeste.").format(file=name)
            )
    if DATABASE_ENTRY not in listed:
        raise ArchiveError(_("Archive refusée : elle ne contient pas de base de données."))
    for number, (name, entry) in enumerate(listed.items()):
        _check_name(name)
        digest = hashlib.sha256()
        try:
            info = archive.getinfo(name)
        except KeyError as error:
            raise ArchiveError(
                _("Archive refusée : le fichier « {file} » manque.").format(file=name)
            ) from error
        for chunk in _entry_chunks(archive, info, entry["size"]):
            digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise _tampered(name)
        if progress:
            progress(number + 1, len(listed), _("Vérification de l'archive…"))


def _check_name(name: str) -> None:
    """A file name inside the archive that stays inside the folder it is extracted to."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name or ":" in name:
        raise ArchiveError(
            _("Archive refusée : le nom de fichier « {file} » n'est pas admis.").format(file=name)
        )


def _summary(path: Path, manifest: dict[str, Any]) -> ArchiveSummary:
    counts = manifest.get("counts")
    return ArchiveSummary(
        path=path,
        created_at=str(manifest.get("created_at") or ""),
        app_version=str(manifest.get("app_version") or ""),
        migrations=tuple(str(m) for m in manifest.get("migrations") or ()),
        counts={str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {},
        last_change=manifest.get("last_change"),
        files=len(manifest.get("files") or ()),
        size=path.stat().st_size if path.exists() else 0,
    )


# -- import ---------------------------------------------------------------------------


def folder_has_data(data_dir: Path) -> bool:
    """Whether a data folder holds a database or files an archive would replace."""
    data_dir = Path(data_dir)
    return (data_dir / backups.DATABASE_NAME).exists() or any(
        (data_dir / name).exists() for name in ATTACHMENTS
    )


def import_archive(
    archive_path: Path,
    data_dir: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> ArchiveImport:
    """Install an archive's database and files into ``data_dir``.

    The archive is checked whole first (manifest hashes, the database's integrity,
    a schema this version knows); a folder holding data is refused unless
    ``replace`` (its database is then backed up first, « avant import d'archive »).
    An older database is migrated. The imported database reads the hub's history
    again at its next sync, like a restored backup.
    """
    from companion.app.datafolder import prepare_data_folder
    from companion.store import SchemaTooNew, Store

    archive_path, data_dir = Path(archive_path), Path(data_dir).expanduser()
    report = progress or (lambda _done, _total, _message: None)
    if folder_has_data(data_dir) and not replace:
        raise ArchiveError(
            _(
                "Le dossier de données « {path} » contient déjà des données : importer l'archive "
                "les remplacerait. Choisissez un dossier vide, ou confirmez le remplacement "
                "(--replace) : la base actuelle sera sauvegardée d'abord."
            ).format(path=data_dir)
        )
    summary = check_archive(archive_path, report)
    _check_room(archive_path, data_dir)
    database = prepare_data_folder(data_dir)
    backups.refuse_if_in_use(database)
    partial = database.with_name(database.name + ".archive")
    _remove(partial)
    try:
        with _open(archive_path) as archive:
            _extract(archive, DATABASE_ENTRY, partial)
            if encryption.is_encrypted(partial) and encryption.key_for(partial) is None:
                raise encryption.KeyRequired(
                    partial,
                    _(
                        "La base de l'archive « {name} » est chiffrée : donnez sa phrase de passe "
                        "(--key-file). Rien n'a été modifié."
                    ).format(name=archive_path.name),
                )
            try:
                backups.check_backup(partial)
            except SchemaTooNew as error:
                raise ArchiveError(
                    _(
                        "L'archive « {name} » vient d'une version plus récente de Companion "
                        "({migrations}) : mettez Companion à jour pour l'importer. Rien n'a été "
                        "modifié."
                    ).format(name=archive_path.name, migrations=", ".join(error.unknown))
                ) from error
            except backups.BackupCorrupt as error:
                raise ArchiveError(
                    _("Archive refusée : sa base de données est endommagée ({reason}).").format(
                        reason=error
                    )
                ) from error
            backups.prepare_for_sync(partial)
            report(0, 0, _("Sauvegarde de la base actuelle…"))
            safety, _aside = backups.back_up_current(database, data_dir, backups.ARCHIVE)
            attachments = 0
            for name in archive.namelist():
                relative = _attachment(name)
                if relative is not None:
                    _extract(archive, name, data_dir / relative)
                    attachments += 1
        _keep_token_for_its_hub(database, data_dir)
        backups.install_database(partial, database)
    except OSError as error:
        raise ArchiveError(
            _("L'import de l'archive a échoué : {reason}").format(reason=error.strerror or error)
        ) from error
    finally:
        _remove(partial)
    report(0, 0, _("Ouverture de la base…"))
    before = set(summary.migrations)
    store = Store.open(database)  # an older database is migrated here, after a backup
    try:
        preview = backups.preview_connection(store.conn)
    finally:
        store.close()
    migrated = tuple(m for m in preview.migrations if m not in before)
    return ArchiveImport(summary, preview, migrated, attachments, safety)


def _attachment(name: str) -> str | None:
    """Where an entry goes in the data folder (relative), or None if it is not a file of
    ``fichiers/`` that the data folder keeps."""
    relative = name.removeprefix(FILES + "/")
    if name.startswith(FILES + "/") and relative.split("/")[0] in ATTACHMENTS:
        return None if name.endswith("/") else relative
    return None


def _check_room(archive_path: Path, data_dir: Path) -> None:
    """Refuse, before anything is written, an archive whose database and files (their
    sizes checked against the manifest) would not fit on the data folder's disk."""
    with _open(archive_path) as archive:
        needed = sum(
            info.file_size
            for info in archive.infolist()
            if info.filename == DATABASE_ENTRY or _attachment(info.filename) is not None
        )
    folder = data_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the folder's own checks explain what is wrong with it
    if needed > free:
        from companion.io.limits import size_text

        raise ArchiveError(
            _(
                "L'archive « {name} » demande {needed} d'espace libre et le disque de « {path} » "
                "n'en a que {free}. Rien n'a été importé."
            ).format(
                name=archive_path.name, needed=size_text(needed), path=data_dir,
                free=size_text(free),
            )
        )  # fmt: skip


def _extract(archive: zipfile.ZipFile, name: str, target: Path) -> None:
    """One entry to ``target``, through a temporary file (0600) beside it and a rename."""
    filemodes.private_folder(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".archive-")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in _entry_chunks(archive, archive.getinfo(name)):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _keep_token_for_its_hub(database: Path, data_dir: Path) -> None:
    """The folder's hub token goes on serving only the hub it served: an archive naming
    another hub never gets it (a token file of an earlier version is bound first)."""
    from companion.sync import credentials, state

    if not database.exists():
        return
    try:
        conn = encryption.connect_file(database, read_only=True)
        try:
            hub_url = state.get(conn, state.HUB_URL)
        finally:
            conn.close()
    except (CompanionError, *database_errors()):  # unreadable: no hub to keep it for
        return
    if hub_url:
        credentials.bind_token_file(data_dir, hub_url)
