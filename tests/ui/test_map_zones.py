"""Zones on the map: drawn under the actors in their style, named on hover and click, hidden
from the drawer, renamed and deleted from a right click, kept in exports and presentation.

Clicks and moves are real input events sent to the web view (see test_map_clicks.py); the
page's state and the pixels drawn are read back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QUrl
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWebEngineWidgets import QWebEngineView
from zone_maps import quartier_umap, write_map

from companion.geo import Gazetteer
from companion.io.actor_import import apply_import
from companion.io.geojson_io import plan_geojson
from companion.maps.export_html import ExportOptions, export_html
from companion.maps.filters import MapFilter
from companion.store import Store
from companion.ui.map.export import RenderSettings, export_map
from companion.ui.map.scheme import register_scheme
from tests.french import fr

from .map_helpers import DRAW_TIMEOUT_MS, dispose, drawn_map_page, js, status
from .test_map_clicks import (
    card_name,
    click,
    close_card,
    marker_point,
    move,
    settled_point,
    show,
    target,
)

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

PENTES = (45.770, 4.838)  # the quartier's middle (latitude, longitude)
LYON_BOUNDS = (45.74, 4.78, 45.80, 4.89)  # south, west, north, east
ZONES = "JSON.stringify(companionMap.zones())"
QUARTIER_NAME = "QPV Pentes de la Croix-Rousse"


@pytest.fixture
def imported(store: Store, tmp_path) -> dict[str, str]:
    """The uMap file imported: two actors (one inside the quartier), a link, two zones."""
    path = write_map(tmp_path / "pentes.umap", quartier_umap())
    with Gazetteer.open() as gazetteer:
        report = apply_import(store, plan_geojson(store, gazetteer, path))
    assert report.zones == 2
    rows = store.conn.execute("SELECT name, id FROM actors").fetchall()
    return dict(rows)


@pytest.fixture
def page(qtbot, store: Store, imported) -> Iterator:
    page = drawn_map_page(qtbot, store, (1200, 800))
    yield page
    dispose(qtbot, page)


def zones_drawn(qtbot, view) -> list[dict]:
    return json.loads(js(qtbot, view, ZONES))


def zone_point(qtbot, view, fraction=(0.15, 0.2)) -> list[int]:
    """A point inside the quartier (the first zone), away from the actor inside it."""
    key = zones_drawn(qtbot, view)[0]["key"]
    return settled_point(qtbot, view, f"companionMap.zonePoint({key}, {list(fraction)})")


def orange(image: QImage, point: list[int]) -> int:
    """How much the quartier's orange (#d35400) tints the pixel: red over blue."""
    colour = image.pixelColor(point[0], point[1])
    return colour.red() - colour.blue()


def test_zones_are_drawn_in_their_style_and_toggled_from_the_drawer(qtbot, page) -> None:
    view = page.view
    drawn = zones_drawn(qtbot, view)
    assert [zone["name"] for zone in drawn] == [QUARTIER_NAME, "Périmètre du contrat de ville"]
    assert drawn[0]["style"]["color"] == "#d35400" and drawn[0]["style"]["dashArray"] == "6,4"
    assert drawn[1]["style"]["fill"] is False  # a line: never filled
    legend = js(qtbot, view, "document.querySelector('.companion-legend-zones').textContent")
    assert "Zones" in legend and QUARTIER_NAME in legend
    show(qtbot, view, PENTES, 14)
    point = zone_point(qtbot, view)
    qtbot.waitUntil(lambda: orange(view.grab().toImage(), point) > 60, timeout=10_000)

    checkbox = page.panel.zones
    assert checkbox.isChecked()
    QTest.mouseClick(checkbox, Qt.MouseButton.LeftButton, pos=QPoint(8, checkbox.height() // 2))
    assert not checkbox.isChecked() and page.view.filter.zones is False
    qtbot.waitUntil(lambda: zones_drawn(qtbot, view) == [], timeout=10_000)
    qtbot.waitUntil(lambda: orange(view.grab().toImage(), point) < 30, timeout=10_000)
    assert js(qtbot, view, "document.querySelector('.companion-legend-zones').textContent") == ""
    QTest.mouseClick(checkbox, Qt.MouseButton.LeftButton, pos=QPoint(8, checkbox.height() // 2))
    qtbot.waitUntil(lambda: len(zones_drawn(qtbot, view)) == 2, timeout=10_000)
    assert status(qtbot, view)["errors"] == []


def test_an_actor_inside_a_zone_still_opens_and_the_zone_answers_elsewhere(
    qtbot, page, imported
) -> None:
    view = page.view
    show(qtbot, view, PENTES, 14)
    # The actor inside the quartier: its card, not the zone's.
    click(view, marker_point(qtbot, view, page.store, imported["Tiers-lieu des Pentes"]))
    qtbot.waitUntil(lambda: card_name(qtbot, view) == "Tiers-lieu des Pentes", timeout=10_000)
    close_card(qtbot, view)
    show(qtbot, view, PENTES, 14)  # where it was before the card panned the map
    point = zone_point(qtbot, view)
    zone_card = (
        "(function () { var n = document.querySelector('.companion-zone-popup "
        ".companion-zone-name'); return n ? n.textContent : ''; })()"
    )
    click(view, point)
    qtbot.waitUntil(lambda: js(qtbot, view, zone_card) == QUARTIER_NAME, timeout=10_000)
    category = "document.querySelector('.companion-zone-popup .companion-zone-category')"
    assert js(qtbot, view, f"{category}.textContent") == "Politique de la ville"
    assert card_name(qtbot, view) == ""  # no actor's card
    close_card(qtbot, view)

    tip = "(function () { var t = document.querySelector('.companion-zone-tip');"
    tip += " return t && t.style.opacity !== '0' ? t.textContent : ''; })()"
    jiggle = [0]

    def pointer_at(where: list[int], shown: str) -> bool:
        jiggle[0] ^= 1
        move(view, [where[0] + jiggle[0], where[1]])
        return js(qtbot, view, tip) == shown

    qtbot.waitUntil(lambda: pointer_at(point, QUARTIER_NAME), timeout=10_000)
    outside = [point[0] - 150, point[1] - 150]  # north-west of the quartier: no zone
    qtbot.waitUntil(lambda: pointer_at(outside, ""), timeout=10_000)
    assert status(qtbot, view)["errors"] == []


def test_a_right_click_on_a_zone_renames_or_deletes_it(qtbot, page) -> None:
    view = page.view
    show(qtbot, view, PENTES, 14)

    def right_click_menu():
        page.context_menu = None
        QTest.mouseClick(
            target(view), Qt.MouseButton.RightButton, pos=QPoint(*zone_point(qtbot, view))
        )
        qtbot.waitUntil(lambda: page.context_menu is not None, timeout=10_000)
        return page.context_menu

    menu = right_click_menu()
    texts = [action.text() for action in menu.actions()]
    assert fr(f"Renommer la zone « {QUARTIER_NAME} »…") in texts
    rename = next(a for a in menu.actions() if a.text().startswith("Renommer la zone"))
    qtbot.waitUntil(menu.isVisible)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(rename).center())
    dialog = page.zone_dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    editor = dialog.findChild(type(page.title_edit))
    editor.selectAll()
    QTest.keyClicks(editor, "QPV des Pentes")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: [z["name"] for z in zones_drawn(qtbot, view)][0] == "QPV des Pentes",
        timeout=10_000,
    )

    menu = right_click_menu()
    delete = next(
        a for a in menu.actions() if a.text() == fr("Supprimer la zone « QPV des Pentes »")
    )
    qtbot.waitUntil(menu.isVisible)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(delete).center())
    qtbot.waitUntil(lambda: len(zones_drawn(qtbot, view)) == 1, timeout=10_000)
    assert page.store.journal.last().label == fr("Supprimer la zone « QPV des Pentes »")
    page.store.journal.undo()  # what Ctrl+Z does (main window), then the map reads again
    page.refresh()
    qtbot.waitUntil(lambda: len(zones_drawn(qtbot, view)) == 2, timeout=10_000)


def test_presentation_keeps_the_zones(qtbot, page) -> None:
    page.presentation.enter()
    try:
        qtbot.waitUntil(lambda: js(qtbot, page.view, "companionMap.isPresenting()"), timeout=10_000)
        assert len(zones_drawn(qtbot, page.view)) == 2
    finally:
        page.presentation.leave()


def test_exports_keep_the_zones(qtbot, store, imported, tmp_path) -> None:
    folder = tmp_path / "sortie"
    folder.mkdir()
    pictures = {}
    for name, spec in (("avec", MapFilter()), ("sans", MapFilter(zones=False))):
        out = export_map(
            store.path,
            folder / f"{name}.png",
            "png",
            ExportOptions(title="Pentes", filter=spec, bounds=LYON_BOUNDS),
            RenderSettings(width=1000, height=700),
        )
        image = QImage(str(out))
        pictures[name] = sum(
            1
            for x in range(0, image.width(), 4)
            for y in range(0, image.height(), 4)
            if orange(image, [x, y]) > 60
        )
    # The quartier's orange fills part of the map's box only when the zones are kept.
    assert pictures["avec"] > pictures["sans"] + 100, pictures


def test_an_exported_html_draws_the_zones(qtbot, store, imported, tmp_path) -> None:
    out = export_html(store.path, tmp_path / "carte.html", ExportOptions(bounds=LYON_BOUNDS))

    view = QWebEngineView()
    view.resize(900, 600)
    view.show()
    try:
        with qtbot.waitSignal(view.page().loadFinished, timeout=DRAW_TIMEOUT_MS):
            view.load(QUrl.fromLocalFile(str(out)))
        qtbot.waitUntil(
            lambda: js(qtbot, view, "!!(window.companionExport || {}).ready"), timeout=20_000
        )
        names = [zone["name"] for zone in zones_drawn(qtbot, view)]
        assert names == [QUARTIER_NAME, "Périmètre du contrat de ville"]
        [(zone_id,)] = store.conn.execute("SELECT id FROM zones WHERE seq = 1").fetchall()
        assert zone_id not in out.read_text(encoding="utf-8")  # no local id leaves
    finally:
        dispose(qtbot, view)
