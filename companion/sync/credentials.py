"""The hub token: in the system keyring when there is one, else a private file.

The file, ``jeton-hub`` in the data folder, is readable by its owner only
(0600). ``COMPANION_KEYRING=0`` skips the keyring (tests, headless machines).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from companion.i18n import _
from companion.sync.hubapi import SyncError

SERVICE = "Companion (hub)"
TOKEN_FILE = "jeton-hub"

log = logging.getLogger(__name__)


def _keyring():  # noqa: ANN202 - the module, or None
    if os.environ.get("COMPANION_KEYRING", "1") == "0":
        return None
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def save_token(data_dir: Path, hub_url: str, token: str) -> str:
    """Keep the token for ``hub_url``; return where ("keyring" or the file's path)."""
    keyring = _keyring()
    if keyring is not None:
        try:
            keyring.set_password(SERVICE, hub_url, token)
            (Path(data_dir) / TOKEN_FILE).unlink(missing_ok=True)
            return "keyring"
        except Exception as error:  # no usable backend: the file will do
            log.info("keyring unavailable (%s): token kept in a file", error)
    path = Path(data_dir) / TOKEN_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(token.strip() + "\n")
        os.chmod(path, 0o600)  # an existing file keeps its mode through os.open
    except OSError as error:
        raise SyncError(
            _("Impossible d'enregistrer le jeton dans « {path} » : {reason}").format(
                path=path, reason=error.strerror or error
            )
        ) from error
    return str(path)


def load_token(data_dir: Path, hub_url: str) -> str | None:
    keyring = _keyring()
    if keyring is not None:
        try:
            token = keyring.get_password(SERVICE, hub_url)
        except Exception as error:
            log.info("keyring unavailable (%s)", error)
        else:
            if token:
                return token
    path = Path(data_dir) / TOKEN_FILE
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SyncError(
            _("Impossible de lire le jeton « {path} » : {reason}").format(
                path=path, reason=error.strerror or error
            )
        ) from error


def read_token_file(path: Path) -> str:
    """A token given as a file (``--token-file``): its first non-empty line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SyncError(
            _("Impossible de lire le jeton « {path} » : {reason}").format(
                path=path, reason=error.strerror or error
            )
        ) from error
    token = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not token:
        raise SyncError(_("Le fichier « {path} » ne contient pas de jeton.").format(path=path))
    return token
