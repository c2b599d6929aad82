"""The main window's menu bar: every action of the app, with its shortcut, in one place.

Menus make the actions findable; the shortcuts work with or without them. The
actions that open heavier parts (forms, wizard, dialogs) import them on use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from companion.errors import CompanionError
from companion.i18n import _
from companion.ui.common.actions import add_action
from companion.ui.common.file_dialogs import (
    last_folder,
    remember_choice,
    remember_folder,
    remembered_choice,
)
from companion.ui.common.saved_file import offer_to_open
from companion.ui.common.window import Window

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenuBar

    from companion.ui.directory.page import DirectoryPage


class MenuWindow(Window, Protocol):
    """The main window as its menus see it: the commands they offer."""

    directory: DirectoryPage
    undo_action: QAction

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 (Qt's)
    def addAction(self, action: QAction) -> None: ...  # noqa: N802 (Qt's)
    def close(self) -> bool: ...
    def show_section(self, index: int) -> None: ...
    def section_titles(self) -> list[tuple[str, str]]: ...
    def open_import_wizard(self) -> None: ...
    def open_recent_imports(self) -> None: ...
    def sync_now(self) -> None: ...
    def open_sync_dialog(self) -> None: ...
    def find_actor(self) -> None: ...
    def open_global_search(self) -> None: ...
    def new_actor(self) -> None: ...
    def new_person(self) -> None: ...
    def open_duplicates(self) -> None: ...
    def open_review(self) -> None: ...
    def open_settings(self) -> None: ...
    def open_shortcuts(self) -> None: ...
    def open_getting_started(self) -> None: ...
    def open_about(self) -> None: ...


def build_menus(window: MenuWindow) -> dict[str, QAction]:
    """Fichier, Édition, Annuaire, Affichage, Aide; returns the actions by name (for tests)."""
    bar = window.menuBar()
    actions: dict[str, QAction] = {}

    file_menu = bar.addMenu(_("&Fichier"))
    actions["import"] = add_action(file_menu, _("Importer…"), window.open_import_wizard, "Ctrl+I")
    actions["recent_imports"] = add_action(
        file_menu, _("Imports récents…"), window.open_recent_imports
    )
    actions["export"] = add_action(
        file_menu, _("Exporter l'annuaire…"), lambda: export_directory(window), "Ctrl+Shift+E"
    )
    actions["activity_report"] = add_action(
        file_menu, _("Rapport d'activité…"), lambda: show_activity_report(window), "Ctrl+Shift+R"
    )
    file_menu.addSeparator()
    sync_menu = file_menu.addMenu(_("Synchronisation"))
    actions["sync_now"] = add_action(sync_menu, _("Synchroniser maintenant"), window.sync_now)
    actions["sync_now"].setShortcuts([QKeySequence("F9"), QKeySequence("Ctrl+Shift+S")])
    actions["sync_connect"] = add_action(
        sync_menu, _("Se connecter à un hub…"), window.open_sync_dialog
    )
    file_menu.addSeparator()
    from companion.ui.data.data_actions import add_data_actions  # backups and archives

    actions.update(add_data_actions(window, file_menu))
    actions.update(_encryption_menu(window, file_menu))
    file_menu.addSeparator()
    actions["quit"] = add_action(file_menu, _("Quitter"), window.close, "Ctrl+Q")

    edit_menu = bar.addMenu(_("&Édition"))
    edit_menu.addAction(window.undo_action)
    window.addAction(window.undo_action)
    actions["undo"] = window.undo_action
    edit_menu.addSeparator()
    actions["find"] = add_action(
        edit_menu, _("Rechercher"), window.find_actor, QKeySequence.StandardKey.Find
    )
    go_menu = edit_menu.addMenu(_("Aller à"))
    actions["search_everywhere"] = add_action(
        go_menu, _("Rechercher partout…"), window.open_global_search, "Ctrl+K"
    )
    edit_menu.addSeparator()
    actions["preferences"] = add_action(
        edit_menu, _("Préférences…"), window.open_settings, "Ctrl+,"
    )

    directory_menu = bar.addMenu(_("&Annuaire"))
    actions["new_actor"] = add_action(
        directory_menu, _("Nouvel acteur…"), window.new_actor, "Ctrl+N"
    )
    actions["new_person"] = add_action(
        directory_menu, _("Nouvelle personne…"), window.new_person, "Ctrl+Shift+N"
    )
    directory_menu.addSeparator()
    bulk = window.directory.actor_bulk
    for name, action in (("on_map", bulk.map_action), ("selection_network", bulk.ecosystem_action)):
        if action is not None:
            directory_menu.addAction(action)
            actions[name] = action
    directory_menu.addSeparator()
    actions["duplicates"] = add_action(
        directory_menu, _("Rechercher les doublons…"), window.open_duplicates, "Ctrl+Shift+D"
    )
    actions["review"] = add_action(
        directory_menu, _("Personnes à revoir (RGPD)…"), window.open_review
    )

    view_menu = bar.addMenu(_("A&ffichage"))
    for number, (title, _icon) in enumerate(window.section_titles()):
        actions[f"section{number + 1}"] = add_action(
            view_menu,
            title,
            lambda n=number: window.show_section(n),
            f"Ctrl+{number + 1}",
        )

    help_menu = bar.addMenu(_("&Aide"))
    actions["getting_started"] = add_action(
        help_menu, _("Prise en main…"), window.open_getting_started
    )
    actions["shortcuts"] = add_action(
        help_menu, _("Raccourcis clavier…"), window.open_shortcuts, "F1"
    )
    help_menu.addSeparator()
    actions["about"] = add_action(help_menu, _("À propos de Companion…"), window.open_about)
    return actions


def _encryption_menu(window: MenuWindow, file_menu: QMenu) -> dict[str, QAction]:
    """Fichier › Chiffrement; its module (``ui/data/encryption_dialogs.py``) loads on use."""

    def run(name: str) -> Callable[[], object]:
        def slot() -> object:
            from companion.ui.data import encryption_dialogs

            return getattr(encryption_dialogs, name)(window)

        return slot

    menu = file_menu.addMenu(_("Chiffrement"))
    actions = {
        "encrypt": add_action(menu, _("Chiffrer la base…"), run("encrypt_base")),
        "change_key": add_action(menu, _("Changer la phrase de passe…"), run("change_passphrase")),
        "decrypt": add_action(menu, _("Ne plus chiffrer…"), run("decrypt_base")),
    }

    def update() -> None:
        from companion.store.encryption import is_encrypted

        encrypted = is_encrypted(window.store.path)
        actions["encrypt"].setEnabled(not encrypted)
        actions["change_key"].setEnabled(encrypted)
        actions["decrypt"].setEnabled(encrypted)

    menu.aboutToShow.connect(update)
    return actions


def show_activity_report(window: MenuWindow) -> None:
    """The activity report of a period (its dialog and the insights load only now)."""
    from companion.ui.reports.activity_dialog import open_activity_report

    open_activity_report(window)


EXPORT_PURPOSE = "directory-export"  # its folder, remembered (``ui/common/file_dialogs.py``)
EXPORT_FORMAT_KEY = "directory-export-format"


def export_directory(window: MenuWindow) -> Path | None:
    """Ask for a file (its type picks the format), write the directory, say how many."""
    from companion.io.directory_export import EXPORT_FORMATS, chosen_format, export_directory

    filters = [f"{_(label)} (*{suffix})" for suffix, label in EXPORT_FORMATS.values()]
    # Where, and in which format, the last export of the directory went.
    last_code = remembered_choice(EXPORT_FORMAT_KEY)
    last_code = last_code if last_code in EXPORT_FORMATS else next(iter(EXPORT_FORMATS))
    suggested = last_folder(EXPORT_PURPOSE) / f"annuaire{EXPORT_FORMATS[last_code][0]}"
    name, chosen = QFileDialog.getSaveFileName(
        window,
        _("Exporter l'annuaire"),
        str(suggested),
        ";;".join(filters),
        filters[list(EXPORT_FORMATS).index(last_code)],
    )
    if not name:
        return None
    # Kumu's workbook and the spreadsheet share .xlsx: the chosen type tells them apart.
    chosen_code = list(EXPORT_FORMATS)[filters.index(chosen)] if chosen in filters else None
    code, path = chosen_format(Path(name), chosen_code)
    try:
        count = export_directory(window.store, code, path)
    except CompanionError as error:
        QMessageBox.warning(window, _("Exporter l'annuaire"), str(error))
        return None
    remember_folder(EXPORT_PURPOSE, path)
    remember_choice(EXPORT_FORMAT_KEY, code)
    message = _("{count} fiches exportées dans « {path} »").format(count=count, path=path)
    window.show_message(message)
    offer_to_open(window, _("Exporter l'annuaire"), path, message + ".")
    return path
