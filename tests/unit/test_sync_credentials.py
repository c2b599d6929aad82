"""The hub token: in the system keyring when there is one, else a file only its owner reads."""

from __future__ import annotations

import stat

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError
from sync_helpers import MemoryKeyring

from companion.sync.credentials import SERVICE, TOKEN_FILE, load_token, save_token

HUB = "https://hub.example.org"


class NoKeyring(MemoryKeyring):
    """A machine without a usable keyring (a headless server, a bare window manager)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("no backend")

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("no backend")


@pytest.fixture
def use_keyring(monkeypatch):
    monkeypatch.delenv("COMPANION_KEYRING", raising=False)
    previous = keyring.get_keyring()

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


def test_the_token_goes_to_the_keyring_when_there_is_one(tmp_path, use_keyring):
    backend = use_keyring(MemoryKeyring())
    (tmp_path / TOKEN_FILE).write_text("ancien\n")  # left by an earlier version
    assert save_token(tmp_path, HUB, "jeton-secret") == "keyring"
    assert backend.secrets == {(SERVICE, HUB): "jeton-secret"}
    assert not (tmp_path / TOKEN_FILE).exists()  # no copy left in clear on the disk
    assert load_token(tmp_path, HUB) == "jeton-secret"
    assert load_token(tmp_path, "https://autre-hub.example.org") is None


def test_without_a_keyring_the_token_is_a_file_only_its_owner_reads(tmp_path, use_keyring):
    use_keyring(NoKeyring())
    where = save_token(tmp_path, HUB, "jeton-secret")
    path = tmp_path / TOKEN_FILE
    assert where == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_token(tmp_path, HUB) == "jeton-secret"


def test_the_token_file_is_only_ever_given_to_its_own_hub(tmp_path, use_keyring):
    use_keyring(NoKeyring())
    save_token(tmp_path, HUB, "jeton-secret")
    # A restored backup or an imported archive may name another hub: it gets nothing.
    assert load_token(tmp_path, "https://hub.malveillant.example") is None
    assert load_token(tmp_path, HUB) == "jeton-secret"


def test_an_earlier_versions_token_file_is_bound_to_the_first_hub_it_serves(tmp_path, use_keyring):
    use_keyring(NoKeyring())
    path = tmp_path / TOKEN_FILE
    path.write_text("jeton-ancien\n")
    assert load_token(tmp_path, HUB) == "jeton-ancien"
    assert load_token(tmp_path, "https://hub.malveillant.example") is None
    assert load_token(tmp_path, HUB) == "jeton-ancien"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
