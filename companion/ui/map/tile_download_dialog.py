""" "Télécharger cette zone…": the tiles of the map's extent kept offline, for sources whose
terms allow it. The estimate (tiles, megabytes) shows before anything starts; the download runs
as a background job (``companion.ui.common.jobs``) with a progress bar and Cancel.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.maps.tiles import (
    MAX_AREA_TILES,
    BBox,
    DownloadResult,
    TileError,
    TileSource,
    download_area,
    estimate,
)
from companion.maps.tiles.settings import Basemaps
from companion.maps.views import Bounds
from companion.ui.common.formatting import format_number
from companion.ui.common.jobs import Job, Report, run_in_background

EXTRA_ZOOM = 3  # by default, the current zoom and three closer levels


class TileDownloadDialog(QDialog):
    """Estimate, then download, the tiles of one extent (south, west, north, east)."""

    done = Signal(object)  # the DownloadResult, or None when cancelled or failed

    def __init__(
        self,
        basemaps: Basemaps,
        source: TileSource,
        bounds: Bounds,
        zoom: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Télécharger cette zone"))
        self.basemaps = basemaps
        self.source = source
        south, west, north, east = bounds
        self.bbox = BBox(max(west, -180.0), max(south, -85.0), min(east, 180.0), min(north, 85.0))
        self.job: Job | None = None
        self.result_value: DownloadResult | None = None
        self.count = 0

        self.zmin = QSpinBox()
        self.zmax = QSpinBox()
        for box in (self.zmin, self.zmax):
            box.setRange(source.min_zoom, source.max_zoom)
        start = min(max(zoom, source.min_zoom), source.max_zoom)
        self.zmin.setValue(start)
        self.zmax.setValue(min(start + EXTRA_ZOOM, source.max_zoom))
        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        self.estimate_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        intro = QLabel(
            _("Les tuiles de « {name} » pour la zone affichée seront gardées hors ligne.").format(
                name=source.name
            )
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        form.addRow(_("Zoom minimal :"), self.zmin)
        form.addRow(_("Zoom maximal :"), self.zmax)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            _("Télécharger"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.start_button.setDefault(True)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.estimate_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.zmin.valueChanged.connect(self._zooms_changed)
        self.zmax.valueChanged.connect(self._zooms_changed)
        self._update_estimate()
        self.resize(440, self.sizeHint().height())

    # -- estimate -------------------------------------------------------------------

    def _zooms_changed(self) -> None:
        if self.zmin.value() > self.zmax.value():
            box = self.zmax if self.sender() is self.zmin else self.zmin
            box.setValue(self.sender().value())
        self._update_estimate()

    def _update_estimate(self) -> None:
        average = self.basemaps.cache.stats(self.source).average
        try:
            args = (self.bbox, self.zmin.value(), self.zmax.value())
            count, size = estimate(*args, average) if average else estimate(*args)
        except TileError as error:
            self.count = 0
            self.estimate_label.setText(str(error))
            self.start_button.setEnabled(False)
            return
        self.count = count
        megabytes = max(size / 1_000_000, 0.1)
        text = _("{count} tuiles, environ {size} Mo.").format(
            count=format_number(count), size=f"{megabytes:.1f}".replace(".", ",")
        )
        if count > MAX_AREA_TILES:
            text += " " + _(
                "C'est plus que le maximum de {max} tuiles : réduisez la zone ou le zoom maximal."
            ).format(max=format_number(MAX_AREA_TILES))
        self.estimate_label.setText(text)
        self.start_button.setEnabled(count <= MAX_AREA_TILES and self.job is None)

    # -- download -------------------------------------------------------------------

    def start(self) -> None:
        """Start downloading in the background (the dialog shows progress; Cancel stops)."""
        if self.job is not None or not self.start_button.isEnabled():
            return
        refusal = self.basemaps.download_refusal(self.source)
        if refusal:
            self.status.setText(refusal)
            return
        fetcher, source, bbox = self.basemaps.downloader, self.source, self.bbox
        zmin, zmax = self.zmin.value(), self.zmax.value()

        def work(report: Report, cancel: threading.Event) -> DownloadResult:
            def progress(done: int, total: int) -> None:
                if not cancel.is_set():
                    report(done, total, "")

            return download_area(fetcher, source, bbox, zmin, zmax, progress, cancel)

        self.job = run_in_background(work)
        self.job.progress.connect(self._progress)
        self.job.succeeded.connect(self._succeeded)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)
        self.job.finished.connect(self._finished)
        for widget in (self.zmin, self.zmax, self.start_button):
            widget.setEnabled(False)
        self.progress.setRange(0, max(self.count, 1))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.status.setText(_("Téléchargement en cours…"))

    def _progress(self, done: int, total: int, _message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(
            _("{done} tuiles sur {total}").format(
                done=format_number(done), total=format_number(total)
            )
        )

    def _succeeded(self, result: object) -> None:
        assert isinstance(result, DownloadResult)
        self.result_value = result
        self.progress.setValue(result.total)
        if result.complete:
            text = _("Zone gardée hors ligne : {new} tuiles téléchargées, {old} déjà présentes.")
        elif result.unavailable:
            text = _(
                "Le serveur de tuiles ne répond plus : {new} tuiles téléchargées sur {total}. "
                "Réessayez plus tard : les tuiles déjà gardées ne seront pas redemandées."
            )
        else:
            text = _("{new} tuiles téléchargées, {failed} refusées par le serveur sur {total}.")
        self.status.setText(
            text.format(
                new=format_number(result.downloaded),
                old=format_number(result.skipped),
                failed=format_number(result.failed),
                total=format_number(result.total),
            )
        )
        self.done.emit(result)

    def _failed(self, error: object) -> None:
        self.status.setText(str(error))
        self.done.emit(None)

    def _cancelled(self) -> None:
        self.status.setText(
            _("Téléchargement annulé : les tuiles déjà reçues restent gardées hors ligne.")
        )
        self.done.emit(None)

    def _finished(self) -> None:
        # Methods, not lambdas: PySide 6.12 crashes deleting a sender with a lambda connected.
        self.job = None
        self.progress.setVisible(self.result_value is not None)
        self.cancel_button.setText(_("Fermer"))
        self.cancel_button.setEnabled(True)

    @property
    def running(self) -> bool:
        return self.job is not None

    def reject(self) -> None:
        """Cancel: stops a running download first (the dialog then stays open to say so)."""
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(_("Annulation…"))
            return
        super().reject()
