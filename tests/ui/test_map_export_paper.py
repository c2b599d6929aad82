"""Maps on paper, rendered for real: numbered actors, index, legends, scale, layout, paper sizes.

The network is the demo's 350 catalysts (with a small ecosystem each, 1,420 actors in all),
generated once for the module. Each page is loaded at its sheet's size in a real web
engine and its state read back (boxes, markers, legend), then rendered to PDF or PNG and
the file read back with QtPdf / QImage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView

from companion.demo import generate
from companion.domain import RELATION_TYPES, label
from companion.geo import Gazetteer
from companion.maps.export_html import ExportOptions, build_export_html
from companion.maps.filters import MapFilter
from companion.store import Store
from companion.ui.map.export import (
    LocalOnly,
    RenderSettings,
    build_page_html,
    export_map,
    view_size,
)

from .map_helpers import dispose, js

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

DRAW_TIMEOUT_MS = 60_000
# PDF points (Chromium rounds the page to whole CSS pixels: within 3 pt).
POINTS = {
    ("a4", "landscape"): (841.89, 595.28),
    ("a4", "portrait"): (595.28, 841.89),
    ("a0", "landscape"): (3370.39, 2383.94),
    ("a0", "portrait"): (2383.94, 3370.39),
}
CATALYSTS = MapFilter(kinds=frozenset({"catalyseur"}))

# Everything a test reads back from a sheet: boxes (page coordinates), markers, legend, index.
STATE_JS = """(function () {
  function rect(node) {
    if (!node) { return null; }
    var r = node.getBoundingClientRect();
    return [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY];
  }
  var overlays = Array.prototype.slice.call(document.querySelectorAll("svg.companion-numbers"));
  var discs = overlays.map(function (svg) {
    var numbered = svg.querySelectorAll(".companion-numbered");
    return Array.prototype.slice.call(numbered).map(function (g) {
      var c = g.querySelector("circle");
      return [Number(g.dataset.number), Number(g.dataset.key), Number(c.getAttribute("cx")),
        Number(c.getAttribute("cy")), Number(c.getAttribute("r")), g.textContent];
    });
  });
  var legendLines = Array.prototype.slice.call(
    document.querySelectorAll(".companion-legend-lines .companion-legend-row"))
    .map(function (row) { return row.textContent; });
  var entries = Array.prototype.slice.call(document.querySelectorAll(".companion-index-entry"))
    .map(function (entry) {
      return [entry.querySelector(".companion-index-number").textContent,
        entry.querySelector(".companion-index-name").textContent, entry.textContent];
    });
  return JSON.stringify({
    status: window.companionExport,
    map: window.companionMapStatus,
    clusters: document.querySelectorAll(".marker-cluster").length,
    discs: discs,
    dots: document.querySelectorAll(".companion-dot").length,
    sheets: Array.prototype.slice.call(document.querySelectorAll(".companion-sheet")).map(rect),
    header: rect(document.querySelector(".companion-sheet-first .companion-sheet-header")),
    footer: rect(document.querySelector(".companion-sheet-first .companion-sheet-footer")),
    mapBox: rect(document.getElementById("companion-map")),
    columns: Array.prototype.slice.call(
      document.querySelectorAll(".companion-sheet-first .companion-sheet-column")).map(rect),
    insets: Array.prototype.slice.call(
      document.querySelectorAll(".companion-sheet-inset")).map(rect),
    scale: [rect(document.querySelector(".leaflet-control-scale-line")),
      (document.querySelector(".leaflet-control-scale-line") || {}).textContent],
    titleSize: parseFloat(
      getComputedStyle(document.querySelector(".companion-export-title")).fontSize),
    legendLines: legendLines,
    entries: entries,
    note: Array.prototype.slice.call(document.querySelectorAll(".companion-export-note"))
      .map(function (n) { return n.hidden ? "" : n.textContent; }).join(" "),
    injected: document.querySelectorAll(".companion-sheets img, .companion-sheets b").length,
    pwned: typeof window.__pwned
  });
})()"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("demo")
    store = Store.open(folder / "companion.db")
    gazetteer = Gazetteer.open()
    try:
        generate(store, gazetteer, catalysts=350, seed=1, actors=1400)
    finally:
        gazetteer.close()
        store.close()
    return folder / "companion.db"


def query(database: Path, sql: str, *params) -> list[tuple]:
    store = Store.open(database)
    try:
        return store.conn.execute(sql, params).fetchall()
    finally:
        store.close()


@pytest.fixture
def open_sheet(qtbot, tmp_path) -> Iterator[Callable[..., dict]]:
    """Load a page as the renderer does (at its sheet's size, offline) and read it back."""
    views: list[QWebEngineView] = []

    def load(html: str, settings: RenderSettings) -> dict:
        path = tmp_path / f"feuille-{len(views)}.html"
        path.write_text(html, encoding="utf-8")
        url = QUrl.fromLocalFile(str(path))
        profile = QWebEngineProfile()
        log = LocalOnly(url, profile)
        profile.setUrlRequestInterceptor(log)
        view = QWebEngineView()
        page = QWebEnginePage(profile, view)
        profile.setParent(view)
        view.setPage(page)
        view.resize(view_size(settings))
        view.show()
        views.append(view)
        with qtbot.waitSignal(page.loadFinished, timeout=DRAW_TIMEOUT_MS):
            view.load(url)
        ready = "window.companionExport && window.companionExport.ready === true"
        qtbot.waitUntil(lambda: js(qtbot, view, ready) is True, timeout=DRAW_TIMEOUT_MS)
        state = json.loads(js(qtbot, view, STATE_JS))
        assert state["status"]["errors"] == [] and state["map"]["errors"] == []
        assert log.blocked == []  # nothing asked of anyone
        return state

    yield load
    for view in views:
        dispose(qtbot, view)


def page_html(database: Path, options: ExportOptions, settings: RenderSettings) -> str:
    return build_page_html(database, options, settings)


def apart(a: list[float], b: list[float]) -> bool:
    """Two boxes [left, top, right, bottom] that do not overlap."""
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def inside(inner: list[float], outer: list[float], slack: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def assert_discs_apart(discs: list[list]) -> None:
    """No two numbered discs of one map cover each other (a pixel of tolerance)."""
    for i, a in enumerate(discs):
        for b in discs[i + 1 :]:
            distance = ((a[2] - b[2]) ** 2 + (a[3] - b[3]) ** 2) ** 0.5
            assert distance >= a[4] + b[4] - 1, (a, b)


def assert_laid_out(state: dict) -> None:
    """Title, map, side columns and footer each in its own box, on the first sheet."""
    sheet = state["sheets"][0]
    boxes = [state["header"], state["mapBox"], state["footer"], *state["columns"]]
    for box in boxes:
        assert inside(box, sheet), (box, sheet)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert apart(a, b), (a, b)


def pdf_pages(path: Path) -> list[tuple[tuple[float, float], str]]:
    """Each page's size in points and its text, hyphenation and line breaks undone."""
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    pages = []
    for index in range(document.pageCount()):
        size = document.pagePointSize(index)
        pages.append(((size.width(), size.height()), flat(document.getAllText(index).text())))
    document.close()
    return pages


def flat(text: str) -> str:
    """Text without any white space: PDFium's extraction spaces some letters out."""
    return re.sub(r"\s+", "", text.replace("\ufffe", "-"))


def assert_size(size: tuple[float, float], paper: str, orientation: str) -> None:
    expected = POINTS[(paper, orientation)]
    assert abs(size[0] - expected[0]) < 3 and abs(size[1] - expected[1]) < 3, (size, expected)


def test_catalysts_on_a4_every_one_numbered_indexed_on_further_pages(
    qtbot, demo, open_sheet, tmp_path
) -> None:
    settings = RenderSettings(format="pdf", paper="a4", orientation="landscape")
    options = ExportOptions(title="Les catalyseurs", filter=CATALYSTS)
    state = open_sheet(page_html(demo, options, settings), settings)
    catalysts = dict(query(demo, "SELECT seq, name FROM actors WHERE kind = 'catalyseur'"))
    assert len(catalysts) == 350

    # No cluster: every catalyst is its own disc, numbered 1…350 once each.
    assert state["clusters"] == 0
    discs = [disc for overlay in state["discs"] for disc in overlay]
    assert len(discs) == state["status"]["paper"]["shown"] == 350
    assert sorted(disc[0] for disc in discs) == list(range(1, 351))
    assert {disc[1] for disc in discs} == set(catalysts)
    assert all(disc[5] == str(disc[0]) for disc in discs)  # the number is written in it
    for overlay in state["discs"]:
        assert_discs_apart(overlay)
    # The overseas catalysts are in insets, inside the map's box, as French maps show them.
    overseas = query(
        demo,
        "SELECT DISTINCT departement FROM actors WHERE kind = 'catalyseur' "
        "AND departement LIKE '97%' ORDER BY 1",
    )
    assert state["status"]["paper"]["insets"] == [code for (code,) in overseas]
    assert len(state["insets"]) == len(overseas) >= 3
    assert all(inside(box, state["mapBox"]) for box in state["insets"])
    # Title, map, legend and index apart; the scale bar inside the map.
    assert_laid_out(state)
    scale_box, scale_text = state["scale"]
    assert inside(scale_box, state["mapBox"]) and scale_text.endswith("km")
    # The index: one entry per disc, same number and name, on further pages.
    by_number = {disc[0]: catalysts[disc[1]] for disc in discs}
    assert [(int(n), name) for n, name, _text in state["entries"]] == sorted(by_number.items())
    assert len(state["sheets"]) >= 3

    out = export_map(demo, tmp_path / "catalyseurs.pdf", "pdf", options, settings)
    pages = pdf_pages(out)
    assert len(pages) == len(state["sheets"])
    for size, _text in pages:
        assert_size(size, "a4", "landscape")
    text = " ".join(page_text for _size, page_text in pages)
    assert all(flat("Les catalyseurs") in page_text for _size, page_text in pages)
    assert flat("Index des acteurs (suite)") in pages[1][1]
    missing = [
        (number, name) for number, name in by_number.items() if flat(f"{number} {name}") not in text
    ]
    assert missing == []
    assert flat(f"Page 1 / {len(pages)}") in pages[0][1]


def densest_departement(database: Path) -> tuple[str, int]:
    return query(
        database,
        "SELECT departement, count(*) FROM actors WHERE departement NOT LIKE '97%' "
        "GROUP BY departement ORDER BY 2 DESC LIMIT 1",
    )[0]


def test_a_departement_in_portrait_with_its_relations_in_the_legend(
    qtbot, demo, open_sheet, tmp_path
) -> None:
    code, count = densest_departement(demo)
    settings = RenderSettings(format="pdf", paper="a4", orientation="portrait")
    options = ExportOptions(title="Un département", filter=MapFilter(departement=code))
    state = open_sheet(page_html(demo, options, settings), settings)
    discs = [disc for overlay in state["discs"] for disc in overlay]
    assert len(discs) == count and state["clusters"] == 0 and state["insets"] == []
    assert_discs_apart(discs)
    assert_laid_out(state)
    # Portrait: the legends and the index below the map.
    assert all(column[1] >= state["mapBox"][3] for column in state["columns"])
    # Inside a filtered territory every relation is drawn, and the legend names each type.
    inside_types = {
        kind
        for (kind,) in query(
            demo,
            "SELECT DISTINCT r.type FROM relations r JOIN actors s ON s.id = r.source_id "
            "JOIN actors t ON t.id = r.target_id WHERE r.deleted = 0 AND s.departement = ? "
            "AND t.departement = ?",
            code,
            code,
        )
    }
    assert len(inside_types) >= 3
    assert set(state["map"]["relationTypesDrawn"]) == inside_types
    assert sorted(state["legendLines"]) == sorted(label(RELATION_TYPES, t) for t in inside_types)

    out = export_map(demo, tmp_path / "departement.pdf", "pdf", options, settings)
    pages = pdf_pages(out)
    for size, _text in pages:
        assert_size(size, "a4", "portrait")
    text = " ".join(page_text for _size, page_text in pages)
    for number, name, _entry in state["entries"]:
        assert flat(f"{number} {name}") in text
    assert f"({code})" in pages[0][1]  # the filter is said under the title


def test_an_a0_poster_is_sized_for_reading_from_a_distance(
    qtbot, demo, open_sheet, tmp_path
) -> None:
    code, count = densest_departement(demo)
    options = ExportOptions(title="Affiche", filter=MapFilter(departement=code))
    a4 = open_sheet(
        page_html(demo, options, RenderSettings(format="pdf")), RenderSettings(format="pdf")
    )
    settings = RenderSettings(format="pdf", paper="a0", orientation="portrait")
    a0 = open_sheet(page_html(demo, options, settings), settings)
    assert a0["status"]["paper"]["shown"] == count
    assert a0["titleSize"] == pytest.approx(3 * a4["titleSize"])
    assert a0["status"]["paper"]["radius"] == pytest.approx(3 * a4["status"]["paper"]["radius"])
    assert_laid_out(a0)
    out = export_map(demo, tmp_path / "affiche.pdf", "pdf", options, settings)
    pages = pdf_pages(out)
    assert len(pages) == len(a0["sheets"]) == 1  # everything on the poster itself
    assert_size(pages[0][0], "a0", "portrait")


def test_a_png_holds_the_whole_index_on_its_one_sheet(qtbot, demo, open_sheet, tmp_path) -> None:
    settings = RenderSettings(format="png", width=1600, height=1000)
    options = ExportOptions(filter=CATALYSTS)
    state = open_sheet(page_html(demo, options, settings), settings)
    assert len(state["sheets"]) == 1 and state["clusters"] == 0
    assert len(state["entries"]) == state["status"]["paper"]["shown"] == 350
    width, height = state["status"]["size"]
    assert width == 1600 and height > 1000  # grown below the map to hold the index
    assert_laid_out(state)

    out = export_map(demo, tmp_path / "catalyseurs.png", "png", options, settings)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, round(height))
    # The final layout, not an earlier frame: the last index entry is drawn at the bottom.
    red = sum(
        1
        for y in range(int(height * 0.6), image.height(), 3)
        for x in range(0, image.width(), 3)
        if image.pixelColor(x, y).name() == "#c0392b"  # the catalysts' number badges
    )
    assert red > 200


def test_too_many_actors_for_the_paper_are_dots_and_the_sheet_says_so(
    qtbot, demo, open_sheet
) -> None:
    settings = RenderSettings(format="pdf", paper="a4")
    state = open_sheet(page_html(demo, ExportOptions(), settings), settings)
    total = query(demo, "SELECT count(*) FROM actors WHERE latitude IS NOT NULL")[0][0]
    paper = state["status"]["paper"]
    assert paper["numbered"] is False and paper["limit"] < total
    assert state["dots"] == total and state["discs"] == [[]] * len(state["discs"])
    assert state["entries"] == [] and state["clusters"] == 0
    assert "trop pour les numéroter" in state["note"]
    assert_laid_out(state)


def test_the_interactive_file_keeps_clusters_with_legends_and_scale(
    qtbot, demo, open_sheet
) -> None:
    store = Store.open(demo)
    try:
        html = build_export_html(
            store.conn, ExportOptions(filter=MapFilter(kinds=CATALYSTS.kinds, relations="all"))
        )
    finally:
        store.close()
    # Loaded as a browser would show it (no sheet): clusters, the legends and the scale.
    state = open_sheet(html, RenderSettings(format="png", width=1200, height=800))
    assert state["clusters"] > 0 and state["discs"] == []
    drawn = state["map"]["relationTypesDrawn"]
    assert drawn and sorted(state["legendLines"]) == sorted(label(RELATION_TYPES, t) for t in drawn)
    assert state["scale"][1].endswith("km")


def test_the_dialog_chooses_paper_and_orientation(qtbot, store, tmp_path) -> None:
    from companion.ui.map.export_dialog import MapExportDialog

    store.add_actor("Pôle", "catalyseur", latitude=45.9, longitude=6.13, departement="74")
    store.add_actor("Atelier", "collectif", latitude=45.91, longitude=6.12, departement="74")
    dialog = MapExportDialog(store, MapFilter(departement="74"), title="Atelier")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.format.setFocus()
    QTest.keyClick(dialog.format, Qt.Key.Key_End)  # « Document PDF »
    assert dialog.current_format() == "pdf"
    assert dialog.paper_widget.isVisible() and not dialog.size_widget.isVisible()
    assert [dialog.paper.itemText(i) for i in range(dialog.paper.count())] == [
        "A4",
        "A3",
        "A0 (affiche)",
    ]
    dialog.paper.setFocus()
    QTest.keyClick(dialog.paper, Qt.Key.Key_End)
    dialog.orientation.setFocus()
    QTest.keyClick(dialog.orientation, Qt.Key.Key_Down)
    assert dialog.render_settings() == RenderSettings(
        format="pdf", paper="a0", orientation="portrait"
    )
    dialog.path.setText(str(tmp_path / "affiche.pdf"))
    with qtbot.waitSignal(dialog.exported, timeout=DRAW_TIMEOUT_MS) as exported:
        QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    pages = pdf_pages(exported.args[0])
    assert_size(pages[0][0], "a0", "portrait")
    assert re.search(r"[12]Atelier", pages[0][1]) and re.search(r"[12]Pôle", pages[0][1])


def test_names_stay_text_and_contacts_stay_out_on_paper(qtbot, store, open_sheet) -> None:
    hostile = [
        '<img src=x onerror="window.__pwned=1">',
        "</script><script>window.__pwned=1</script>",
        'L\'atelier "du coin" & <b>gras</b>',
    ]
    for index, name in enumerate(hostile):
        store.add_actor(
            name,
            "association",
            latitude=45.9 + index / 100,
            longitude=6.1,
            departement="74",
            email=f"contact{index}@atelier.example",
        )
    settings = RenderSettings(format="pdf")
    # Asked for or not, contacts never reach a sheet: nothing on paper can hide them.
    html = page_html(store.path, ExportOptions(include_contacts=True), settings)
    assert "atelier.example" not in html
    state = open_sheet(html, settings)
    assert sorted(name for _n, name, _text in state["entries"]) == sorted(hostile)
    assert state["injected"] == 0 and state["pwned"] == "undefined"
    assert sorted(disc[5] for disc in state["discs"][0]) == ["1", "2", "3"]


def test_a_kept_extent_numbers_what_it_shows_and_counts_the_rest(qtbot, demo, open_sheet) -> None:
    code, _count = densest_departement(demo)
    rows = query(
        demo,
        "SELECT min(latitude), min(longitude), max(latitude), max(longitude) FROM actors "
        "WHERE departement = ?",
        code,
    )
    settings = RenderSettings(format="pdf")
    options = ExportOptions(bounds=rows[0])  # the map's extent on screen, kept
    state = open_sheet(page_html(demo, options, settings), settings)
    total = query(demo, "SELECT count(*) FROM actors WHERE latitude IS NOT NULL")[0][0]
    paper = state["status"]["paper"]
    discs = [disc for overlay in state["discs"] for disc in overlay]
    assert paper["numbered"] and state["insets"] == []  # a local view: no overseas boxes
    assert len(discs) == paper["shown"] == len(state["entries"]) < total
    assert paper["outside"] == total - len(discs)
    assert f"{paper['outside']:,}".replace(",", "\u202f") in state["note"]
    assert "hors du cadre" in state["note"]
