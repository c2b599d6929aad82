"""Encryption at rest (SQLCipher): an encrypted database cannot be read without its key."""

from __future__ import annotations

import builtins
import hashlib
import json
import os
from pathlib import Path

import keyring
import pytest
from needs import require_module
from sync_helpers import MemoryKeyring

from companion.cli import main
from companion.store import Store, backups, encryption
from companion.store.encryption import (
    EncryptionUnavailable,
    KeyRequired,
    WrongKey,
    is_encrypted,
)
from tests.french import fr

require_module("sqlcipher3")

KEY = "une phrase de passe solide"
HEADER = b"SQLite format 3\x00"


pytestmark = pytest.mark.usefixtures("no_keyring")


@pytest.fixture
def folder(tmp_path) -> Path:
    """A small demo-like database: actors, people with e-mails, relations, exchanges."""
    folder = tmp_path / "donnees"
    folder.mkdir()
    store = Store.open(folder / "companion.db")
    with store.undoable("remplir"):
        for n in range(30):
            actor = store.add_actor(f"Tiers-lieu Zorglub {n}", "association", commune="Lyon")
            person = store.add_person("Léa", f"Martinez{n}", email=f"lea{n}@exemple-secret.org")
            store.add_affiliation(person.id, actor.id, role="Présidente")
            store.add_interaction("reunion", "2025-03-01", actor_id=actor.id, title="Bilan")
    store.close()
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(database: Path, key: str | None = None) -> dict[str, int]:
    store = Store.open(database, key)
    try:
        return store.counts()
    finally:
        store.close()


def forget(database: Path) -> None:
    encryption.forget_key(database)


def test_an_encrypted_database_cannot_be_read_without_its_key(folder):
    database = folder / "companion.db"
    before = counts(database)
    encryption.encrypt_database(database, KEY)
    raw = database.read_bytes()
    assert not raw.startswith(HEADER) and is_encrypted(database)
    for secret in (b"Zorglub", b"exemple-secret", b"Martinez", "Léa".encode()):
        assert secret not in raw
    assert (
        not Path(f"{database}-wal").exists()
        or b"Zorglub" not in Path(f"{database}-wal").read_bytes()
    )
    forget(database)

    fingerprint = digest(database)
    with pytest.raises(KeyRequired) as missing:
        Store.open(database)
    assert "chiffrée" in str(missing.value)
    with pytest.raises(WrongKey) as wrong:
        Store.open(database, "pas la bonne phrase")
    assert str(wrong.value) == fr("Cette base est chiffrée : la phrase de passe est incorrecte.")
    assert digest(database) == fingerprint  # nothing written with a wrong key
    assert not Path(f"{database}-wal").exists()

    assert counts(database, KEY) == before
    store = Store.open(database, KEY)
    try:
        assert store.search("zorglub 7")[0].title == "Tiers-lieu Zorglub 7"
        store.add_actor("Nouvelle fiche", "association")
        store.journal.undo()
    finally:
        store.close()


def test_change_key_then_decrypt_gives_back_a_plain_database(folder):
    database = folder / "companion.db"
    before = counts(database)
    encryption.encrypt_database(database, KEY)
    encryption.change_key(database, KEY, "une autre phrase de passe")
    forget(database)
    with pytest.raises(WrongKey):
        Store.open(database, KEY)
    assert counts(database, "une autre phrase de passe") == before

    encryption.decrypt_database(database, "une autre phrase de passe")
    assert database.read_bytes().startswith(HEADER)
    forget(database)
    assert counts(database) == before


def test_an_interrupted_encryption_leaves_the_original_intact(folder, monkeypatch):
    database = folder / "companion.db"
    fingerprint = digest(database)

    def crash(_new: Path, _database: Path) -> None:
        raise OSError("coupure de courant")

    monkeypatch.setattr(backups, "install_database", crash)
    with pytest.raises(OSError):
        encryption.encrypt_database(database, KEY)
    assert digest(database) == fingerprint and not is_encrypted(database)
    assert sorted(p.name for p in folder.iterdir()) == ["companion.db", "sauvegardes"]
    forget(database)
    assert counts(database)["actors"] == 30


def test_backups_of_an_encrypted_database_are_encrypted(folder):
    database = folder / "companion.db"
    backups.make_backup(database, folder, backups.MANUAL)  # plain, before encryption
    encryption.encrypt_database(database, KEY)
    store = Store.open(database)  # the key is known in this process
    try:
        made = backups.make_backup(store, folder, backups.MANUAL)
    finally:
        store.close()
    listed = backups.list_backups(folder)
    assert len(listed) == 3  # before encryption, the plain one, the new one
    for backup in listed:  # no plaintext copy remains in sauvegardes/
        assert not backup.path.read_bytes().startswith(HEADER)
        assert b"Zorglub" not in backup.path.read_bytes()
    assert backups.preview_database(made.path).counts["actors"] == 30
    forget(database)
    with pytest.raises(backups.BackupCorrupt):
        backups.check_backup(made.path)
    with pytest.raises(WrongKey):
        encryption.connect(made.path, "pas la bonne phrase", read_only=True)
    encryption.connect(made.path, KEY, read_only=True).close()


def test_restore_and_archive_of_an_encrypted_database(folder, tmp_path):
    from companion.app.archive import export_archive, import_archive

    database = folder / "companion.db"
    encryption.encrypt_database(database, KEY)
    made = backups.make_backup(database, folder, backups.MANUAL)
    outcome = backups.restore_backup(folder, made)
    assert outcome.restored.path == made.path and is_encrypted(database)
    assert counts(database)["actors"] == 30

    out = tmp_path / "archive.zip"
    export_archive(database, out)
    import zipfile

    with zipfile.ZipFile(out) as archive:
        assert not archive.read("companion.db").startswith(HEADER)
        assert json.loads(archive.read("manifest.json"))["database_encrypted"] is True
    other = tmp_path / "ailleurs"
    with pytest.raises(KeyRequired):
        import_archive(out, other)
    encryption.remember_key(other / "companion.db", KEY)
    assert import_archive(out, other).preview.counts["actors"] == 30


def test_the_keyring_keeps_a_random_key_per_data_folder(folder, monkeypatch):
    monkeypatch.delenv("COMPANION_KEYRING")
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        database = folder / "companion.db"
        key = encryption.new_raw_key()
        assert key.startswith("x'") and len(key) == 67
        encryption.save_keyring_key(database, key)
        encryption.encrypt_database(database, key)
        assert memory.secrets == {(encryption.KEYRING_SERVICE, str(database.resolve())): key}
        forget(database)
        assert counts(database)["actors"] == 30  # found in the keyring
        encryption.delete_keyring_key(database)
        forget(database)
        with pytest.raises(KeyRequired):
            Store.open(database)
    finally:
        keyring.set_keyring(previous)


def test_without_sqlcipher_encryption_is_unavailable_in_french(folder, monkeypatch):
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.startswith("sqlcipher3"):
            raise ImportError("No module named 'sqlcipher3'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    assert not encryption.available()
    with pytest.raises(EncryptionUnavailable) as unavailable:
        encryption.encrypt_database(folder / "companion.db", KEY)
    assert "chiffrement de la base n'est pas disponible" in str(unavailable.value)
    assert not is_encrypted(folder / "companion.db")


def test_the_command_line_encrypts_and_needs_the_key(folder, tmp_path, capsys, monkeypatch):
    key_file = tmp_path / "cle.txt"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": KEY)
    assert main(["encrypt", "--data", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["encrypted"] is True
    forget(folder / "companion.db")

    fingerprint = digest(folder / "companion.db")
    assert main(["--data", str(folder), "search", "zorglub"]) == 2
    assert "chiffrée" in capsys.readouterr().err
    bad = tmp_path / "mauvaise.txt"
    bad.write_text("pas la bonne phrase", encoding="utf-8")
    assert main(["--data", str(folder), "search", "zorglub", "--key-file", str(bad)]) == 2
    assert "la phrase de passe est incorrecte" in capsys.readouterr().err
    assert digest(folder / "companion.db") == fingerprint
    forget(folder / "companion.db")

    monkeypatch.setenv("COMPANION_DB_KEY_FILE", str(key_file))
    assert main(["--data", str(folder), "search", "zorglub", "--limit", "1"]) == 0
    assert "Zorglub" in capsys.readouterr().out
    assert main(["decrypt", "--data", str(folder)]) == 0
    assert (folder / "companion.db").read_bytes().startswith(HEADER)


def test_self_check_step_encrypts_a_temporary_database(tmp_path):
    from companion.app.self_check import Context, check_encryption

    assert "illisible sans sa clé" in check_encryption(Context(tmp_path))
    assert os.listdir(tmp_path) == []


# -- decrypting converts the backups too ------------------------------------------------

OTHER = "une phrase de passe toute autre"
FOREIGN = "companion-20240101-000000-000000-manuelle.db"  # the oldest copy of the folder


def table_rows(path: Path, key: str | None = None) -> dict[str, list[str]]:
    """Every row of every ordinary table (plain files through sqlite3 itself)."""
    import sqlite3

    conn = sqlite3.connect(path) if key is None else encryption.connect(path, key, read_only=True)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
                "'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def add_foreign_backup(folder: Path, tmp_path: Path) -> Path:
    """A copy encrypted with another key (an older passphrase, say) in ``sauvegardes/``."""
    other = tmp_path / "autre"
    other.mkdir()
    Store.open(other / "companion.db").close()
    encryption.encrypt_database(other / "companion.db", OTHER)
    foreign = folder / "sauvegardes" / FOREIGN
    foreign.write_bytes((other / "companion.db").read_bytes())
    return foreign


def encrypted_with_backups(folder: Path) -> list[Path]:
    """Encrypt the folder's database, with backups made before and after; their paths."""
    database = folder / "companion.db"
    backups.make_backup(database, folder, backups.MANUAL)  # plain, encrypted with the base
    encryption.encrypt_database(database, KEY)
    backups.make_backup(database, folder, backups.MANUAL)  # made encrypted
    made = [backup.path for backup in backups.list_backups(folder)]
    assert len(made) == 3 and all(is_encrypted(path) for path in made)
    return made


def test_decrypting_writes_the_backups_under_its_key_back_as_plain_sqlite(folder, tmp_path):
    import sqlite3

    database = folder / "companion.db"
    made = encrypted_with_backups(folder)
    before = {path: table_rows(path, KEY) for path in made}
    foreign = add_foreign_backup(folder, tmp_path)
    foreign_digest = digest(foreign)

    encryption.decrypt_database(database, KEY)
    forget(database)
    listed = [backup.path for backup in backups.list_backups(folder)]
    assert len(listed) == 5  # the three, the foreign one, the one made before decrypting
    assert is_encrypted(foreign) and digest(foreign) == foreign_digest  # untouched
    encryption.connect(foreign, OTHER, read_only=True).close()
    for path in (p for p in listed if p != foreign):
        assert not is_encrypted(path) and path.read_bytes().startswith(HEADER)
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
        assert table_rows(path) == before.get(path, table_rows(database))
    assert sorted(p.name for p in (folder / "sauvegardes").iterdir()) == sorted(
        p.name for p in listed
    )  # no partial file left


def test_an_interrupted_decryption_of_the_backups_leaves_the_rest_intact(
    folder, tmp_path, monkeypatch
):
    database = folder / "companion.db"
    made = encrypted_with_backups(folder)
    fingerprints = {path: digest(path) for path in made}
    before = {path: table_rows(path, KEY) for path in made}
    real_export = encryption._export
    exported = []

    def export(source: Path, key, target: Path, new_key) -> None:  # noqa: ANN001
        if source.parent.name == encryption.BACKUP_FOLDER:
            exported.append(source)
            if len(exported) == 2:
                assert target.parent == source.parent  # the partial is beside its copy
                target.write_bytes(b"a moitie ecrit")
                raise OSError("disque plein")
        real_export(source, key, target, new_key)

    monkeypatch.setattr(encryption, "_export", export)
    with pytest.raises(OSError, match="disque plein"):
        encryption.decrypt_database(database, KEY)
    first, second = exported
    assert first not in made and not is_encrypted(first)  # made before decrypting: converted
    assert second in made
    assert sorted(p.name for p in (folder / "sauvegardes").iterdir()) == sorted(
        p.name for p in (first, *made)
    )  # the partial file is gone
    assert not any(".chiffrement" in p.name for p in folder.rglob("*"))
    forget(database)
    for path in made:  # not converted yet: the same bytes, still open with the key
        assert is_encrypted(path) and digest(path) == fingerprints[path]
        assert table_rows(path, KEY) == before[path]


def test_a_backup_restores_without_the_old_key_after_decrypting(folder):
    database = folder / "companion.db"
    encryption.encrypt_database(database, KEY)
    made = backups.make_backup(database, folder, backups.MANUAL)
    encryption.decrypt_database(database, KEY)
    forget(database)  # the old key is forgotten: it is needed no more
    assert backups.check_backup(made.path).counts["actors"] == 30
    outcome = backups.restore_backup(folder, made)
    assert outcome.restored.path == made.path and not is_encrypted(database)
    assert not is_encrypted(outcome.safety.path)
    assert counts(database)["actors"] == 30


# -- restoring a copy made under another key --------------------------------------------


def copy_under_old_key(folder: Path) -> Path:
    """A copy of the folder's database (30 actors) made while it was encrypted with KEY,
    left under KEY while the database was decrypted (the disk full, say), then one more
    actor added: the database is plain, the copy needs KEY."""
    database = folder / "companion.db"
    encryption.encrypt_database(database, KEY)
    made = backups.make_backup(database, folder, backups.MANUAL).path
    kept = made.read_bytes()
    encryption.decrypt_database(database, KEY)
    made.write_bytes(kept)  # as the decryption left it when it could not convert it
    forget(database)
    store = Store.open(database)
    try:
        store.add_actor("Ajoutée après la sauvegarde", "association")
    finally:
        store.close()
    assert is_encrypted(made) and not is_encrypted(database)
    return made


def test_a_copy_under_an_old_key_asks_for_its_passphrase_then_restores_plain(folder):
    database = folder / "companion.db"
    made = copy_under_old_key(folder)
    with pytest.raises(backups.BackupKeyRequired) as locked:
        backups.check_backup(made)
    assert isinstance(locked.value, backups.BackupCorrupt) and not locked.value.wrong
    assert made.name in str(locked.value) and "autre clé" in str(locked.value)
    with pytest.raises(backups.BackupKeyRequired):
        backups.preview_database(made)
    assert backups.check_backup(made, KEY).counts["actors"] == 30
    assert backups.preview_database(made, KEY).counts["actors"] == 30

    fingerprint = digest(database)
    listed = sorted(p.name for p in (folder / "sauvegardes").iterdir())
    with pytest.raises(backups.BackupKeyRequired):
        backups.restore_backup(folder, made.name)
    with pytest.raises(backups.BackupKeyRequired) as wrong:
        backups.restore_backup(folder, made, key="pas la bonne phrase")
    assert wrong.value.wrong and made.name in str(wrong.value)
    assert "phrase de passe incorrecte ou fichier endommagé" in str(wrong.value)
    assert digest(database) == fingerprint  # nothing changed, nothing copied
    assert sorted(p.name for p in (folder / "sauvegardes").iterdir()) == listed
    assert sorted(p.name for p in folder.iterdir()) == ["companion.db", "sauvegardes"]

    outcome = backups.restore_backup(folder, made, key=KEY)
    assert outcome.restored.path == made and is_encrypted(made)  # the copy is left as it was
    assert not is_encrypted(database) and database.read_bytes().startswith(HEADER)
    assert counts(database)["actors"] == 30
    store = Store.open(database)
    try:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    assert outcome.safety.reason == backups.RESTORE and not is_encrypted(outcome.safety.path)
    assert backups.check_backup(outcome.safety.path).counts["actors"] == 31
    assert not any(".restauration" in p.name for p in folder.rglob("*"))


def test_a_copy_under_an_old_key_restores_under_the_current_key(folder):
    database = folder / "companion.db"
    made = copy_under_old_key(folder)
    encryption.encrypt_database(database, OTHER)  # the copy under KEY is left as it is
    assert is_encrypted(made)
    with pytest.raises(backups.BackupKeyRequired):
        backups.check_backup(made)  # OTHER, the folder's key, does not open it
    fingerprint = digest(database)
    with pytest.raises(backups.BackupKeyRequired):
        backups.restore_backup(folder, made, key="pas la bonne phrase")
    assert digest(database) == fingerprint

    outcome = backups.restore_backup(folder, made, key=KEY)
    assert is_encrypted(database)
    with pytest.raises(WrongKey):
        encryption.connect(database, KEY, read_only=True)
    forget(database)
    assert counts(database, OTHER)["actors"] == 30
    conn = encryption.connect(database, OTHER)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    encryption.remember_key(database, OTHER)
    assert is_encrypted(outcome.safety.path)  # the state before, under the current key too
    assert backups.check_backup(outcome.safety.path).counts["actors"] == 31


def test_a_plain_copy_restored_into_an_encrypted_folder_is_encrypted(folder, tmp_path):
    database = folder / "companion.db"
    encryption.encrypt_database(database, KEY)
    other = tmp_path / "ailleurs.db"
    Store.open(other).close()
    plain = folder / "sauvegardes" / FOREIGN  # a plain copy brought back in the folder
    backups.copy_database(other, plain)
    assert not is_encrypted(plain)
    backups.restore_backup(folder, plain)
    assert is_encrypted(database)  # never written back as plain SQLite
    forget(database)
    assert counts(database, KEY)["actors"] == 0


def test_the_command_line_restores_a_copy_under_an_old_key(folder, tmp_path, capsys, monkeypatch):
    database = folder / "companion.db"
    made = copy_under_old_key(folder)
    key_file = tmp_path / "cle.txt"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    bad = tmp_path / "mauvaise.txt"
    bad.write_text("pas la bonne phrase\n", encoding="utf-8")
    fingerprint = digest(database)
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "faux")
    assert main(["restore", made.name, "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "autre clé" in err and "phrase de passe incorrecte" in err
    assert asked == [fr("Phrase de passe de la sauvegarde : ")]
    forget(database)
    command = ["restore", made.name, "--data", str(folder), "--backup-key-file", str(bad)]
    assert main(command) == 2
    assert "phrase de passe incorrecte" in capsys.readouterr().err
    assert len(asked) == 1  # read from the file, not asked
    assert digest(database) == fingerprint
    assert not any(".restauration" in p.name for p in folder.rglob("*"))
    forget(database)

    assert main(["restore", made.name, "--data", str(folder), "--key-file", str(key_file)]) == 0
    assert json.loads(capsys.readouterr().out)["restored"] == str(made)
    forget(database)
    assert not is_encrypted(database) and counts(database)["actors"] == 30


def test_the_command_line_asks_the_copy_s_passphrase_beside_the_folder_s_key(
    folder, tmp_path, capsys, monkeypatch
):
    database = folder / "companion.db"
    made = copy_under_old_key(folder)
    encryption.encrypt_database(database, OTHER)
    forget(database)
    folder_key = tmp_path / "base.txt"
    folder_key.write_text(OTHER + "\n", encoding="utf-8")
    copy_key = tmp_path / "sauvegarde.txt"
    copy_key.write_text(KEY + "\n", encoding="utf-8")
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or KEY)
    command = ["restore", made.name, "--data", str(folder), "--key-file", str(folder_key)]
    assert main(command) == 0
    assert asked == [fr("Phrase de passe de la sauvegarde : ")]
    capsys.readouterr()
    forget(database)
    assert counts(database, OTHER)["actors"] == 30
    outcome = [b for b in backups.list_backups(folder) if b.reason == backups.RESTORE]
    assert len(outcome) == 1
    forget(database)
    assert main([*command, "--backup-key-file", str(copy_key)]) == 0
    assert len(asked) == 1  # read from the file this time
