"""SQLCipher for encryption at rest: keys, connections, copies under another key. Qt-free.

An encrypted database is a SQLCipher file: nothing in it is readable without its key,
not even the SQLite header. The key is either a passphrase (SQLCipher derives the page
key itself: PBKDF2-HMAC-SHA512, 256,000 iterations by default) or 32 random bytes kept
in the system keyring, given to SQLCipher as a raw key (``x'…'``, no derivation).

``sqlcipher3`` (the ``sqlcipher3-binary`` wheel, Linux only) is imported only when an
encrypted file is opened or a database is encrypted: start-up never pays for it, and
where it is missing encryption is reported unavailable in words, never as a crash.

Keys given during this process are remembered per data folder (``remember_key``), so
every connection opened later on that folder (worker threads, backups, restore, the
archive) finds it without each caller carrying it along. Keys never reach a file.

Encrypting, decrypting and re-keying a database with its backups is ``store/encryption.py``'s,
above the backups; this module is below them, for every store module that opens a file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from companion import filemodes
from companion.i18n import _
from companion.store.database import SQLITE_HEADER, StoreError

KEYRING_SERVICE = "Companion (base)"
BACKUP_FOLDER = "sauvegardes"  # as store/backups.py names it (a backup's key is its folder's)
MIN_PASSPHRASE = 8
MIN_PAGE_SIZE = 512

log = logging.getLogger(__name__)
_known: dict[Path, str] = {}  # data folder -> key, for this process only

Progress = Callable[[int, int, str], None]


class EncryptionError(StoreError):
    """Encryption cannot be used or an encrypted database cannot be opened."""


class EncryptionUnavailable(EncryptionError):
    """SQLCipher is not installed on this system."""


class KeyRequired(EncryptionError):
    """The database is encrypted and no key was given."""

    def __init__(self, path: Path, message: str | None = None) -> None:
        self.path = Path(path)
        super().__init__(
            message
            or _(
                "La base « {path} » est chiffrée : donnez sa phrase de passe (ou son fichier "
                "de clé avec --key-file / COMPANION_DB_KEY_FILE)."
            ).format(path=path)
        )


class WrongKey(KeyRequired):
    """The key given does not open the database (it was not modified)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _("Cette base est chiffrée : la phrase de passe est incorrecte."))


# -- the module ----------------------------------------------------------------------


def _module() -> ModuleType:
    """``sqlcipher3.dbapi2``, or ``EncryptionUnavailable`` in words."""
    try:
        from sqlcipher3 import dbapi2
    except ImportError as error:
        raise EncryptionUnavailable(unavailable_reason(error)) from error
    return dbapi2


def unavailable_reason(error: BaseException | None = None) -> str:
    if sys.platform != "linux":
        return _(
            "Le chiffrement de la base n'est pas disponible sur ce système "
            "(SQLCipher n'est fourni que pour Linux)."
        )
    return _(
        "Le chiffrement de la base n'est pas disponible : le module sqlcipher3 est absent "
        "(installez « sqlcipher3-binary »)."
    )


def available() -> bool:
    try:
        _module()
    except EncryptionUnavailable:
        return False
    return True


def cipher_version() -> str:
    conn = _module().connect(":memory:")
    try:
        return str(conn.execute("PRAGMA cipher_version").fetchone()[0]).split()[0]
    finally:
        conn.close()


def is_cipher_connection(conn: object) -> bool:
    return type(conn).__module__.startswith("sqlcipher3")


# -- files and keys ------------------------------------------------------------------


def is_encrypted(path: Path | str) -> bool:
    """Whether the file exists, is not empty, does not start with SQLite's header, and is
    whole pages long (a SQLCipher file is; a file of other bytes is only damaged)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
            size = os.fstat(handle.fileno()).st_size
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False
    return header not in (b"", SQLITE_HEADER) and size % MIN_PAGE_SIZE == 0


def new_raw_key() -> str:
    """32 random bytes as SQLCipher's raw key literal (kept in the keyring)."""
    import secrets  # here: it imports hashlib and hmac, 3 ms of every start-up

    return f"x'{secrets.token_hex(32)}'"


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise EncryptionError(
            _("La phrase de passe doit compter au moins {count} caractères.").format(
                count=MIN_PASSPHRASE
            )
        )
    return passphrase


def strength_hint(passphrase: str) -> str:
    """A few words on a passphrase's strength (length and variety)."""
    kinds = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    score = len(passphrase) + 3 * kinds
    if len(passphrase) < MIN_PASSPHRASE:
        return _("Trop courte ({count} caractères au moins).").format(count=MIN_PASSPHRASE)
    if score < 20:
        return _("Faible : allongez-la (plusieurs mots).")
    if score < 30:
        return _("Moyenne.")
    return _("Solide.")


def _literal(key: str) -> str:
    return "'" + key.replace("'", "''") + "'"


def _folder(path: Path | str) -> Path:
    """The data folder a file belongs to (a backup's folder is its database's)."""
    parent = Path(path).resolve().parent
    return parent.parent if parent.name == BACKUP_FOLDER else parent


def remember_key(path: Path | str, key: str) -> None:
    """Keep ``key`` for the data folder of ``path`` (this process only)."""
    _known[_folder(path)] = key


def forget_key(path: Path | str) -> None:
    _known.pop(_folder(path), None)


def key_for(path: Path | str) -> str | None:
    """The key given earlier for this file's data folder, else the keyring's, else None."""
    known = _known.get(_folder(path))
    if known is not None:
        return known
    stored = load_keyring_key(path)
    if stored is not None:
        remember_key(path, stored)
    return stored


# -- the keyring (as sync/credentials.py) ---------------------------------------------


def _keyring():  # noqa: ANN202 - the module, or None
    if os.environ.get("COMPANION_KEYRING", "1") == "0":
        return None
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def _keyring_user(path: Path | str) -> str:
    """The keyring entry's name: the database's path (backups share their folder's)."""
    return str(_folder(path) / "companion.db")


def keyring_available() -> bool:
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:
        return False
    return "fail" not in type(backend).__module__.lower() and getattr(backend, "priority", 1) > 0


def save_keyring_key(path: Path | str, key: str) -> None:
    keyring = _keyring()
    if keyring is None:
        raise EncryptionError(_("Aucun trousseau du système n'est disponible."))
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_user(path), key)
    except Exception as error:
        raise EncryptionError(
            _("La clé n'a pas pu être gardée dans le trousseau : {reason}").format(reason=error)
        ) from error


def load_keyring_key(path: Path | str) -> str | None:
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, _keyring_user(path)) or None
    except Exception as error:
        log.info("keyring unavailable (%s)", error)
        return None


def delete_keyring_key(path: Path | str) -> None:
    keyring = _keyring()
    if keyring is None:
        return
    with contextlib.suppress(Exception):
        keyring.delete_password(KEYRING_SERVICE, _keyring_user(path))


# -- connections ---------------------------------------------------------------------


def connect(
    path: Path | str, key: str, *, read_only: bool = False, create: bool = False, **options: Any
) -> Any:
    """A sqlcipher3 connection to ``path`` with ``key`` applied and checked.

    The key is checked by reading ``sqlite_master`` before anything else runs: a wrong
    key raises ``WrongKey`` and nothing was written (no journal mode, no -wal).
    ``read_only`` opens ``mode=ro``; an existing file otherwise opens ``mode=rw``
    unless ``create``.
    """
    dbapi2 = _module()
    path = Path(path)
    mode = "ro" if read_only else ("rwc" if create else "rw")
    conn = dbapi2.connect(path.resolve().as_uri() + f"?mode={mode}", uri=True, **options)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_literal(key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError as error:
        conn.close()
        if "not a database" in str(error):
            raise WrongKey(path) from error
        raise EncryptionError(str(error)) from error
    except BaseException:
        conn.close()
        raise
    return conn


def connect_file(
    path: Path | str, *, read_only: bool = False, key: str | None = None, **options: Any
) -> Any:
    """A connection to a database file, SQLCipher's when it is encrypted (with the key
    given, else the one known for its folder), sqlite3's otherwise."""
    path = Path(path)
    if key is None and is_encrypted(path):
        key = key_for(path)
        if key is None:
            raise KeyRequired(path)
    if key is not None:
        return connect(path, key, read_only=read_only, create=not path.exists(), **options)
    if read_only:
        return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, **options)
    return sqlite3.connect(str(path), **options)


# -- copying under another key -------------------------------------------------------


def export_file(source: Path, key: str | None, target: Path, new_key: str | None) -> None:
    """Write the database ``source`` (under ``key``; None: plain) to the new file ``target``
    under ``new_key`` (None: plain SQLite): how a restore brings a copy made under another
    key to its folder's. ``source`` is only read; ``target`` is replaced."""
    _remove_with_sides(Path(target))
    _export(Path(source), key, Path(target), new_key)


def _export(source: Path, key: str | None, target: Path, new_key: str | None) -> None:
    dbapi2 = _module()
    conn = (
        connect(source, key, isolation_level=None)
        if key is not None
        else dbapi2.connect(str(source), isolation_level=None)
    )
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        filemodes.private_file(target)  # ATTACH would create it with the umask's mode
        conn.execute("ATTACH DATABASE ? AS target KEY ?", (str(target), new_key or ""))
        try:
            conn.execute("SELECT sqlcipher_export('target')")
            conn.execute(f"PRAGMA target.user_version = {int(version)}")
        finally:
            conn.execute("DETACH DATABASE target")
    except dbapi2.DatabaseError as error:
        raise EncryptionError(
            _("La base n'a pas pu être convertie : {reason}").format(reason=error)
        ) from error
    finally:
        conn.close()


def _remove_with_sides(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
