"""A story's handout: one A4 page per step, its map, step number, title and text (PDF).

Each step's map is the map export's own page (``maps/export_html.build_export_html``,
as on screen: no sheet of paper, whose numbered index would run to further pages),
built in a background job with the step's filter and extent, the step's highlighted
actors and links added to the page's configuration (``config.story``, drawn by
``map.js``), and printed offscreen to a one-page PDF by ``map_export.MapRenderer``,
one step after the other. The pages are then laid out here with QPainter on a
QPdfWriter: the map (rendered from that PDF by QtPdf at print resolution), the words
as real text, ruled lines for notes. The file is written whole or not at all.
Contacts never appear (left out of the page).
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtPdf import QPdfDocument

from companion.i18n import _
from companion.maps.escape import script_json
from companion.maps.export_html import (
    ExportError,
    ExportOptions,
    build_export_html,
    check_output_path,
    write_file,
)
from companion.maps.stories import Story, step_counter, step_highlight
from companion.ui.common.jobs import Job, run_in_background
from companion.ui.map.export import MapRenderer, RenderSettings

log = logging.getLogger(__name__)

DPI = 300  # the handout's resolution (its text stays text)
MAP_DPI = 220  # the map's pixels on paper
MARGIN_MM = 15.0
MAP_SETTINGS = RenderSettings(format="pdf", paper="a4")  # A4 landscape: scaled into the page
MAP_PIXEL_RATIO = 2.0  # the map's canvases, for print
TEXT_POINTS = (12, 11, 10, 9)  # the step's text, smaller until it fits
_CONFIG_BLOCK = re.compile(
    r'(<script type="application/json" id="companion-map-config">)(.*?)(</script>)', re.DOTALL
)


@dataclass(frozen=True)
class HandoutPage:
    """What one page of the handout says (the map comes from ``map_pdf``)."""

    story: str
    counter: str  # « 2 / 5 »
    title: str
    text: str
    map_pdf: Path


# The handout prints the title and the date itself: the map's own box would repeat them.
_HANDOUT_STYLE = "<style>.companion-export-header { display: none !important; }</style>"


def with_story(html: str, story: dict) -> str:
    """The export page ``html`` with a story step in its map configuration (``config.story``,
    which ``map.js`` draws), and without its title box. Without such a block the page
    keeps its map as it was (a warning in the log)."""
    html = html.replace("</head>", _HANDOUT_STYLE + "</head>", 1)
    match = _CONFIG_BLOCK.search(html)
    if match is None:
        log.warning("the map export has no configuration block: the step is not highlighted")
        return html
    config = json.loads(match.group(2))
    config["story"] = story
    config["clusterRadius"] = 0  # on paper: every actor on its own, no bubble to open
    block = match.group(1) + script_json(config) + match.group(3)
    return html[: match.start()] + block + html[match.end() :]


class StoryHandout(QObject):
    """Writes the handout of one story to a PDF file (UI thread, driven by signals).

    Signals mirror ``jobs.Job``: ``progress(done, total, message)``, then
    ``succeeded(path)``, ``failed(error)`` or ``cancelled()``, then ``finished()``.
    """

    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(
        self,
        database: Path,
        story: Story,
        out: Path,
        exported_on: date | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = Path(database)
        self.story = story
        self.out = Path(out)
        self.exported_on = exported_on or date.today()
        self.result: Path | None = None
        self.error: object = None  # what failed, when it did
        self.outcome = ""
        self.pages: list[HandoutPage] = []
        self.job: Job | None = None
        self.renderer: MapRenderer | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._index = 0
        self._cancelling = False
        self._total = 3 * len(story.steps) + 1

    # -- steps ------------------------------------------------------------------

    def start(self) -> StoryHandout:
        """Begin; every outcome arrives later, as a signal."""
        try:
            if not self.story.steps:
                raise ExportError(_("Ce récit n'a pas encore d'étape."))
            self.out = check_output_path(self.out)
        except ExportError as error:
            failure = error
            QTimer.singleShot(0, self, lambda: self._end("failed", failure))
            return self
        self._folder = tempfile.TemporaryDirectory(prefix="companion-livret-")
        self._build_step()
        return self

    def cancel(self) -> None:
        """Stop; ``cancelled`` follows (unless it had just ended)."""
        if self.outcome or self._cancelling:
            return
        self._cancelling = True
        if self.job is not None and self.job.is_running:
            self.job.cancel()
        elif self.renderer is not None and not self.renderer.done:
            self.renderer.cancel()
        else:
            QTimer.singleShot(0, self, self._cancelled)

    def _message(self, text: str) -> str:
        return _("Étape {n} sur {total} : {what}").format(
            n=self._index + 1, total=len(self.story.steps), what=text
        )

    def _build_step(self) -> None:
        index = self._index
        step = self.story.steps[index]
        self.progress.emit(3 * index, self._total, self._message(_("préparation de la carte…")))
        # The map as on screen (the export's page without a sheet of paper: a sheet's
        # numbered index runs to further pages, a step has one), sharp in print, no
        # contacts.
        options = ExportOptions(
            title=step.title or self.story.name,
            filter=step.filter,
            bounds=step.bounds,
            exported_on=self.exported_on,
            static=True,
            pixel_ratio=MAP_PIXEL_RATIO,
            include_contacts=False,
        )
        database = self.database

        def build(_report: object, _cancel: object) -> str:
            # Worker thread: read the store, build the page (Qt-free).
            from companion.store.encryption import connect_file  # an encrypted base too

            conn = connect_file(database, read_only=True)
            try:
                highlight = step_highlight(conn, step)
                html = build_export_html(conn, options)
            finally:
                conn.close()
            return with_story(html, {"title": step.title, "text": "", "counter": "", **highlight})

        self.job = run_in_background(build)
        self.job.succeeded.connect(self._built)
        self.job.failed.connect(self._job_failed)
        self.job.cancelled.connect(self._cancelled)

    def _built(self, html: object) -> None:
        self.job = None
        if self._cancelling:
            self._cancelled()
            return
        assert isinstance(html, str) and self._folder is not None
        self.progress.emit(
            3 * self._index + 1, self._total, self._message(_("dessin de la carte…"))
        )
        out = Path(self._folder.name) / f"etape-{self._index + 1}.pdf"
        # Methods, not lambdas: PySide 6.12 crashes deleting a sender with a lambda connected.
        renderer = MapRenderer(html, out, MAP_SETTINGS, parent=self)
        renderer.finished.connect(self._rendered)
        self.renderer = renderer
        renderer.start()

    def _rendered(self) -> None:
        renderer = self.renderer
        assert renderer is not None
        self.renderer = None
        renderer.deleteLater()
        if self._cancelling:
            self._cancelled()
            return
        if renderer.error is not None:
            self._end("failed", renderer.error)
            return
        assert renderer.result is not None
        step = self.story.steps[self._index]
        self.pages.append(
            HandoutPage(
                story=self.story.name,
                counter=step_counter(self._index, len(self.story.steps)),
                title=step.title,
                text=step.text,
                map_pdf=renderer.result,
            )
        )
        self._index += 1
        if self._index < len(self.story.steps):
            self._build_step()
            return
        self.progress.emit(self._total - 1, self._total, _("Mise en page du livret…"))
        try:
            write_file(self.out, self._lay_out())
        except (ExportError, OSError) as error:
            self._end("failed", error)
            return
        self._end("succeeded", self.out)

    def _job_failed(self, error: object) -> None:
        self.job = None
        self._end("failed", error)

    def _cancelled(self) -> None:
        self._end("cancelled", None)

    # -- the pages --------------------------------------------------------------

    def _lay_out(self) -> bytes:
        assert self._folder is not None
        target = Path(self._folder.name) / "livret.pdf"
        write_handout(target, self.pages, self.exported_on)
        return target.read_bytes()

    # -- outcome ----------------------------------------------------------------

    def _end(self, outcome: str, value: object) -> None:
        if self.outcome:
            return
        self.outcome = outcome
        folder, self._folder = self._folder, None
        if folder is not None:
            folder.cleanup()
        if outcome == "succeeded":
            self.result = value if isinstance(value, Path) else None
            self.progress.emit(self._total, self._total, _("Terminé"))
            self.succeeded.emit(value)
        elif outcome == "failed":
            self.error = value
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.finished.emit()


# -- layout -------------------------------------------------------------------------


def write_handout(path: Path, pages: list[HandoutPage], exported_on: date) -> None:
    """Lay the pages out in a PDF at ``path``: A4 portrait, one step a page."""
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setTitle(pages[0].story if pages else "")
    writer.setCreator("Companion")
    margins = QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            margins,
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(_("Impossible d'écrire « {path} ».").format(path=path))
    try:
        for number, page in enumerate(pages):
            if number:
                writer.newPage()
            _draw_page(painter, writer, page, exported_on)
    finally:
        painter.end()


def map_image(path: Path, width: int) -> QImage:
    """The first page of the map's PDF, ``width`` pixels wide, without its white margins."""
    document = QPdfDocument()
    document.load(str(path))
    source = document.pagePointSize(0)
    height = round(width * source.height() / source.width())
    rendered = document.render(0, QSize(width, height))
    document.close()
    image = QImage(rendered.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))  # a page rendered with no background is transparent
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image.copy(content_box(image))


def content_box(image: QImage, step: int = 3) -> QRect:
    """The smallest rectangle holding every pixel of ``image`` that is not white."""

    def blank_row(y: int) -> bool:
        return all(image.pixel(x, y) == _WHITE for x in range(0, image.width(), step))

    def blank_column(x: int) -> bool:
        return all(image.pixel(x, y) == _WHITE for y in range(0, image.height(), step))

    top, bottom = 0, image.height() - 1
    while top < bottom and blank_row(top):
        top += 1
    while bottom > top and blank_row(bottom):
        bottom -= 1
    left, right = 0, image.width() - 1
    while left < right and blank_column(left):
        left += 1
    while right > left and blank_column(right):
        right -= 1
    return QRect(left, top, right - left + 1, bottom - top + 1)


_WHITE = 0xFFFFFFFF


def _draw_notes(painter: QPainter, writer: QPdfWriter, room: QRect) -> None:
    """Ruled lines for the participants' notes, in what the page has left."""
    if room.height() < _mm(30):
        return
    painter.setFont(_font(9))
    painter.setPen(QColor("#85929e"))
    label = QFontMetrics(painter.font(), writer).height()
    painter.drawText(QRect(room.left(), room.top(), room.width(), label), 0, _("Notes"))
    painter.setPen(QPen(QColor("#d5d8dc"), _mm(0.25)))
    line = room.top() + label + _mm(8)
    while line <= room.bottom():
        painter.drawLine(room.left(), line, room.right(), line)
        line += _mm(9)


def _mm(millimetres: float) -> int:
    return round(millimetres / 25.4 * DPI)


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _draw_page(painter: QPainter, writer: QPdfWriter, page: HandoutPage, day: date) -> None:
    area = writer.pageLayout().paintRectPixels(DPI)
    width = area.width()
    ink, grey, accent = QColor("#1d2733"), QColor("#5d6d7e"), QColor("#ffb300")
    y = 0

    # The story and the step's number.
    painter.setFont(_font(10))
    painter.setPen(grey)
    head = QFontMetrics(painter.font(), writer).height()
    story = _("Récit : {name}").format(name=page.story)
    painter.drawText(QRect(0, y, width * 3 // 4, head), Qt.AlignmentFlag.AlignLeft, story)
    painter.setFont(_font(10, bold=True))
    painter.setPen(ink)
    step = _("Étape {counter}").format(counter=page.counter)
    painter.drawText(QRect(0, y, width, head), Qt.AlignmentFlag.AlignRight, step)
    y += head + _mm(1.5)
    painter.fillRect(QRect(0, y, width, _mm(0.8)), accent)
    y += _mm(4)

    # The title.
    if page.title:
        painter.setFont(_font(18, bold=True))
        painter.setPen(ink)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        box = painter.boundingRect(QRect(0, y, width, _mm(40)), flags, page.title)
        painter.drawText(QRect(0, y, width, box.height()), flags, page.title)
        y += box.height() + _mm(4)

    # The map, as the export printed it (A4 landscape), its paper margins cut, to the width.
    image = map_image(page.map_pdf, round(width / DPI * MAP_DPI))
    height = round(width * image.height() / image.width())
    frame = QRect(0, y, width, height)
    painter.drawImage(QRectF(frame), image)
    painter.setPen(QPen(QColor("#aab7b8"), _mm(0.3)))
    painter.drawRect(frame)
    y += height + _mm(6)

    # The text, smaller until it fits above the footer.
    footer_height = _mm(6)
    room = QRect(0, y, width, area.height() - y - footer_height - _mm(3))
    flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
    painter.setPen(ink)
    for points in TEXT_POINTS:
        painter.setFont(_font(points))
        if painter.boundingRect(room, flags, page.text).height() <= room.height():
            break
    used = painter.boundingRect(room, flags, page.text).height() if page.text else 0
    painter.drawText(room, flags, page.text)
    notes = y + used + _mm(8)
    _draw_notes(painter, writer, QRect(0, notes, width, room.bottom() - notes))

    # The footer.
    painter.setFont(_font(8))
    painter.setPen(grey)
    footer = _("Livret exporté le {date} avec Companion").format(
        date=_("{day:02d}/{month:02d}/{year}").format(day=day.day, month=day.month, year=day.year)
    )
    painter.drawText(
        QRect(0, area.height() - footer_height, width, footer_height),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
        footer,
    )
