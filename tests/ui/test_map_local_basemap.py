"""The basemap at the scale of a commune (issue #15, item 3), on the real web view.

A facilitator in Fontenay-sous-Bois zooms in with the keyboard ('+' sent to the view,
as a user presses it): the communes' outlines are drawn (pixels read back from the
view), with their names around, never over each other nor over an actor (the boxes
the page drew, read back), and the intercommunalité, Paris Est Marne et Bois, with its
name. Below zoom 8 nothing is asked. « Cadrer sur » a territory outlines it; a
catalyst's card outlines its territory of action.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from companion.maps.export_html import ExportOptions, build_export_html
from companion.maps.server import MapServer
from companion.network.profiles import CatalystProfile, save_profile
from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, drawn_map_page, js, located, seq_of, status
from .test_map_clicks import click, marker_point, settled_point
from .test_map_export import open_export  # noqa: F401 - a fixture

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

FONTENAY = "94033"
VINCENNES = "94080"
PARIS_EST_MARNE_ET_BOIS = "200057941"  # the établissement public territorial (EPT)
LAND = QColor("#f4f1ea")
HIGHLIGHT = QColor("#7a4b00")


def territory(level: str, code: str) -> dict:
    answer = MapServer("unused.db").respond(f"data/territory.geojson?level={level}&code={code}")
    assert answer is not None and answer.status == 200
    return json.loads(answer.body)


@pytest.fixture
def catalyst(store: Store) -> str:
    """A catalyst at Fontenay's town hall, acting in Fontenay and Vincennes."""
    actor = located(store, "Pôle Fontenay", "catalyseur", 48.8510, 2.4769)
    save_profile(
        store,
        CatalystProfile(
            actor_id=actor,
            metiers=("dialogue",),
            territories=(f"commune:{FONTENAY}", f"commune:{VINCENNES}"),
        ),
    )
    return actor


@pytest.fixture
def page(qtbot, store: Store, catalyst: str) -> Iterator:
    # Actors around, away from Fontenay's own name: a cluster and lone markers.
    for n in range(4):
        located(store, f"Voisin {n}", "association", 48.8635 + 0.0004 * n, 2.4445)
    located(store, "Atelier de l'Est", "entreprise", 48.8445, 2.4610)
    page = drawn_map_page(qtbot, store, (1366, 768))
    yield page
    dispose(qtbot, page)


def state(qtbot, view) -> dict:
    return json.loads(js(qtbot, view, "JSON.stringify(companionMap.localBasemapState())"))


# The basemap's names drawn in the map, as boxes: [left, top, right, bottom, text].
NAMES = """JSON.stringify((function () {
  var map = document.querySelector('.leaflet-container').getBoundingClientRect();
  return Array.from(document.querySelectorAll(
      '.companion-label-quiet:not(.companion-label-hidden)')).map(function (node) {
    var r = node.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom, node.textContent];
  }).filter(function (b) {
    return b[0] >= map.left && b[2] <= map.right && b[1] >= map.top && b[3] <= map.bottom;
  });
})())"""


def settled_names(qtbot, view) -> list:
    """The names' boxes once two reads agree (the tiles and names have come)."""
    seen: list = [None]

    def still() -> bool:
        js(qtbot, view, "companionMap.declutterLabels(); 1")
        names = json.loads(js(qtbot, view, NAMES))
        steady = names == seen[0] and bool(names)
        seen[0] = names
        return steady

    qtbot.waitUntil(still, timeout=20_000)
    return seen[0]


def overlapping(a: list, b: list) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_points(qtbot, view, feature: dict) -> list[list[int]]:
    """The middle of each side of a territory's outline, where the page draws it."""
    code = f"""JSON.stringify((function () {{
      var map = companionMap.map(), frame = map.getContainer().getBoundingClientRect();
      var g = {json.dumps(feature["geometry"])}, out = [];
      var polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
      polygons.forEach(function (polygon) {{ polygon.forEach(function (ring) {{
        for (var i = 1; i < ring.length; i++) {{
          var a = map.latLngToContainerPoint([ring[i - 1][1], ring[i - 1][0]]);
          var b = map.latLngToContainerPoint([ring[i][1], ring[i][0]]);
          if (a.distanceTo(b) < 24) {{ continue; }}  // too short to read a line between
          out.push([Math.round(frame.left + (a.x + b.x) / 2),
                    Math.round(frame.top + (a.y + b.y) / 2)]);
        }}
      }}); }});
      return out;
    }})())"""
    return json.loads(js(qtbot, view, code))


def near(image: QImage, point: list[int], test) -> bool:
    """Whether a pixel within 2 of ``point`` passes ``test``."""
    x0, y0 = point
    return any(
        test(image.pixelColor(x, y))
        for x in range(x0 - 2, x0 + 3)
        for y in range(y0 - 2, y0 + 3)
        if 0 <= x < image.width() and 0 <= y < image.height()
    )


def grey_line(colour: QColor) -> bool:
    """A quiet grey line on the land: darker than it, with little colour of its own."""
    spread = max(colour.red(), colour.green(), colour.blue()) - min(
        colour.red(), colour.green(), colour.blue()
    )
    return colour.lightness() < LAND.lightness() - 25 and spread < 40


def highlighted(colour: QColor) -> bool:
    return (
        abs(colour.red() - HIGHLIGHT.red()) < 40
        and abs(colour.green() - HIGHLIGHT.green()) < 40
        and abs(colour.blue() - HIGHLIGHT.blue()) < 40
    )


def share_drawn(qtbot, view, feature: dict, test) -> float:
    points = segment_points(qtbot, view, feature)
    size = view.size()
    inside = [p for p in points if 4 <= p[0] < size.width() - 4 and 4 <= p[1] < size.height() - 4]
    assert len(inside) >= 8, "the outline is not in view"
    image = view.grab().toImage()
    return sum(near(image, p, test) for p in inside) / len(inside)


def press_plus(qtbot, view, zoom: int) -> None:
    """Zoom in with the '+' key, as a user does with the map focused, once the map is still
    (Leaflet drops a key pressed while it zooms)."""
    still = "companionMap.map().getZoom() === {} && !companionMap.map()._animatingZoom"
    qtbot.waitUntil(lambda: js(qtbot, view, still.format(zoom - 1)), timeout=10_000)
    QTest.keyClick(view.focusProxy() or view, Qt.Key.Key_Plus)
    qtbot.waitUntil(lambda: js(qtbot, view, still.format(zoom)), timeout=10_000)


def test_a_facilitator_in_fontenay_sees_the_communes_and_the_intercommunality(qtbot, page) -> None:
    view = page.view
    js(qtbot, view, "companionMap.map().setView([48.853, 2.472], 10, {animate: false}); 1")
    # The map takes the keyboard once clicked (on land, away from the actors).
    frame = json.loads(js(qtbot, view, "JSON.stringify(companionMap.map().getSize())"))
    click(view, [frame["x"] // 5, frame["y"] * 4 // 5])
    press_plus(qtbot, view, 11)
    press_plus(qtbot, view, 12)
    qtbot.waitUntil(lambda: f"commune:{FONTENAY}" in state(qtbot, view)["drawn"], timeout=20_000)
    drawn = state(qtbot, view)
    assert f"epci:{PARIS_EST_MARNE_ET_BOIS}" in drawn["drawn"]
    assert drawn["coarseHidden"]  # the départements' precise borders replace the simplified

    names = settled_names(qtbot, view)
    texts = [name[4] for name in names]
    assert "Fontenay-sous-Bois" in texts and "Vincennes" in texts
    assert "Paris Est Marne et Bois" in texts
    assert len(texts) >= 12, texts  # the communes around are named too
    for i, name in enumerate(names):
        for other in names[i + 1 :]:
            assert not overlapping(name, other), (name[4], other[4])
    # Never over an actor: neither a marker nor a cluster.
    lone = page.store.conn.execute(
        "SELECT id FROM actors WHERE name IN ('Pôle Fontenay', 'Atelier de l''Est')"
    ).fetchall()
    boxes = []
    for (actor_id,) in lone:
        key = seq_of(page.store, actor_id)
        x, y = settled_point(qtbot, view, f"companionMap.markerPoint({key})")
        boxes.append([x - 10, y - 10, x + 10, y + 10])
    boxes += json.loads(
        js(
            qtbot,
            view,
            """JSON.stringify(Array.from(
        document.querySelectorAll('.marker-cluster')).map(function (n) {
        var r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }))""",
        )
    )
    assert len(boxes) >= 3
    for name in names:
        for actor in boxes:
            assert not overlapping(name, actor), name[4]

    # Drawn: a grey line along most sides of Fontenay's outline, land inside it.
    assert share_drawn(qtbot, view, territory("commune", FONTENAY), grey_line) >= 0.6
    assert share_drawn(qtbot, view, territory("epci", PARIS_EST_MARNE_ET_BOIS), grey_line) >= 0.6


def test_nothing_is_asked_below_zoom_8(qtbot, page) -> None:
    view = page.view
    asked = lambda: [u.toString() for u in view.request_log.urls if "outlines" in u.path()]  # noqa: E731
    for zoom in (5, 6, 7):
        js(qtbot, view, f"companionMap.map().setView([48.85, 2.47], {zoom}, {{animate: false}}); 1")
        qtbot.waitUntil(lambda: status(qtbot, view)["localBasemap"]["cells"] == 0)
    assert asked() == [] and state(qtbot, view)["drawn"] == []
    assert not state(qtbot, view)["coarseHidden"]
    js(qtbot, view, "companionMap.map().setView([48.85, 2.47], 8, {animate: false}); 1")
    qtbot.waitUntil(lambda: len(state(qtbot, view)["drawn"]) > 0, timeout=10_000)
    assert asked() and all("z=8&" in url for url in asked())
    levels = {key.split(":")[0] for key in state(qtbot, view)["drawn"]}
    assert levels == {"epci"}  # intercommunalités only at zoom 8
    assert view.request_log.blocked == []


def answer_dialog(qtbot, text: str) -> None:
    """Type ``text`` into the next modal dialog's line edit and press Enter, as a user."""

    def typed() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, typed)
            return
        edit = dialog.findChild(QLineEdit)
        QTest.keyClicks(edit, text)
        QTest.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(50, typed)


def test_framing_on_a_territory_outlines_it_until_taken_off(qtbot, page) -> None:
    view = page.view
    menu = page.frame_menu
    item = next(a for a in menu.actions() if a.text() == "Un territoire…")
    answer_dialog(qtbot, "Fontenay-sous-Bois")
    item.trigger()
    qtbot.waitUntil(lambda: status(qtbot, view)["localBasemap"]["highlighted"].get("frame") == 1,
                    timeout=20_000)  # fmt: skip
    qtbot.waitUntil(lambda: not js(qtbot, view, "companionMap.map()._animatingZoom"))
    fontenay = territory("commune", FONTENAY)
    qtbot.waitUntil(lambda: share_drawn(qtbot, view, fontenay, highlighted) >= 0.8, timeout=10_000)
    page._update_frame_menu()
    remove = next(a for a in menu.actions() if a.text().startswith("Retirer le contour"))
    assert remove.isVisible() and remove.text() == "Retirer le contour de Fontenay-sous-Bois"
    remove.trigger()
    qtbot.waitUntil(lambda: share_drawn(qtbot, view, fontenay, highlighted) == 0, timeout=10_000)
    page._update_frame_menu()
    assert not remove.isVisible()


def test_a_catalysts_card_outlines_its_territory_of_action(qtbot, page, catalyst) -> None:
    view = page.view
    js(qtbot, view, "companionMap.map().setView([48.849, 2.455], 13, {animate: false}); 1")
    seen = []
    view.territory_highlighted.connect(seen.append)
    click(view, marker_point(qtbot, view, page.store, catalyst))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20_000)
    assert {(s["slot"], s["level"], s["code"]) for s in seen} == {
        ("card", "commune", FONTENAY), ("card", "commune", VINCENNES)
    }  # fmt: skip
    js(qtbot, view, "1")  # the card's opening may have panned the map
    qtbot.waitUntil(lambda: not js(qtbot, view, "!!(companionMap.map()._panAnim && "
                                   "companionMap.map()._panAnim._inProgress)"))  # fmt: skip
    vincennes = territory("commune", VINCENNES)
    qtbot.waitUntil(lambda: share_drawn(qtbot, view, vincennes, highlighted) >= 0.5, timeout=10_000)
    QTest.keyClick(view.focusProxy() or view, Qt.Key.Key_Escape)  # Leaflet closes the card
    qtbot.waitUntil(lambda: js(qtbot, view, "document.querySelector('.leaflet-popup') === null"),
                    timeout=10_000)  # fmt: skip
    qtbot.waitUntil(lambda: share_drawn(qtbot, view, vincennes, highlighted) == 0, timeout=10_000)
    assert status(qtbot, view)["localBasemap"]["highlighted"]["card"] == 0


def test_an_export_framed_on_a_commune_carries_its_basemap(
    qtbot,
    store,
    open_export,  # noqa: F811 - the fixture imported above
) -> None:
    national = build_export_html(store.conn, ExportOptions())
    assert "Fontenay-sous-Bois" not in national  # too wide: nothing embedded
    html = build_export_html(store.conn, ExportOptions(bounds=(48.835, 2.43, 48.87, 2.52)))
    view, log = open_export(html)
    qtbot.waitUntil(lambda: f"commune:{FONTENAY}" in state(qtbot, view)["drawn"], timeout=20_000)
    assert status(qtbot, view)["localBasemap"]["tiles"] > 0
    assert "Fontenay-sous-Bois" in [name[4] for name in settled_names(qtbot, view)]
    assert share_drawn(qtbot, view, territory("commune", FONTENAY), grey_line) >= 0.6
    assert log.blocked == []


def test_a_bad_request_from_the_page_gets_a_400(qtbot, page) -> None:
    view = page.view
    ask = """window.__answer = 'waiting';
      fetch(URL).then(function (r) { window.__answer = String(r.status); },
                      function () { window.__answer = 'failed'; }); 1"""
    for query, expected in (
        ("outlines.geojson?z=12&bbox=2.40,48.82,2.52,48.88", "200"),
        ("outlines.geojson?z=12&bbox=2.52,48.82,2.40,48.88", "400"),  # west of east
        ("outlines.geojson?z=banana", "400"),
        ("territory.geojson?level=canton&code=1", "400"),
        ("territory.geojson?level=commune&code=99999", "404"),
    ):
        url = json.dumps(f"companion://map/data/{query}")
        js(qtbot, view, ask.replace("URL", url))
        qtbot.waitUntil(lambda: js(qtbot, view, "window.__answer") != "waiting", timeout=10_000)
        assert js(qtbot, view, "window.__answer") == expected, query
    assert view.is_ready and status(qtbot, view)["errors"] == []


def test_a_departement_fitted_between_two_zooms_names_its_towns(qtbot, page) -> None:
    """A filter or « Cadrer sur » fits by quarter steps: at 9.25 the names are those of
    zoom 9 (they were none: the page looked their floor up under "9.25")."""
    view = page.view
    js(qtbot, view, "companionMap.map().setView([46.09, 2.02], 9.25, {animate: false}); 1")
    texts = [name[4] for name in settled_names(qtbot, view)]
    assert "Guéret" in texts, texts  # Creuse's préfecture
    assert len(texts) >= 5, texts
