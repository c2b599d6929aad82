"""The national view as French maps draw it, and as large as a room needs (issue #15,
items 2 and 5): the whole of metropolitan France fitted to the window, the overseas
départements in boxes of their own with the actors the filter keeps there, and on a
projector the country, its symbols and controls grown with the screen.

Clicks are real input events sent to the web view; what is checked is the page as
drawn (its boxes, its pixels, the extent it reports)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from companion.maps.extents import METROPOLE
from companion.maps.filters import MapFilter
from companion.maps.style import KIND_COLOURS
from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, js, located, seq_of, status

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
POINTE_A_PITRE = (16.241, -61.533)
SAINT_DENIS_REUNION = (-20.882, 55.451)
LONELY = (47.0, 0.5)  # an actor far from the others: a marker of its own at zoom 9


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    ids = {}
    for n in range(2):
        lat, lon = POINTE_A_PITRE[0] + 0.03 * n, POINTE_A_PITRE[1] + 0.03 * n
        ids[f"gp-{n}"] = located(store, f"Asso {n}", "association", lat, lon, departement="971")
    ids["gp-company"] = located(
        store, "Scop des îles", "entreprise", 16.0, -61.7, departement="971"
    )
    ids["re"] = located(store, "Réunion Solidaire", "association", *SAINT_DENIS_REUNION,
                        departement="974")  # fmt: skip
    ids["lonely"] = located(store, "Ferme isolée", "association", *LONELY, departement="86")
    for n in range(4):
        ids[f"lyon-{n}"] = located(
            store, f"Lyonnais {n}", "entreprise", 45.76 + 0.01 * n, 4.83, departement="69"
        )
    return ids


@pytest.fixture
def page(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(1366, 768)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield page
    dispose(qtbot, page)


def target(view):
    return view.focusProxy() or view


def inset_box(qtbot, view, code: str) -> list[int] | None:
    """The box of an overseas département's little map, in the page, or None if hidden."""
    where = (
        f"(function () {{ var b = document.querySelector('.companion-inset[data-code=\"{code}\"]');"
        " if (!b || b.offsetParent === null) return null;"
        " var r = b.querySelector('.companion-inset-map').getBoundingClientRect();"
        " return [Math.round(r.left), Math.round(r.top), Math.round(r.right),"
        " Math.round(r.bottom)]; })()"
    )
    return json.loads(js(qtbot, view, f"JSON.stringify({where})"))


def pixels_like(view, box: list[int], colour: str, tolerance: int = 80) -> int:
    """How many pixels inside ``box`` are of about ``colour``, as the view paints them."""
    image = view.grab().toImage()
    wanted = QColor(colour)
    count = 0
    for x in range(max(0, box[0]), min(image.width(), box[2])):
        for y in range(max(0, box[1]), min(image.height(), box[3])):
            seen = image.pixelColor(x, y)
            if (
                abs(seen.red() - wanted.red())
                + abs(seen.green() - wanted.green())
                + abs(seen.blue() - wanted.blue())
                < tolerance
            ):
                count += 1
    return count


def insets_shown(qtbot, view) -> bool:
    return status(qtbot, view).get("insets") == 5


def counts(qtbot, view) -> dict[str, int]:
    return dict(status(qtbot, view).get("insetCounts") or [])


def test_the_whole_country_is_fitted_with_overseas_in_boxes(qtbot, page) -> None:
    view = page.view
    qtbot.waitUntil(lambda: insets_shown(qtbot, view), timeout=10_000)
    south, west, north, east = json.loads(js(qtbot, view, "JSON.stringify(companionMap.bounds())"))
    assert south <= METROPOLE[0] and west <= METROPOLE[1]  # Corsica and Brittany in view
    assert north >= METROPOLE[2] and east >= METROPOLE[3]
    assert counts(qtbot, view) == {"971": 3, "972": 0, "973": 0, "974": 1, "976": 0}
    # The boxes lie beside the country, never over it.
    box = inset_box(qtbot, view, "971")
    assert box is not None
    france_west = json.loads(
        js(
            qtbot,
            view,
            f"JSON.stringify(companionMap.map().latLngToContainerPoint("
            f"[48.4, {METROPOLE[1] + 0.4}]))",
        )  # fmt: skip
    )["x"]
    assert box[2] < france_west  # the map fills the page: its points are the page's
    # Its actors drawn in the box: dots of their kind's colour.
    qtbot.waitUntil(lambda: pixels_like(view, box, KIND_COLOURS["association"]) >= 6)
    assert pixels_like(view, inset_box(qtbot, view, "972"), KIND_COLOURS["association"]) == 0

    # A filter changes what the boxes count and draw.
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        view.apply_filter(MapFilter(kinds=frozenset({"entreprise"})))
    qtbot.waitUntil(lambda: counts(qtbot, view)["971"] == 1)
    assert counts(qtbot, view)["974"] == 0
    qtbot.waitUntil(lambda: pixels_like(view, box, KIND_COLOURS["association"]) == 0)
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        view.apply_filter(MapFilter())


def test_a_click_on_a_box_takes_the_map_there(qtbot, page, actors) -> None:
    view = page.view
    qtbot.waitUntil(lambda: insets_shown(qtbot, view), timeout=10_000)
    box = inset_box(qtbot, view, "971")
    middle = QPoint((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
    QTest.mouseClick(target(view), Qt.MouseButton.LeftButton, pos=middle)

    def in_guadeloupe() -> bool:
        south, west, north, east = json.loads(
            js(qtbot, view, "JSON.stringify(companionMap.bounds())")
        )
        return south < POINTE_A_PITRE[0] < north and west < POINTE_A_PITRE[1] < east

    qtbot.waitUntil(in_guadeloupe, timeout=10_000)
    assert js(qtbot, view, "companionMap.map().getZoom()") >= 8
    qtbot.waitUntil(lambda: status(qtbot, view).get("insets") == 0)  # no box over the islands
    assert inset_box(qtbot, view, "971") is None


def test_on_a_projector_the_country_and_its_symbols_grow(qtbot, page, actors, store) -> None:
    view = page.view
    qtbot.waitUntil(lambda: insets_shown(qtbot, view), timeout=10_000)
    laptop_zoom = js(qtbot, view, "companionMap.map().getZoom()")
    seq = seq_of(store, actors["lonely"])

    def marker_pixels() -> int:
        """The lonely actor's marker, as painted at zoom 9: its pixels of its kind's colour."""
        js(qtbot, view, f"companionMap.map().setView([{LONELY[0]}, {LONELY[1]}], 9,"
                        " {animate: false}); 1")  # fmt: skip
        qtbot.waitUntil(lambda: js(qtbot, view, f"!!companionMap.markerPoint({seq})"))
        x, y = json.loads(js(qtbot, view, f"JSON.stringify(companionMap.markerPoint({seq}))"))
        return pixels_like(view, [x - 30, y - 30, x + 30, y + 30], KIND_COLOURS["association"])

    def settled(measure) -> int:
        """A figure once two paints agree (a frame may come after the call)."""
        seen: list = [None]

        def same() -> bool:
            value = measure()
            steady = value == seen[0] and value > 0
            seen[0] = value
            return steady

        qtbot.waitUntil(same, timeout=10_000)
        return seen[0]

    laptop_marker = settled(marker_pixels)
    assert laptop_marker > 50
    js(qtbot, view, f"companionMap.fitBounds({json.dumps(list(METROPOLE))}); 1")

    page.resize(1920, 1080)
    view.set_presentation(True, "Atelier")
    qtbot.waitUntil(lambda: status(qtbot, view).get("scale", 0) >= 1.3)  # 1080 / 800

    # The country fills the larger screen (the extent asked for is fitted again).
    qtbot.waitUntil(
        lambda: js(qtbot, view, "companionMap.map().getZoom()") >= laptop_zoom + 0.4,
        timeout=10_000,
    )
    zoom_button = json.loads(js(qtbot, view, (
        "JSON.stringify(document.querySelector('.leaflet-control-zoom-in')"
        ".getBoundingClientRect().height)"
    )))  # fmt: skip
    assert zoom_button >= 38
    # Markers are drawn larger: their area grows with the square of the scale (1.7+).
    # (waited for: the canvas repaints a frame after the page's state changed)
    qtbot.waitUntil(lambda: marker_pixels() >= 1.5 * laptop_marker, timeout=10_000)
    view.set_presentation(False)
    qtbot.waitUntil(lambda: status(qtbot, view).get("scale") == 1)
    qtbot.waitUntil(lambda: marker_pixels() <= 1.2 * laptop_marker, timeout=10_000)
