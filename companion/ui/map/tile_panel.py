"""The "Fond de carte" group of the Carte's side column.

A choice of basemap (offline contours by default, a tile source, an imported MBTiles file),
"Autoriser la connexion pour les tuiles en ligne" (off by default), "Télécharger cette zone…"
(enabled only when the source's terms and the settings allow it, with the reason in its
tooltip otherwise) and "Importer un fond de carte (MBTiles)…".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.maps import assets
from companion.maps.tiles import TileError, TileSource
from companion.maps.tiles.settings import CONTOURS, Basemaps
from companion.ui.map.tile_download_dialog import TileDownloadDialog
from companion.ui.map.view import MapView

# What the download dialog needs from the page: its extent (south, west, north, east) and zoom.
# JSON text: PySide 6.12 hands a JavaScript array back as an empty string.
_EXTENT_JS = "JSON.stringify({bounds: companionMap.bounds(), zoom: companionMap.map().getZoom()})"


def tile_layer(source: TileSource, version: int) -> dict[str, Any]:
    """What ``companionMap.setTiles`` takes: tiles from the app's scheme only."""
    template = assets.url(f"tiles/{source.id}/{{z}}/{{x}}/{{y}}")
    return {
        # The version makes the page ask again for tiles it was refused before.
        "url": f"{template}?v={version}",
        "attribution": source.attribution,
        "minZoom": source.min_zoom,
        "maxZoom": source.max_zoom,
        "bounds": list(source.bounds) if source.bounds else None,
    }


class TilePanel(QGroupBox):
    """Chooses the basemap of ``view``; every choice is remembered in the store."""

    def __init__(self, basemaps: Basemaps, view: MapView, parent: QWidget | None = None) -> None:
        super().__init__(_("Fond de carte"), parent)
        self.basemaps = basemaps
        self.view = view
        self.version = 0
        self.download_dialog: TileDownloadDialog | None = None
        self.last_error = ""

        self.choice = QComboBox()
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.setMinimumContentsLength(16)
        self.online = QCheckBox(_("Autoriser la connexion pour les tuiles en ligne"))
        self.online.setToolTip(
            _(
                "Nécessaire seulement pour les fonds de carte en ligne. Désactivé, Companion "
                "n'ouvre aucune connexion : la carte montre les tuiles déjà gardées."
            )
        )
        self.online.setChecked(basemaps.online)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setStyleSheet("color: #555;")
        self.download_button = QPushButton(_("Télécharger cette zone…"))
        self.import_button = QPushButton(_("Importer un fond de carte (MBTiles)…"))
        self.import_button.setToolTip(
            _("Un fichier de fond de carte distribué par le réseau, utilisable hors ligne")
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for widget in (
            self.choice,
            self.online,
            self.note,
            self.download_button,
            self.import_button,
        ):
            layout.addWidget(widget)

        self._fill_choices()
        self.choice.currentIndexChanged.connect(self._chosen)
        self.online.toggled.connect(self._online_toggled)
        self.download_button.clicked.connect(self.open_download_dialog)
        self.import_button.clicked.connect(self.import_basemap)
        self._apply()

    # -- choices ------------------------------------------------------------------

    def _fill_choices(self) -> None:
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItem(_("Contours hors ligne"), CONTOURS)
        for source in self.basemaps.sources.values():
            self.choice.addItem(source.name, source.id)
            self.choice.setItemData(
                self.choice.count() - 1, source.attribution, Qt.ItemDataRole.ToolTipRole
            )
        self.choice.setCurrentIndex(max(0, self.choice.findData(self.basemaps.current_id)))
        self.choice.blockSignals(False)

    def select(self, source_id: str) -> None:
        """Show this basemap (CONTOURS for the offline contours alone)."""
        self.choice.setCurrentIndex(max(0, self.choice.findData(source_id)))

    def _chosen(self) -> None:
        self.basemaps.choose(str(self.choice.currentData()))
        self._apply()

    def _online_toggled(self, on: bool) -> None:
        self.basemaps.set_online(on)
        self._apply()

    def _apply(self) -> None:
        """Send the choice to the page (a new version: refused tiles are asked again)."""
        source = self.basemaps.current
        self.version += 1
        self.view.set_tiles(tile_layer(source, self.version) if source else None)
        refusal = self.basemaps.download_refusal(source)
        self.download_button.setEnabled(not refusal)
        self.download_button.setToolTip(
            refusal or _("Garder hors ligne les tuiles de la zone affichée")
        )
        notes = [self._note(source)]
        if self.basemaps.error:
            notes.append(self.basemaps.error)
        self.note.setText("\n".join(note for note in notes if note))
        self.note.setVisible(bool(self.note.text()))

    def _note(self, source: TileSource | None) -> str:
        if source is None:
            return ""
        if source.read_only:
            return _("Fond de carte disponible hors ligne.")
        if not self.basemaps.online:
            return _("Hors ligne : seules les tuiles déjà consultées ou téléchargées s'affichent.")
        return _("Les tuiles consultées sont gardées pour l'utilisation hors ligne.")

    # -- download -----------------------------------------------------------------

    def open_download_dialog(self) -> None:
        """Read the page's extent and zoom, then open the download dialog for them."""
        refusal = self.basemaps.download_refusal(self.basemaps.current)
        if refusal:
            self._warn(refusal)
            return
        self.view.page().runJavaScript(_EXTENT_JS, 0, self._show_download_dialog)

    def _show_download_dialog(self, answer: object) -> None:
        source = self.basemaps.current
        try:
            extent = json.loads(str(answer))
            south, west, north, east = (float(value) for value in extent["bounds"])
            zoom = int(extent["zoom"])
        except (TypeError, ValueError, KeyError):
            self._warn(_("L'emprise de la carte n'a pas pu être lue."))
            return
        if source is None:
            return
        dialog = TileDownloadDialog(
            self.basemaps, source, (south, west, north, east), zoom, self.window()
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._download_closed)
        self.download_dialog = dialog
        dialog.open()

    def _download_closed(self) -> None:
        self.download_dialog = None

    # -- import -------------------------------------------------------------------

    def import_basemap(self, path: Path | None = None) -> TileSource | None:
        """Import an MBTiles file (asked for when not given) and show it; errors in French."""
        if not path:
            chosen, _filter = QFileDialog.getOpenFileName(
                self,
                _("Importer un fond de carte"),
                str(Path.home()),
                _("Fonds de carte MBTiles (*.mbtiles);;Tous les fichiers (*)"),
            )
            if not chosen:
                return None
            path = Path(chosen)
        try:
            source = self.basemaps.import_file(Path(path))
        except TileError as error:
            self._warn(str(error))
            return None
        self.basemaps.choose(source.id)
        self._fill_choices()
        self._apply()
        return source

    def _warn(self, message: str) -> None:
        self.last_error = message
        box = QMessageBox(QMessageBox.Icon.Warning, _("Fond de carte"), message, parent=self)
        box.exec()
