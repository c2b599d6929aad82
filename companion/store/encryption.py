"""Encryption at rest with SQLCipher: keys, connections, encrypting and decrypting. Qt-free.

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
_ERRORS = (
    "Error", "DatabaseError", "OperationalError", "IntegrityError", "ProgrammingError",
    "InterfaceError", "DataError", "InternalError", "NotSupportedError",
)  # fmt: skip

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


def errors(name: str = "DatabaseError") -> tuple[type[BaseException], ...]:
    """``sqlite3.<name>`` and, once SQLCipher is loaded, its own ``<name>`` (which does not
    derive from sqlite3's): ``except errors("OperationalError"):`` catches both."""
    found: tuple[type[BaseException], ...] = (getattr(sqlite3, name),)
    dbapi2 = sys.modules.get("sqlcipher3.dbapi2")
    if dbapi2 is not None and name in _ERRORS:
        found += (getattr(dbapi2, name),)
    return found


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


# -- encrypting, decrypting, changing the key ------------------------------------------


def encrypt_database(path: Path | str, key: str, progress: Progress | None = None) -> Path:
    """Encrypt the plain database at ``path`` with ``key``; return the path.

    A backup is made first; then every plain copy in ``sauvegardes/`` (that backup
    included) is encrypted in place too: after this, no plaintext copy of the
    database remains in the data folder.
    """
    path = Path(path)
    if is_encrypted(path):
        raise EncryptionError(_("La base « {path} » est déjà chiffrée.").format(path=path))
    _module()
    _replace_with_export(path, None, key, progress, _("Chiffrement de la base…"))
    remember_key(path, key)
    _convert_backups(path, None, key, progress)
    return path


def decrypt_database(path: Path | str, key: str, progress: Progress | None = None) -> Path:
    """Write the encrypted database at ``path`` back as a plain SQLite file; return the path.

    A backup is made first (under ``key``); then every copy in ``sauvegardes/`` that
    ``key`` opens (that backup included) is written back as plain SQLite too, so none of
    them needs the old key to be restored. Copies under another key are left as they are.
    """
    path = Path(path)
    if not is_encrypted(path):
        raise EncryptionError(_("La base « {path} » n'est pas chiffrée.").format(path=path))
    connect(path, key, read_only=True).close()  # WrongKey before anything happens
    remember_key(path, key)
    _replace_with_export(path, key, None, progress, _("Déchiffrement de la base…"))
    _convert_backups(path, key, None, progress)
    return path


def change_key(path: Path | str, old_key: str, new_key: str) -> None:
    """``PRAGMA rekey``: the database (then its encrypted backups) under ``new_key``."""
    path = Path(path)
    conn = connect(path, old_key, isolation_level=None)
    try:
        conn.execute(f"PRAGMA rekey = {_literal(new_key)}")
    finally:
        conn.close()
    connect(path, new_key, read_only=True).close()
    remember_key(path, new_key)
    _convert_backups(path, old_key, new_key, None)


def _replace_with_export(
    path: Path, old_key: str | None, new_key: str | None, progress: Progress | None, label: str
) -> None:
    from companion.store import backups

    report = progress or (lambda _done, _total, _message: None)
    report(0, 0, _("Sauvegarde de la base…"))
    backups.refuse_if_in_use(path)
    backups.make_backup(path, None, backups.ENCRYPTION)
    report(0, 0, label)
    partial = path.with_name(path.name + ".chiffrement")
    _remove_with_sides(partial)
    try:
        _export(path, old_key, partial, new_key)
        _check_same(path, old_key, partial, new_key)
        backups.install_database(partial, path)
    except BaseException:
        _remove_with_sides(partial)
        raise


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


def _counts(path: Path, key: str | None) -> dict[str, int]:
    conn = connect_file(path, key=key)  # read-write: read-only would leave -wal and -shm
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
                "'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise EncryptionError(
                _("La base convertie est endommagée ({reason}).").format(reason=result[0][0])
            )
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _check_same(source: Path, key: str | None, copy: Path, new_key: str | None) -> None:
    if _counts(source, key) != _counts(copy, new_key):
        raise EncryptionError(_("La base convertie ne contient pas les mêmes données."))


def _convert_backups(
    path: Path, old_key: str | None, new_key: str | None, progress: Progress | None
) -> None:
    """Convert every copy in ``sauvegardes/`` that ``old_key`` opens to ``new_key``.

    ``None`` stands for plain SQLite on either side: ``old_key=None`` encrypts the plain
    copies, ``new_key=None`` decrypts the copies under ``old_key``, two keys re-key them.
    Copies under another key (or plain ones when ``old_key`` is a key) are left as they
    are. Each copy is written to a partial file, fsynced, then renamed over the original:
    a failure leaves that copy (and those not reached yet) intact, the partial removed.
    """
    from companion.store import backups

    converted = False
    for backup in backups.list_backups(path.parent):
        copy = backup.path
        plain = not is_encrypted(copy)
        if plain != (old_key is None):
            continue  # an older copy under another key: left as it is
        partial = copy.with_name(f".{copy.name}.chiffrement")
        _remove_with_sides(partial)
        try:
            if not plain:
                try:
                    connect(copy, old_key or "", read_only=True).close()
                except WrongKey:
                    continue
            _export(copy, old_key, partial, new_key)
            backups._fsync(partial)
            os.replace(partial, copy)
            converted = True
        except BaseException:
            _remove_with_sides(partial)
            raise
    if converted:
        backups._fsync_folder(backups.backup_folder(path.parent))


def _remove_with_sides(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
