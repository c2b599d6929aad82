"""Where file choosers open: the folder last used for the same purpose, else Documents.

Remembered on this machine (``QSettings``, beside the language and the data folder), one
folder per purpose (« import », « export »…), so an export dialog opens where the last
export went and never in the program's own folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

_GROUP = "folders"


def _settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Companion", "Companion"
    )


def documents_folder() -> Path:
    """The user's documents folder (else home)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def last_folder(purpose: str) -> Path:
    """The folder last used for ``purpose`` if it still exists, else Documents."""
    value = _settings().value(f"{_GROUP}/{purpose}")
    if isinstance(value, str) and value and Path(value).is_dir():
        return Path(value)
    return documents_folder()


def remember_folder(purpose: str, chosen: Path | str) -> None:
    """Remember the folder of a file just chosen (or the folder itself)."""
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    _settings().setValue(f"{_GROUP}/{purpose}", str(folder))


def remembered_choice(key: str) -> str:
    """Another choice of the same dialog remembered on this machine (a format…), or ""."""
    value = _settings().value(f"{_GROUP}/{key}")
    return value if isinstance(value, str) else ""


def remember_choice(key: str, value: str) -> None:
    _settings().setValue(f"{_GROUP}/{key}", value)
