"""The user's data folder: where the database lives, created safely on first start."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from companion import filemodes
from companion.errors import CompanionError
from companion.i18n import _
from companion.store import Store
from companion.store.backups import CREATED_SETTING

DATABASE_NAME = "companion.db"
# What Companion keeps in a data folder, made private (0700/0600, ``filemodes.py``) when the
# folder is opened: backups, the log, the hub's toolbox items, imported basemaps, the tile
# sources, the hub token; the database with its -wal/-shm and partial copies, the tile
# caches (``tiles-*.mbtiles``). Anything else is left as it is: the folder may be one the
# user keeps other files in.
PRIVATE_ENTRIES = (
    "sauvegardes", "journaux", "boiteaoutils", "basemaps", "tile_sources.json", "jeton-hub",
)  # fmt: skip
PRIVATE_PREFIXES = ("companion.", "tiles-")

Progress = Callable[[int, int, str], None]


class DataFolderError(CompanionError):
    """The data folder cannot be created, read or written."""


def prepare_data_folder(folder: Path) -> Path:
    """Create ``folder`` if needed (0700), check it is usable, make what Companion keeps in
    it private (``make_private``), and return the database path in it."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise DataFolderError(
            _("Le dossier de données « {path} » est un fichier, pas un dossier.").format(
                path=folder
            )
        )
    try:
        filemodes.private_folder(folder)
    except OSError as error:
        raise DataFolderError(
            _("Impossible de créer le dossier de données « {path} » : {reason}").format(
                path=folder, reason=error.strerror or error
            )
        ) from error
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        raise DataFolderError(
            _(
                "Le dossier de données « {path} » n'est pas accessible en lecture et écriture."
            ).format(path=folder)
        )
    make_private(folder)
    return folder / DATABASE_NAME


def make_private(folder: Path) -> None:
    """Tighten the data folder and what Companion keeps in it to 0700/0600 (POSIX)."""
    if not filemodes.ENABLED:
        return
    filemodes.tighten(folder)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name in PRIVATE_ENTRIES or entry.name.startswith(PRIVATE_PREFIXES):
                filemodes.tighten_tree(entry.path)


def has_database(folder: Path) -> bool:
    return (Path(folder).expanduser() / DATABASE_NAME).exists()


class NoDatabase(DataFolderError):
    """A command needs data and the folder has none yet."""


def open_existing_store(folder: Path) -> Store:
    """The folder's database; ``NoDatabase`` (never an empty new one) if there is none."""
    if not has_database(folder):
        raise NoDatabase(
            _("Aucune base dans « {path} » : lancez « companion demo » ou l'application.").format(
                path=folder
            )
        )
    return open_store(folder)


def open_store(folder: Path) -> Store:
    """Open the folder's database (creating an empty one if there is none)."""
    return Store.open(prepare_data_folder(folder))


DEMO_SETTING = "demo_network"


def create_demo_database(
    folder: Path,
    catalysts: int = 350,
    seed: int = 1,
    actors: int | None = None,
    progress: Progress | None = None,
) -> Path:
    """Generate the demo network into the folder's database, atomically.

    The network is written to a temporary file that replaces the database only
    once complete, so an interrupted generation never leaves a half database.
    """
    from companion.demo import generate  # imported late: heavy, and only needed here
    from companion.geo import Gazetteer

    target = prepare_data_folder(folder)
    partial = target.with_name(target.name + ".creation")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    store = Store.open(partial)
    gazetteer = Gazetteer.open()
    try:
        generate(store, gazetteer, catalysts=catalysts, seed=seed, actors=actors, progress=progress)
        # Fictional records of fictional members: this database never syncs.
        store.set_setting(DEMO_SETTING, "1")
        # Rebuilt in a minute by the same command: no 66 MB copy at its birth.
        store.set_setting(CREATED_SETTING, datetime.now().isoformat(timespec="seconds"))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
        gazetteer.close()
    os.replace(partial, target)
    for side in ("-wal", "-shm"):
        Path(f"{target}{side}").unlink(missing_ok=True)
        Path(f"{partial}{side}").unlink(missing_ok=True)
    return target
