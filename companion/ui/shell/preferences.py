"""This machine's preferences, outside any data folder: its data folder and language.

Kept by Qt (``QSettings``, an INI file in the user's configuration folder); read at
start, before any data folder is open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

DATA_FOLDER_KEY = "data_folder"
LANGUAGE_KEY = "language"
LANGUAGES = (("fr", "Français"), ("en", "English"))  # each in its own language


def preferences() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Companion", "Companion"
    )


def remember_data_folder(folder: Path) -> None:
    preferences().setValue(DATA_FOLDER_KEY, str(folder))


def remembered_data_folder() -> Path | None:
    """The data folder chosen at a first start or in the preferences, if still there."""
    value = preferences().value(DATA_FOLDER_KEY)
    if isinstance(value, str) and value and Path(value).is_dir():
        return Path(value)
    return None


def preferred_language() -> str | None:
    """The language chosen in the preferences (``fr``, ``en``), or None: the system's."""
    value = preferences().value(LANGUAGE_KEY)
    return value if value in dict(LANGUAGES) else None


def set_preferred_language(code: str) -> None:
    preferences().setValue(LANGUAGE_KEY, code)
