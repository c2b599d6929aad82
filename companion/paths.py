"""Where Companion finds its shipped resources and keeps the user's data.

The resources live inside the package, ``companion/resources/``: the source tree, an
editable install and an installed wheel all find them next to this module. The
PyInstaller bundle puts them at the same place under its folder (build.spec).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Companion"
DATA_DIR_ENV = "COMPANION_DATA"


def resources_root() -> Path:
    """The folder of the shipped resources (toolbox, translations, map scripts, built data)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "companion" / "resources"
    return Path(__file__).resolve().parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("data", "gazetteer.sqlite")``."""
    return resources_root().joinpath(*parts)


def built_data_path(*parts: str) -> Path:
    """Path of data built at install time from registry packages (never committed)."""
    return resource_path("data", *parts)


def default_data_dir() -> Path:
    """The user's data folder: ``$COMPANION_DATA`` if set, else the platform's one."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs  # only when no folder was given: it costs 7 ms at start-up

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
