"""Encryption at rest: encrypting, decrypting and re-keying a database with its backups.

What the app, the CLI and the settings use: the re-keying is here, over the backups
(``store/backups.py``: a copy before converting, every copy in ``sauvegardes/`` converted
after); keys, connections and SQLCipher itself are ``store/cipher.py``'s, named here too so
that callers need one module. The store's own modules import ``cipher``: it sits below
the backups, which re-keying needs. Qt-free.
"""

from __future__ import annotations

import os
from pathlib import Path

from companion.i18n import _
from companion.store import backups
from companion.store.cipher import (
    BACKUP_FOLDER,
    KEYRING_SERVICE,
    MIN_PAGE_SIZE,
    MIN_PASSPHRASE,
    EncryptionError,
    EncryptionUnavailable,
    KeyRequired,
    Progress,
    WrongKey,
    _export,
    _known,
    _literal,
    _module,
    _remove_with_sides,
    available,
    check_passphrase,
    cipher_version,
    connect,
    connect_file,
    delete_keyring_key,
    export_file,
    forget_key,
    is_cipher_connection,
    is_encrypted,
    key_for,
    keyring_available,
    load_keyring_key,
    new_raw_key,
    remember_key,
    save_keyring_key,
    strength_hint,
    unavailable_reason,
)

__all__ = [  # cipher's names that callers use through this module
    "BACKUP_FOLDER",
    "KEYRING_SERVICE",
    "MIN_PAGE_SIZE",
    "MIN_PASSPHRASE",
    "EncryptionError",
    "EncryptionUnavailable",
    "KeyRequired",
    "Progress",
    "WrongKey",
    "_known",  # the keys given in this process (tests clear them)
    "available",
    "change_key",
    "check_passphrase",
    "cipher_version",
    "connect",
    "connect_file",
    "decrypt_database",
    "delete_keyring_key",
    "encrypt_database",
    "export_file",
    "forget_key",
    "is_cipher_connection",
    "is_encrypted",
    "key_for",
    "keyring_available",
    "load_keyring_key",
    "new_raw_key",
    "remember_key",
    "save_keyring_key",
    "strength_hint",
    "unavailable_reason",
]


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
