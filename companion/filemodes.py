"""Private files: what a data folder holds is its user's alone, on the laptop and the hub.

On POSIX systems folders are made 0700 and files 0600 where they are created, by an
explicit mode (``os.open``; ``mkdir``, whose mode goes through the umask, then ``chmod``),
never by a process-wide umask: what the app writes into the user's Documents (exports,
documents from templates) keeps the usual modes. SQLite gives a database's -wal, -shm and
-journal files the mode of the database file itself, so creating that one private first
(``private_file``) is enough. Folders and files found looser (made by an earlier version,
or copied in by hand) are tightened when a data folder is opened (``tighten_tree``).

Windows has no such modes (the folders of a user's profile are private through their
ACLs): nothing is done there.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO, Any

FOLDER_MODE = 0o700
FILE_MODE = 0o600
ENABLED = os.name == "posix"
_OTHERS = 0o077  # group and others' permissions

log = logging.getLogger(__name__)


def private_folder(path: Path | str) -> Path:
    """Create the folder ``path`` (and its missing parents) 0700, or tighten the existing
    one; return it. A file in the way raises ``FileExistsError``, as ``mkdir`` does."""
    path = Path(path)
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    path.mkdir(parents=True, exist_ok=True)
    if not missing:
        tighten(path)
    for folder in missing:
        _chmod(folder, FOLDER_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """Create ``path`` as an empty file, 0600, unless it exists (then it is tightened);
    return it. For a file another library is about to create or fill (SQLite, zipfile)."""
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return path
    os.close(descriptor)
    _chmod(path, FILE_MODE)  # a umask may have taken the owner's rights too
    return path


def open_private(path: Path | str, mode: str = "w", **options: Any) -> IO[Any]:
    """``open()``, the file 0600 if this creates it."""
    return open(path, mode, opener=_private_opener, **options)  # noqa: SIM115


def tighten(path: Path | str) -> None:
    """Take group and others' permissions off the folder or file ``path`` (a symbolic
    link, or a missing path, is left alone)."""
    if not ENABLED:
        return
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(status.st_mode)
    if stat.S_ISLNK(status.st_mode) or not mode & _OTHERS:
        return
    _chmod(path, mode & ~_OTHERS)


def tighten_tree(path: Path | str) -> None:
    """``tighten`` a folder and everything under it (symbolic links are not followed)."""
    if not ENABLED:
        return
    tighten(path)
    for root, folders, files in os.walk(path):
        for name in (*folders, *files):
            tighten(os.path.join(root, name))


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, FILE_MODE)


def _chmod(path: Path | str, mode: int) -> None:
    if not ENABLED:
        return
    try:
        os.chmod(path, mode)
    except OSError as error:  # not the owner (a folder shared on purpose): left as it is
        log.warning("could not make %s private: %s", path, error)
