"""The actor map as a PNG picture or a PDF page, rendered offscreen and offline.

What is rendered is the standalone HTML export (``maps/export_html.py``), not the
app's ``companion:`` page: the same file, so the three formats show the same
map, title, legend, date and sources; it needs no URL scheme (which must be
registered before the web engine starts, and may not be yet when the export
runs from the command line), no QWebChannel and no store connection in the
page. The page is loaded from a temporary file (``setHtml`` fails past about
1.3 MB) in an off-the-record profile whose interceptor lets through only that
file, ``data:`` and ``blob:``: nothing else is requested, anything else would
be blocked and fail the export.

``MapRenderer`` runs on the UI thread, driven by signals (never a blocking
wait); ``MapExport`` chains the page build (a background job: it reads the
store) and the rendering, for the export dialog; ``export_map`` does the same
synchronously for the command line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QMarginsF,
    QObject,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QImage, QPageLayout, QPageSize
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from companion.i18n import _
from companion.maps.export_html import (
    ExportError,
    ExportOptions,
    Report,
    build_export_html,
    check_output_path,
    export_html,
    write_file,
)
from companion.maps.paper import PaperError, Sheet, check_paper, paper_sheet, picture_sheet
from companion.ui.common.jobs import Job, run_in_background

FORMATS = ("html", "png", "pdf")
PAPERS = {
    "a4": QPageSize.PageSizeId.A4,
    "a3": QPageSize.PageSizeId.A3,
    "a0": QPageSize.PageSizeId.A0,
}
DEFAULT_SIZE = (1600, 1000)
MIN_SIDE = 200
MAX_SIDE = 4000
# A picture grows below its map to hold the whole index, up to this height.
MAX_PICTURE_HEIGHT = 16_000
RENDER_TIMEOUT_MS = 90_000
POLL_MS = 50
# A drawn map has sea, land, borders, labels and markers: far more colours than this.
MIN_DISTINCT_COLOURS = 12


@dataclass(frozen=True)
class RenderSettings:
    """How to render: format, picture size (PNG) or paper and orientation (PDF)."""

    format: str = "png"  # "png" or "pdf"
    width: int = DEFAULT_SIZE[0]
    height: int = DEFAULT_SIZE[1]
    paper: str = "a4"  # "a4", "a3" or "a0"
    orientation: str = "landscape"  # or "portrait"

    def check(self) -> None:
        """ExportError (French) for a format, size or paper this module does not make."""
        if self.format not in ("png", "pdf"):
            raise ExportError(_("Format d'export inconnu : « {value} »").format(value=self.format))
        try:
            check_paper(self.paper, self.orientation)
        except PaperError as error:
            raise ExportError(str(error)) from None
        for side in (self.width, self.height) if self.format == "png" else ():
            if not MIN_SIDE <= side <= MAX_SIDE:
                raise ExportError(
                    _("La taille de l'image doit être entre {min} et {max} pixels.").format(
                        min=MIN_SIDE, max=MAX_SIDE
                    )
                )


def page_layout(paper: str, orientation: str = "landscape") -> QPageLayout:
    """The PDF's page: the whole sheet (the page draws its own margins, ``maps/paper.py``)."""
    return QPageLayout(
        QPageSize(PAPERS[paper]),
        QPageLayout.Orientation.Landscape
        if orientation == "landscape"
        else QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
        QPageLayout.Unit.Millimeter,
    )


def sheet_of(settings: RenderSettings) -> Sheet:
    """The sheet the page is laid out on: a page of paper (PDF) or the picture (PNG)."""
    if settings.format == "pdf":
        return paper_sheet(settings.paper, settings.orientation)
    return picture_sheet(settings.width, settings.height)


def view_size(settings: RenderSettings) -> QSize:
    """The page's size in CSS pixels: the picture's, or one sheet of the paper.

    For the PDF the page is laid out on screen at exactly the size it is printed
    at (96 CSS pixels an inch), so Leaflet never has to redraw for print.
    """
    if settings.format == "pdf":
        sheet = sheet_of(settings)
        return QSize(round(sheet.width), round(sheet.height))
    return QSize(settings.width, settings.height)


def distinct_colours(image: QImage, step: int = 9) -> int:
    """How many colours a grid of pixels shows: about 1 for a blank page."""
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def _shows(image: QImage, sentinel: list[int] | None) -> bool:
    """Whether the page's sentinels (painted with its final layout, in its top-left and
    bottom-left corners) are both in the picture: else it is an older frame."""
    if not sentinel:
        return True
    for y in (0, image.height() - 1):
        colour = image.pixelColor(0, y)
        found = (colour.red(), colour.green(), colour.blue())
        if any(abs(a - b) > 2 for a, b in zip(found, sentinel, strict=True)):
            return False
    return True


class LocalOnly(QWebEngineUrlRequestInterceptor):
    """Lets the page read itself, ``data:`` and ``blob:``; blocks and records anything else."""

    def __init__(self, page_url: QUrl, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page_url = QUrl(page_url)
        self.urls: list[QUrl] = []
        self.blocked: list[QUrl] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 - Qt API
        url = QUrl(info.requestUrl())
        self.urls.append(url)
        if url.scheme() in ("data", "blob"):
            return
        if url.isLocalFile() and url.toLocalFile() == self.page_url.toLocalFile():
            return
        self.blocked.append(url)
        info.block(True)


class MapRenderer(QObject):
    """Renders one standalone map page to a PNG or a PDF file, offscreen (UI thread).

    Start it, then wait for ``finished`` (``succeeded`` carries the path written,
    ``failed`` an ExportError). Nothing blocks: the page is polled with timers.
    """

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(
        self,
        html: str,
        out: Path,
        settings: RenderSettings,
        timeout_ms: int = RENDER_TIMEOUT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.html = html
        self.out = Path(out)
        self.settings = settings
        self.timeout_ms = timeout_ms
        self.result: Path | None = None
        self.error: Exception | None = None
        self.done = False
        self.view: QWebEngineView | None = None
        self.interceptor: LocalOnly | None = None
        self.requests: list[QUrl] = []  # every URL the page asked for (kept once it is gone)
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)

    # -- steps ----------------------------------------------------------------

    def start(self) -> MapRenderer:
        """Begin rendering; every outcome arrives later, as a signal."""
        try:
            self.settings.check()
            self.out = check_output_path(self.out)
            self._open()
        except Exception as error:  # noqa: BLE001 - reported as the outcome
            failure = error
            QTimer.singleShot(0, self, lambda: self._fail(failure))
        return self

    def cancel(self) -> None:
        if not self.done:
            self._fail(ExportError(_("Export annulé.")))

    def _open(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="companion-export-")
        source = Path(self._folder.name) / "carte.html"
        source.write_text(self.html, encoding="utf-8")
        url = QUrl.fromLocalFile(str(source))

        profile = QWebEngineProfile()  # no storage name: off the record
        self.interceptor = LocalOnly(url, profile)
        profile.setUrlRequestInterceptor(self.interceptor)
        view = QWebEngineView()
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        page = QWebEnginePage(profile, view)
        profile.setParent(view)  # after the page: deleted after it, as Qt requires
        attribute = QWebEngineSettings.WebAttribute
        settings = page.settings()
        settings.setAttribute(attribute.PrintElementBackgrounds, True)
        settings.setAttribute(attribute.LocalContentCanAccessRemoteUrls, False)
        settings.setAttribute(attribute.LocalContentCanAccessFileUrls, False)
        settings.setAttribute(attribute.JavascriptCanOpenWindows, False)
        settings.setAttribute(attribute.ShowScrollBars, False)
        view.setPage(page)
        view.resize(view_size(self.settings))
        view.show()
        page.loadFinished.connect(self._loaded)
        page.pdfPrintingFinished.connect(self._printed)
        self.view = view
        self._deadline = time.monotonic() + self.timeout_ms / 1000
        self.progress.emit(0, 2, _("Dessin de la carte…"))
        view.load(url)

    def _loaded(self, ok: bool) -> None:
        if self.done:
            return
        if not ok:
            self._fail(ExportError(_("La page de la carte n'a pas pu être chargée.")))
            return
        self._timer.start(POLL_MS)

    def _poll(self) -> None:
        if self.done or self.view is None:
            return
        if time.monotonic() > self._deadline:
            self._fail(ExportError(_("La carte n'a pas été dessinée à temps.")))
            return
        self.view.page().runJavaScript(
            "window.companionExport ? JSON.stringify(window.companionExport) : ''",
            0,
            self._status,
        )

    def _status(self, text: object) -> None:
        if self.done or self.view is None:
            return
        status = json.loads(text) if isinstance(text, str) and text else {}
        if status.get("errors"):
            message = "; ".join(str(error).splitlines()[0] for error in status["errors"])
            self._fail(
                ExportError(
                    _("Erreur dans la page de la carte : {message}").format(message=message)
                )
            )
            return
        if self.interceptor is not None and self.interceptor.blocked:
            self._fail(
                ExportError(
                    _("La carte a demandé une ressource extérieure : {url}").format(
                        url=self.interceptor.blocked[0].toString()
                    )
                )
            )
            return
        if not status.get("ready"):
            self._timer.start(POLL_MS)
            return
        if self.settings.format == "png":
            self._save_png(status)
        else:
            self.progress.emit(1, 2, _("Mise en page du PDF…"))
            target = self._temporary_output()
            layout = page_layout(self.settings.paper, self.settings.orientation)
            self.view.page().printToPdf(str(target), layout)

    def _save_png(self, status: dict) -> None:
        assert self.view is not None
        # A picture whose index did not fit beside the map grew to hold it below.
        width, height = status.get("size") or (self.settings.width, self.settings.height)
        wanted = QSize(round(width), min(round(height), MAX_PICTURE_HEIGHT))
        if self.view.size() != wanted:
            self.view.resize(wanted)
            self._timer.start(POLL_MS)
            return
        image = self.view.grab().toImage()
        sentinel = status.get("sentinel")
        if distinct_colours(image) < MIN_DISTINCT_COLOURS or not _shows(image, sentinel):
            # Drawn in the page, not yet composited (the grab is an older frame): again shortly.
            self._timer.start(POLL_MS)
            return
        if image.size() != wanted:  # a screen with more pixels per point
            image = image.scaled(
                wanted,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.progress.emit(1, 2, _("Enregistrement de l'image…"))
        temporary = self._temporary_output()
        if not image.save(str(temporary), "PNG"):
            self._fail(ExportError(_("Impossible d'écrire « {path} ».").format(path=self.out)))
            return
        self._commit(temporary)

    def _printed(self, path: str, ok: bool) -> None:
        if self.done:
            return
        if not ok or not Path(path).is_file():
            self._fail(ExportError(_("Impossible d'écrire « {path} ».").format(path=self.out)))
            return
        self._commit(Path(path))

    # -- outcome ----------------------------------------------------------------

    def _temporary_output(self) -> Path:
        assert self._folder is not None
        return Path(self._folder.name) / f"rendu.{self.settings.format}"

    def _commit(self, temporary: Path) -> None:
        try:
            written = write_file(self.out, temporary.read_bytes())
        except ExportError as error:
            self._fail(error)
            return
        self.result = written
        self.progress.emit(2, 2, _("Terminé"))
        self._finish()

    def _fail(self, error: Exception) -> None:
        if self.done:
            return
        self.error = error
        self._finish()

    def _finish(self) -> None:
        """Close the page, then (once it is gone and its files removed) announce the outcome."""
        self.done = True
        self._timer.stop()
        if self.interceptor is not None:
            self.requests = list(self.interceptor.urls)
            self.interceptor = None
        view, self.view = self.view, None
        if view is None:
            self._announce()
            return
        view.page().triggerAction(QWebEnginePage.WebAction.Stop)
        view.close()
        view.destroyed.connect(self._announce)
        view.deleteLater()

    def _announce(self, *_args: object) -> None:
        self.html = ""  # the page may be large: not kept once rendered
        folder, self._folder = self._folder, None
        if folder is not None:
            folder.cleanup()
        if self.error is not None:
            self.failed.emit(self.error)
        else:
            self.succeeded.emit(self.result)
        self.finished.emit()


# -- the whole export -------------------------------------------------------------


def _connect(database: Path) -> sqlite3.Connection:
    from companion.store.encryption import connect_file  # an encrypted base too

    return connect_file(database, read_only=True)


def _page_options(options: ExportOptions, settings: RenderSettings) -> ExportOptions:
    # Paper is drawn as vectors (SVG): no canvas to sharpen, never contacts.
    return replace(options, static=True, sheet=sheet_of(settings), include_contacts=False)


def build_page_html(
    database: Path, options: ExportOptions, settings: RenderSettings, report: Report | None = None
) -> str:
    """The page to render for a PNG or PDF (Qt-free; may run in a worker thread)."""
    conn = _connect(database)
    try:
        return build_export_html(conn, _page_options(options, settings), report)
    finally:
        conn.close()


def render_map(
    html: str, out: Path, settings: RenderSettings, timeout_ms: int = RENDER_TIMEOUT_MS
) -> Path:
    """Render ``html`` to ``out`` and wait for it (a local event loop); needs a QApplication."""
    renderer = MapRenderer(html, out, settings, timeout_ms)
    loop = QEventLoop()
    renderer.finished.connect(loop.quit)
    renderer.start()
    if not renderer.done:
        loop.exec()
    renderer.deleteLater()
    if renderer.error is not None:
        raise renderer.error
    assert renderer.result is not None
    return renderer.result


def ensure_application() -> None:
    """A QApplication for rendering from the command line (the GUI has its own).

    Headless where an X11/Wayland system has no display (servers, CI; Windows and macOS
    always have one); Chromium's sandbox off as root, where it refuses to start.
    """
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        if sys.platform not in ("win32", "darwin") and not has_display:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        _APPLICATION.append(QApplication(["companion"]))


_APPLICATION: list = []  # keeps the command line's application alive


def export_map(
    database: Path,
    out: Path,
    format: str,
    options: ExportOptions | None = None,
    settings: RenderSettings | None = None,
    report: Report | None = None,
) -> Path:
    """Export the map of ``database`` to ``out`` as HTML, PNG or PDF, synchronously.

    PNG and PDF need a QApplication (see ``cli``); HTML needs nothing of Qt.
    """
    options = options or ExportOptions()
    if format == "html":
        return export_html(database, out, options, report)
    settings = replace(settings or RenderSettings(), format=format)
    settings.check()
    check_output_path(out)
    html = build_page_html(database, options, settings, report)
    return render_map(html, out, settings)


class MapExport(QObject):
    """One export from the app: page built in a background job, then rendered (UI thread).

    Signals mirror ``jobs.Job``: ``progress(done, total, message)``, then
    ``succeeded(path)``, ``failed(error)`` or ``cancelled()``, then ``finished()``.
    """

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    BUILD_STEPS = 4

    def __init__(
        self,
        database: Path,
        out: Path,
        format: str,
        options: ExportOptions,
        settings: RenderSettings | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = Path(database)
        self.out = Path(out)
        self.format = format
        self.options = options
        self.settings = replace(settings or RenderSettings(), format=format)
        self.job: Job | None = None
        self.renderer: MapRenderer | None = None
        self.result: Path | None = None
        self.outcome = ""
        self._cancelling = False
        self._total = self.BUILD_STEPS + (1 if format == "html" else 2)

    def start(self) -> MapExport:
        try:
            if self.format not in FORMATS:
                raise ExportError(
                    _("Format d'export inconnu : « {value} »").format(value=self.format)
                )
            if self.format != "html":
                self.settings.check()
            self.out = check_output_path(self.out)
        except ExportError as error:
            failure = error
            QTimer.singleShot(0, self, lambda: self._end("failed", failure))
            return self
        # No parent: the job lives until it ends even if this export goes away first.
        self.job = run_in_background(self._build)
        self.job.progress.connect(self.progress)
        self.job.succeeded.connect(self._built)
        self.job.failed.connect(self._build_failed)
        self.job.cancelled.connect(self._build_cancelled)
        return self

    def cancel(self) -> None:
        """Stop the export; ``cancelled`` follows (unless it had just ended)."""
        if self.outcome or self._cancelling:
            return
        self._cancelling = True
        if self.job is not None and self.job.is_running:
            self.job.cancel()
        elif self.renderer is not None:
            self.renderer.cancel()

    def _build(self, report: Report, _cancel: object) -> object:
        # Worker thread: Qt-free work only (read the store, build the page, write HTML).
        total = self._total
        if self.format == "html":
            path = export_html(self.database, self.out, self.options, report)
            report(total - 1, total, _("Fichier écrit"))
            return path
        return build_page_html(self.database, self.options, self.settings, report)

    def _build_failed(self, error: object) -> None:
        self._end("failed", error)

    def _build_cancelled(self) -> None:
        self._end("cancelled", None)

    def _built(self, value: object) -> None:
        if self._cancelling:
            self._end("cancelled", None)
            return
        if self.format == "html":
            self._end("succeeded", value)
            return
        assert isinstance(value, str)
        # Methods, not lambdas: PySide 6.12 crashes deleting a sender with a lambda connected.
        renderer = MapRenderer(value, self.out, self.settings, parent=self)
        renderer.progress.connect(self._render_progress)
        renderer.finished.connect(self._rendered)
        self.renderer = renderer
        renderer.start()

    def _render_progress(self, done: int, _total: int, message: str) -> None:
        self.progress.emit(self.BUILD_STEPS + done, self._total, message)

    def _rendered(self) -> None:
        renderer = self.renderer
        assert renderer is not None
        if self._cancelling:
            self._end("cancelled", None)
        elif renderer.error is not None:
            self._end("failed", renderer.error)
        else:
            self._end("succeeded", renderer.result)

    def _end(self, outcome: str, value: object) -> None:
        if self.outcome:
            return
        self.outcome = outcome
        self.job = None
        if outcome == "succeeded":
            self.result = value if isinstance(value, Path) else None
            self.progress.emit(self._total, self._total, _("Terminé"))
            self.succeeded.emit(value)
        elif outcome == "failed":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()
