"""The hub token: in the system keyring when there is one, else a private file.

The file, ``jeton-hub`` in the data folder, is readable by its owner only
(0600). ``COMPANION_KEYRING=0`` skips the keyring (tests, headless machines).
A token belongs to one hub: the keyring keeps it under the hub's address, the
file names the hub on its first line (``hub <url>``). A database that names
another hub (a restored backup, an imported archive, a crafted file) never gets
this one's token sent there. A file from an earlier version holds the token
alone: it is taken for the hub the data folder first asks it for, then bound.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from companion.i18n import _
from companion.sync.hubapi import SyncError

SERVICE = "Companion (hub)"
TOKEN_FILE = "jeton-hub"
_HUB_LINE = "hub "

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
    _write_file(path, hub_url, token)
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
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SyncError(
            _("Impossible de lire le jeton « {path} » : {reason}").format(
                path=path, reason=error.strerror or error
            )
        ) from error
    lines = [line for line in lines if line]
    if lines and lines[0].startswith(_HUB_LINE):
        if lines[0][len(_HUB_LINE) :].strip() != hub_url:
            log.info("the token file belongs to another hub: not used")
            return None
        return lines[1] if len(lines) > 1 else None
    if not lines:
        return None
    _write_file(path, hub_url, lines[0])  # an earlier version's file: bound from now on
    return lines[0]


def bind_token_file(data_dir: Path, hub_url: str) -> None:
    """Bind an earlier version's token file (the token alone) to ``hub_url``, the hub it
    served: called before another database (an archive's) takes the folder's place."""
    path = Path(data_dir) / TOKEN_FILE
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except OSError:
        return
    lines = [line for line in lines if line]
    if lines and not lines[0].startswith(_HUB_LINE):
        _write_file(path, hub_url, lines[0])


def _write_file(path: Path, hub_url: str, token: str) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(f"{_HUB_LINE}{hub_url}\n{token.strip()}\n")
        os.chmod(path, 0o600)  # an existing file keeps its mode through os.open
    except OSError as error:
        raise SyncError(
            _("Impossible d'enregistrer le jeton dans « {path} » : {reason}").format(
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
