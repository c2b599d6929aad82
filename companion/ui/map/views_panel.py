"""The Carte page's saved views: save the current map, list, apply, rename, delete, reorder."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.maps.filters import MapFilter
from companion.maps.views import (
    Bounds,
    MapView,
    delete_view,
    get_view,
    list_views,
    move_view,
    rename_view,
    save_view,
)
from companion.store import Store
from companion.ui.map.view_dialog import ViewNameDialog

Capture = Callable[[], tuple[MapFilter, Bounds | None]]


class MapViewsPanel(QWidget):
    """Lists the saved views; a click emits ``view_chosen`` with the MapView."""

    view_chosen = Signal(object)  # MapView
    views_changed = Signal()

    def __init__(
        self,
        store: Store,
        capture: Capture,
        default_title: Callable[[], str] = str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._capture = capture
        self._default_title = default_title
        self.dialog: ViewNameDialog | None = None
        self.confirmation: QMessageBox | None = None

        self.list = QListWidget()
        self.list.setFixedHeight(6 * (self.list.fontMetrics().height() + 6) + 6)
        self.save_button = QPushButton(_("Enregistrer la vue…"))
        self.save_button.setToolTip(_("Enregistre les filtres et l'emprise de la carte"))
        self.rename_button = QPushButton(_("Renommer…"))
        self.delete_button = QPushButton(_("Supprimer…"))
        self.up_button = QPushButton(_("Monter"))
        self.down_button = QPushButton(_("Descendre"))
        buttons = QGridLayout()
        buttons.addWidget(self.rename_button, 0, 0)
        buttons.addWidget(self.delete_button, 0, 1)
        buttons.addWidget(self.up_button, 1, 0)
        buttons.addWidget(self.down_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.save_button)
        layout.addWidget(self.list)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.ask_save)
        self.rename_button.clicked.connect(self.ask_rename)
        self.delete_button.clicked.connect(self.ask_delete)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.list.itemClicked.connect(self._on_clicked)
        self.list.itemActivated.connect(self._on_clicked)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.refresh()

    # -- the list -------------------------------------------------------------

    def views(self) -> list[MapView]:
        return list_views(self.store)

    def refresh(self, select: str | None = None) -> None:
        """Read the views again; select ``select`` (a view id) or keep the selection."""
        keep = select or self.selected_id()
        self.list.blockSignals(True)
        self.list.clear()
        for view in self.views():
            item = QListWidgetItem(view.name)
            item.setToolTip(view.title)
            item.setData(Qt.ItemDataRole.UserRole, view.id)
            self.list.addItem(item)
            if view.id == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._update_buttons()

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, view_id: str | None) -> None:
        """Highlight a view without applying it."""
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == view_id:
                self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._update_buttons()

    def choose(self, view_id: str) -> None:
        """Select and apply a view (as a click does)."""
        view = get_view(self.store, view_id)
        if view is not None:
            self.select(view_id)
            self.view_chosen.emit(view)

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole))

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        selected = row >= 0
        self.rename_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)
        self.up_button.setEnabled(selected and row > 0)
        self.down_button.setEnabled(selected and row < self.list.count() - 1)

    # -- actions --------------------------------------------------------------

    def ask_save(self) -> ViewNameDialog:
        """Open the dialog that saves the current filter and extent as a new view."""

        def save(name: str, title: str) -> MapView:
            spec, bounds = self._capture()
            return save_view(self.store, name, title, spec, bounds)

        return self._open_dialog(_("Enregistrer la vue"), save, "", self._default_title())

    def ask_rename(self) -> ViewNameDialog | None:
        view = get_view(self.store, self.selected_id() or "")
        if view is None:
            return None

        def save(name: str, title: str) -> MapView:
            return rename_view(self.store, view.id, name, title)

        return self._open_dialog(_("Renommer la vue"), save, view.name, view.title)

    def _open_dialog(
        self, title: str, save: Callable[[str, str], MapView], name: str, shown: str
    ) -> ViewNameDialog:
        dialog = ViewNameDialog(title, save, name, shown, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._saved(dialog.result_value))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, view: object) -> None:
        self.refresh(select=view.id if isinstance(view, MapView) else None)
        self.views_changed.emit()

    def ask_delete(self) -> QMessageBox | None:
        view = get_view(self.store, self.selected_id() or "")
        if view is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Supprimer la vue"),
            _("Supprimer la vue « {name} » ?").format(name=view.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.button(QMessageBox.StandardButton.Yes).setText(_("Supprimer"))
        box.button(QMessageBox.StandardButton.No).setText(_("Annuler"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.finished.connect(lambda _result: self._confirmed(view.id, box.clickedButton() is yes))
        self.confirmation = box
        box.open()
        return box

    def _confirmed(self, view_id: str, confirmed: bool) -> None:
        self.confirmation = None
        if confirmed:
            delete_view(self.store, view_id)
            self.refresh()
            self.views_changed.emit()

    def move_selected(self, delta: int) -> None:
        view_id = self.selected_id()
        if view_id is None:
            return
        move_view(self.store, view_id, max(0, self.list.currentRow() + delta))
        self.refresh(select=view_id)
        self.views_changed.emit()
