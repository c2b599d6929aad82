"""The directory narrowed to one import's records, with the way back and the way to undo it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from companion.i18n import _, ngettext
from companion.io.import_batches import (
    ImportBatch,
    UndoneBatch,
    changed_since,
    get_batch,
    undo_batch,
)
from companion.store import Store
from companion.ui.common.formatting import format_number, format_stamp


class ImportBanner(QFrame):
    """« Import de acteurs.csv, le 7 décembre 2026 à 20:41 : 6 fiches » above the table."""

    closed = Signal()  # back to the whole directory
    map_requested = Signal(list)  # the import's actors, on the map
    undone = Signal(str)  # the import was undone: what to say in the status bar

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.batch: ImportBatch | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.map_button = QPushButton(_("Voir sur la carte"))
        self.map_button.clicked.connect(self._on_map)
        self.undo_button = QPushButton(_("Annuler cet import…"))
        self.undo_button.setToolTip(
            _("Retire les fiches créées par l'import et remet les autres comme avant")
        )
        self.undo_button.clicked.connect(self.confirm_undo)
        self.close_button = QPushButton(_("Tout l'annuaire"))
        self.close_button.setToolTip(_("Revenir à tout l'annuaire"))
        self.close_button.clicked.connect(self.closed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        for button in (self.map_button, self.undo_button, self.close_button):
            layout.addWidget(button)
        self.hide()

    def show_batch(self, batch_id: str, shown: int) -> None:
        self.batch = get_batch(self.store.conn, batch_id)
        if self.batch is None:
            self.hide()
            return
        self.label.setText(describe(self.batch, shown))
        self.undo_button.setEnabled(self.batch.undone_at is None)
        self.map_button.setEnabled(shown > 0)
        self.show()

    def _on_map(self) -> None:
        from companion.io.import_batches import batch_actor_ids

        if self.batch is not None:
            self.map_requested.emit(batch_actor_ids(self.store.conn, self.batch.id))

    def confirm_undo(self) -> None:
        """Ask first (an import may have brought hundreds of records), then undo it."""
        batch = self.batch
        if batch is None or batch.undone_at is not None:
            return
        text = ngettext(
            "Annuler l'import de « {source} » ? La fiche qu'il a créée sera supprimée",
            "Annuler l'import de « {source} » ? Les {n} fiches qu'il a créées seront supprimées",
            batch.created,
        ).format(source=batch.source, n=format_number(batch.created))
        if batch.updated:
            text += ngettext(
                ", celle qu'il a mise à jour reprendra ses valeurs d'avant",
                ", les {n} qu'il a mises à jour reprendront leurs valeurs d'avant",
                batch.updated,
            ).format(n=format_number(batch.updated))
        text += "."
        edited = changed_since(self.store.conn, batch)
        if edited:
            text += "\n\n" + ngettext(
                "Attention : {n} de ces fiches a été modifiée depuis l'import ; "
                "ces modifications seront perdues aussi.",
                "Attention : {n} de ces fiches ont été modifiées depuis l'import ; "
                "ces modifications seront perdues aussi.",
                edited,
            ).format(n=format_number(edited))
        box = QMessageBox(QMessageBox.Icon.Question, _("Annuler l'import"), text, parent=self)
        undo = box.addButton(_("Annuler l'import"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_("Garder l'import"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        if box.clickedButton() is undo:
            self.undone.emit(undone_text(undo_batch(self.store, batch.id)))


def describe(batch: ImportBatch, shown: int) -> str:
    """« Import de « acteurs.csv », le 7 déc. 2026 à 20:41 : 6 fiches affichées »."""
    when = format_stamp(batch.created_at)
    text = ngettext(
        "Import de « {source} », le {when} : {n} fiche affichée",
        "Import de « {source} », le {when} : {n} fiches affichées",
        shown,
    ).format(source=batch.source, when=when, n=format_number(shown))
    if batch.undone_at is not None:
        text += " " + _("(import annulé)")
    return text


def undone_text(undone: UndoneBatch) -> str:
    text = ngettext(
        "Import annulé : {n} fiche retirée", "Import annulé : {n} fiches retirées", undone.removed
    ).format(n=format_number(undone.removed))
    if undone.restored:
        text += ngettext(
            ", {n} remise comme avant", ", {n} remises comme avant", undone.restored
        ).format(n=format_number(undone.restored))
    if undone.relations:
        text += ngettext(
            ", {n} relation retirée", ", {n} relations retirées", undone.relations
        ).format(n=format_number(undone.relations))
    return text + "."
