"""``companion encrypt``, ``decrypt`` and ``change-key``; the key of an encrypted database
for every other command (``--key-file``, ``COMPANION_DB_KEY_FILE``, the keyring).

A passphrase is read from a prompt (``getpass``) or from the first line of a key file;
it never appears on the command line. Each command prints JSON on success and a French
message on failure (exit 2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from companion.i18n import _

KEY_FILE_ENV = "COMPANION_DB_KEY_FILE"


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    encrypt = commands.add_parser(
        "encrypt",
        parents=[common],
        help=_("chiffrer la base (SQLCipher) avec une phrase de passe ou une clé du trousseau"),
    )
    encrypt.add_argument(
        "--keyring",
        action="store_true",
        help=_("garder une clé aléatoire dans le trousseau du système au lieu d'une phrase"),
    )
    commands.add_parser("decrypt", parents=[common], help=_("ne plus chiffrer la base"))
    commands.add_parser(
        "change-key", parents=[common], help=_("changer la phrase de passe de la base chiffrée")
    )


def add_key_option(common: argparse.ArgumentParser) -> None:
    common.add_argument(
        "--key-file",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="FICHIER",
        help=_(
            "base chiffrée : fichier dont la première ligne est la phrase de passe "
            "(ou $COMPANION_DB_KEY_FILE)"
        ),
    )


def read_key_file(path: Path) -> str:
    from companion.store.encryption import EncryptionError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise EncryptionError(
            _("Impossible de lire le fichier de clé « {path} » : {reason}").format(
                path=path, reason=error.strerror or error
            )
        ) from error
    key = text.splitlines()[0].rstrip("\r\n") if text else ""
    if not key:
        raise EncryptionError(_("Le fichier de clé « {path} » est vide.").format(path=path))
    return key


def given_key(args: argparse.Namespace) -> str | None:
    """The key named by ``--key-file`` or ``$COMPANION_DB_KEY_FILE``, if any."""
    key_file = getattr(args, "key_file", None) or os.environ.get(KEY_FILE_ENV)
    return read_key_file(Path(key_file)) if key_file else None


def apply_key(args: argparse.Namespace, data_dir: Path) -> None:
    """Make a given key known for the data folder, before any command opens it."""
    key = given_key(args)
    if key is not None:
        from companion.store.encryption import remember_key

        remember_key(Path(data_dir).expanduser() / "companion.db", key)


def _database(data_dir: Path) -> Path:
    from companion.app.datafolder import NoDatabase, has_database

    if not has_database(data_dir):
        raise NoDatabase(_("Aucune base dans « {path} ».").format(path=data_dir))
    return Path(data_dir).expanduser() / "companion.db"


def _prompt(label: str) -> str:
    import getpass

    return getpass.getpass(label)


def _new_passphrase(args: argparse.Namespace) -> str:
    from companion.store.encryption import EncryptionError, check_passphrase

    key = given_key(args)
    if key is None:
        key = _prompt(_("Nouvelle phrase de passe : "))
        if _prompt(_("La même, encore : ")) != key:
            raise EncryptionError(_("Les deux phrases de passe diffèrent."))
    return check_passphrase(key)


def _current_key(args: argparse.Namespace, database: Path) -> str:
    from companion.store.encryption import key_for

    return given_key(args) or key_for(database) or _prompt(_("Phrase de passe : "))


def run_encrypt(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.store import encryption

    database = _database(data_dir)
    if args.keyring:
        key = encryption.new_raw_key()
        encryption.save_keyring_key(database, key)
    else:
        key = _new_passphrase(args)
    try:
        encryption.encrypt_database(database, key, progress=_report)
    except BaseException:
        if args.keyring:
            encryption.delete_keyring_key(database)
        raise
    print(json.dumps({"database": str(database), "encrypted": True}, ensure_ascii=False))
    return 0


def run_decrypt(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.store import encryption

    database = _database(data_dir)
    encryption.decrypt_database(database, _current_key(args, database), progress=_report)
    encryption.delete_keyring_key(database)
    print(json.dumps({"database": str(database), "encrypted": False}, ensure_ascii=False))
    return 0


def run_change_key(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.store import encryption

    database = _database(data_dir)
    old = given_key(args) or encryption.key_for(database) or _prompt(_("Phrase de passe : "))
    encryption.connect(database, old, read_only=True).close()  # WrongKey first
    new = encryption.check_passphrase(_prompt(_("Nouvelle phrase de passe : ")))
    if _prompt(_("La même, encore : ")) != new:
        raise encryption.EncryptionError(_("Les deux phrases de passe diffèrent."))
    encryption.change_key(database, old, new)
    encryption.delete_keyring_key(database)
    print(json.dumps({"database": str(database), "encrypted": True}, ensure_ascii=False))
    return 0


def _report(_done: int, _total: int, message: str) -> None:
    if message:
        print(message, file=sys.stderr)
