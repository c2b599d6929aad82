"""``companion backup``, ``restore``, ``import-archive`` and ``export --format archive``.

Backups are copies of the database in the data folder's ``sauvegardes/``
(``store/backups.py``); an archive is all of a user's data in one zip, to move to
another machine (``app/archive.py``). Each command prints JSON on success and a
French message on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.i18n import _

EXIT_REFUSED = 2


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[common],
        help=_("sauvegarder la base maintenant (dans « sauvegardes »), ou lister les sauvegardes"),
    )
    backup.add_argument(
        "--list", action="store_true", help=_("lister les sauvegardes et ce qu'elles contiennent")
    )
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help=_("remplacer la base par une sauvegarde (l'état actuel est sauvegardé d'abord)"),
    )
    restore.add_argument(
        "backup", metavar="SAUVEGARDE", help=_("nom du fichier dans « sauvegardes », ou chemin")
    )
    restore.add_argument(
        "--backup-key-file",
        type=Path,
        metavar="FICHIER",
        help=_(
            "sauvegarde chiffrée avec une autre clé que la base : fichier dont la première "
            "ligne est sa phrase de passe (sinon, elle est demandée)"
        ),
    )
    importer = commands.add_parser(
        "import-archive",
        parents=[common],
        help=_("importer une archive de toutes les données (« export --format archive »)"),
    )
    importer.add_argument("archive", type=Path, metavar="ARCHIVE")
    importer.add_argument(
        "--replace",
        action="store_true",
        help=_("remplacer les données du dossier (la base actuelle est sauvegardée d'abord)"),
    )


def run_backup(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_existing_store
    from companion.store import backups

    if args.list:
        for backup in backups.list_backups(data_dir):
            line = _backup_json(backup)
            try:
                preview = backups.preview_database(backup.path)
            except backups.BackupError as error:
                line["error"] = str(error)
            else:
                line.update(counts=preview.counts, last_change=preview.last_change)
            print(json.dumps(line, ensure_ascii=False))
        return 0
    store = open_existing_store(data_dir)
    try:
        made = backups.make_backup(store, data_dir, backups.MANUAL)
    finally:
        store.close()
    print(json.dumps(_backup_json(made), ensure_ascii=False))
    return 0


def run_restore(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.store import backups

    try:
        outcome = backups.restore_backup(data_dir, args.backup)
    except backups.BackupKeyRequired as error:
        if error.wrong:
            raise
        # A copy under another key than the folder's (--key-file, the keyring): its own
        # passphrase, asked only now that it is needed. Nothing has changed yet.
        outcome = backups.restore_backup(data_dir, args.backup, key=_backup_key(args, error))
    if outcome.safety is not None:
        print(
            _("État précédent sauvegardé : {path}").format(path=outcome.safety.path),
            file=sys.stderr,
        )
    if outcome.set_aside is not None:
        print(
            _("Base endommagée mise de côté : {path}").format(path=outcome.set_aside),
            file=sys.stderr,
        )
    print(json.dumps({"restored": str(outcome.restored.path)}, ensure_ascii=False))
    return 0


def _backup_key(args: argparse.Namespace, locked: Exception) -> str:
    from companion.cli_encryption import read_key_file

    if args.backup_key_file is not None:
        return read_key_file(args.backup_key_file)
    import getpass

    print(locked, file=sys.stderr)
    try:
        return getpass.getpass(_("Phrase de passe de la sauvegarde : "))
    except (EOFError, OSError) as error:  # no terminal and nothing on standard input
        from companion.errors import CompanionError

        raise CompanionError(
            _(
                "Aucune phrase de passe donnée pour « {name} » (--backup-key-file) : rien n'a "
                "été restauré."
            ).format(name=Path(args.backup).name)
        ) from error


def run_import_archive(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.archive import ArchiveError, import_archive
    from companion.errors import CompanionError

    try:
        done = import_archive(args.archive, data_dir, replace=args.replace)
    except CompanionError as error:
        if args.archive.name in str(error):
            raise
        # « Archive refusée : le fichier « companion.db » est endommagé. »: which archive?
        raise ArchiveError(
            _("« {name} » : {message}").format(name=args.archive.name, message=error)
        ) from error
    if done.safety is not None:
        print(
            _("Base précédente sauvegardée : {path}").format(path=done.safety.path),
            file=sys.stderr,
        )
    result = {
        "archive": str(args.archive),
        "data": str(data_dir),
        "counts": done.preview.counts,
        "attachments": done.attachments,
        "migrated": list(done.migrated),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


def run_export_archive(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.archive import export_archive
    from companion.app.datafolder import open_existing_store

    store = open_existing_store(data_dir)  # a clear message without a database; migrated
    database = store.path
    store.close()
    from companion.app.archive import encrypted_warning
    from companion.store.encryption import is_encrypted

    if is_encrypted(database):
        print(encrypted_warning(), file=sys.stderr)
    summary = export_archive(database, args.out)
    result = {"format": "archive", "out": str(args.out), "files": summary.files, **summary.counts}
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _backup_json(backup) -> dict:
    return {
        "file": backup.path.name,
        "date": backup.made_at.isoformat(timespec="seconds"),
        "reason": backup.label,
        "size": backup.size,
    }
