"""Actions on the selected rows of a directory table: tag, visibility, delete.

The same actions back the toolbar, the context menu and the Del key. Each one
is a single undo step (``directory/bulk.py``); afterwards ``done`` carries the
status-bar message ("3 acteurs supprimés — Ctrl+Z pour annuler"). For actors,
"Voir le réseau de la sélection" and "Voir sur la carte" change nothing: they ask for
their network (``ecosystem_requested``, shown by the Territoires section) or for them on
the map (``map_requested``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QMenu,
    QMessageBox,
    QTableView,
    QToolBar,
    QToolButton,
    QWidget,
)

from companion.directory import bulk
from companion.errors import CompanionError
from companion.i18n import _, ngettext
from companion.store import Store


def undo_hint(done: str) -> str:
    """A status-bar message for an action that can be undone."""
    return _("{done} — Ctrl+Z pour annuler").format(done=done)


SHOW_ON_MAP_KEY = "Ctrl+Shift+M"  # listed by Aide › Raccourcis clavier


class BulkActions(QObject):
    """Tag (actors only), make private or shared, and delete the selected records."""

    done = Signal(str)  # the status message after a change
    ecosystem_requested = Signal(list)  # the selected actors' ids: show their network
    map_requested = Signal(list)  # the selected actors' ids: show them on the map

    def __init__(
        self,
        store: Store,
        table: QTableView,
        entity: str,
        selected_ids: Callable[[], list[str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.table = table
        self.entity = entity  # "actors" or "people"
        self.selected_ids = selected_ids
        self.tag_action: QAction | None = None
        self.ecosystem_action: QAction | None = None
        self.map_action: QAction | None = None
        if entity == "actors":
            self.map_action = QAction(_("Voir sur la carte"), table)
            self.map_action.setShortcut(QKeySequence(SHOW_ON_MAP_KEY))
            self.map_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.map_action.setToolTip(_("Montrer les acteurs choisis sur la carte (Ctrl+Maj+M)"))
            self.map_action.triggered.connect(self.show_on_map)
            table.addAction(self.map_action)
            self.tag_action = QAction(_("Ajouter une étiquette…"), table)
            self.tag_action.triggered.connect(self.tag_selection)
            self.ecosystem_action = QAction(_("Voir le réseau de la sélection"), table)
            self.ecosystem_action.triggered.connect(self.show_network)
        self.private_action = QAction(_("Rendre privé"), table)
        self.private_action.triggered.connect(self.make_private)
        self.network_action = QAction(_("Partager avec le réseau"), table)
        self.network_action.triggered.connect(self.share_with_network)
        self.delete_action = QAction(_("Supprimer…"), table)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self.delete_selection)
        table.addAction(self.delete_action)  # Del works while the table has the focus
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._show_menu)
        table.selectionModel().selectionChanged.connect(self.update_enabled)
        table.model().modelReset.connect(self.update_enabled)
        self.update_enabled()

    def actions(self) -> list[QAction]:
        found = [
            self.map_action,
            self.ecosystem_action,
            self.tag_action,
            self.private_action,
            self.network_action,
            self.delete_action,
        ]
        return [action for action in found if action is not None]

    def update_enabled(self) -> None:
        selected = self.table.selectionModel().hasSelection()
        for action in self.actions():
            action.setEnabled(selected)

    def add_to_toolbar(self, toolbar: QToolBar) -> None:
        if self.map_action is not None:
            toolbar.addAction(self.map_action)
        if self.ecosystem_action is not None:
            toolbar.addAction(self.ecosystem_action)
            toolbar.addSeparator()
        if self.tag_action is not None:
            toolbar.addAction(self.tag_action)
        visibility = QToolButton(toolbar)
        visibility.setText(_("Visibilité"))
        visibility.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        choices = QMenu(visibility)
        choices.addAction(self.private_action)
        choices.addAction(self.network_action)
        visibility.setMenu(choices)
        toolbar.addWidget(visibility)
        toolbar.addAction(self.delete_action)

    def context_menu(self, parent: QWidget | None = None) -> QMenu:
        menu = QMenu(parent or self.table)
        for action in self.actions():
            if action is self.delete_action or (
                action is self.tag_action and self.ecosystem_action is not None
            ):
                menu.addSeparator()
            menu.addAction(action)
        return menu

    # -- the actions ------------------------------------------------------------

    def show_on_map(self) -> None:
        """Ask for the selected actors on the map (nothing changes)."""
        ids = self.selected_ids()
        if ids and self.entity == "actors":
            self.map_requested.emit(ids)

    def show_network(self) -> None:
        """Ask for the network of the selected actors (nothing changes)."""
        ids = self.selected_ids()
        if ids and self.entity == "actors":
            self.ecosystem_requested.emit(ids)

    def tag_selection(self) -> None:
        ids = self.selected_ids()
        if not ids or self.entity != "actors":
            return
        prompt = ngettext(
            "Étiquette à ajouter à {n} acteur :", "Étiquette à ajouter aux {n} acteurs :", len(ids)
        ).format(n=len(ids))
        tag, ok = QInputDialog.getItem(
            self.table, _("Ajouter une étiquette"), prompt, bulk.tag_names(self.store), -1, True
        )
        if ok and tag.strip():
            self._run(lambda: bulk.tag_actors(self.store, ids, tag), bulk.tag_label(tag, len(ids)))

    def make_private(self) -> None:
        self._set_visibility("private")

    def share_with_network(self) -> None:
        self._set_visibility("network")

    def _set_visibility(self, visibility: str) -> None:
        ids = self.selected_ids()
        if ids:
            self._run(
                lambda: bulk.set_visibility(self.store, self.entity, ids, visibility),
                bulk.visibility_label(self.entity, visibility, len(ids)),
            )

    def delete_selection(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if self.entity == "people":
            question = ngettext(
                "Supprimer {n} personne ?", "Supprimer les {n} personnes sélectionnées ?", len(ids)
            )
            consequence = _(
                "Les liens avec des acteurs seront supprimés aussi ; les échanges restent."
            )
        else:
            question = ngettext(
                "Supprimer {n} acteur ?", "Supprimer les {n} acteurs sélectionnés ?", len(ids)
            )
            consequence = _(
                "Les relations et les liens avec des personnes seront supprimés aussi ; "
                "les personnes et les échanges restent."
            )
        answer = QMessageBox.question(
            self.table,
            _("Supprimer"),
            "\n\n".join(
                (question.format(n=len(ids)), consequence, _("Vous pourrez annuler avec Ctrl+Z."))
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(
                lambda: bulk.delete_records(self.store, self.entity, ids),
                bulk.deleted_text(self.entity, len(ids)),
            )

    def _run(self, action: Callable[[], int], done: str) -> None:
        try:
            action()
        except CompanionError as error:
            QMessageBox.warning(self.table, _("Action impossible"), str(error))
            return
        self.done.emit(undo_hint(done))

    def _show_menu(self, position: QPoint) -> None:
        if not self.table.selectionModel().hasSelection():
            return
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(position))
