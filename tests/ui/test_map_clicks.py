"""Every actor and every cluster of the map answers a real click (issue #15, item 1).

Clicks and pointer moves are real input events sent to the web view's widget
(``QTest`` on its focus proxy), at the point where the page draws the marker or the
cluster: a JavaScript ``fire('click')`` would prove nothing about what a user can click
(a canvas pane lying above the others swallowed 98 % of the clicks while such tests
passed). What is checked is the page's state afterwards: the card that opened, the
zoom, the name shown on hover.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, js, located, seq_of, status

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
KINDS = {  # one actor of each layer the map draws: every kind, a private one, a catalyst
    "association": ("École des Jardins", 45.764, 4.836),
    "collectif": ("La Fabrique", 47.322, 5.041),
    "fondation": ("Fondation Terres", 48.857, 2.352),
    "entreprise": ("Scop Bois", 43.604, 1.444),
    "collectivite": ("Mairie de Rennes", 48.117, -1.678),
    "catalyseur": ("Pôle de catalyse", 48.390, -4.486),
}
STRASBOURG = (48.573, 7.752)  # five actors at one address: they never split
NANTES = (47.218, -1.554)  # four a few streets apart: they split as the map zooms in


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    ids = {}
    for kind, (name, lat, lon) in KINDS.items():
        visibility = "private" if kind == "fondation" else "network"
        ids[kind] = located(store, name, kind, lat, lon, visibility=visibility)
    for n in range(5):
        ids[f"strasbourg-{n}"] = located(store, f"Voisin {n}", "association", *STRASBOURG)
    for n in range(4):
        place = (NANTES[0] + 0.004 * n, NANTES[1] - 0.003 * n)
        ids[f"nantes-{n}"] = located(store, f"Nantais {n}", "entreprise", *place)
    return ids


@pytest.fixture
def view(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(1100, 760)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield page.view
    dispose(qtbot, page)


def target(view):
    return view.focusProxy() or view


def click(view, point: list[int]) -> None:
    QTest.mouseClick(target(view), Qt.MouseButton.LeftButton, pos=QPoint(*point))


def move(view, point: list[int]) -> None:
    """The pointer moved over ``point`` (QTest.mouseMove moves a cursor the offscreen
    platform does not have: the event is sent to the widget as the window system would)."""
    where = QPointF(*point)
    widget = target(view)
    event = QMouseEvent(
        QEvent.Type.MouseMove, where, widget.mapToGlobal(where), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def card_name(qtbot, view) -> str:
    """The name on the open card, or '' (the page's null comes back as '')."""
    return js(
        qtbot, view,
        "(function () { var n = document.querySelector('.leaflet-popup .companion-card-name');"
        " return n ? n.textContent : ''; })()",
    )  # fmt: skip


def point_of(qtbot, view, expression: str) -> list[int] | None:
    """A point the page computes (arrays come back from the page as JSON text)."""
    return json.loads(js(qtbot, view, f"JSON.stringify({expression})"))


def settled_point(qtbot, view, where: str) -> list[int]:
    """The point once it stays put (a card's opening pans the map, a zoom animates)."""
    seen: list = [None]

    def still() -> bool:
        point = point_of(qtbot, view, where)
        moving = "companionMap.map()._animatingZoom || (companionMap.map()._panAnim"
        moving += " && companionMap.map()._panAnim._inProgress)"
        moving += " || document.querySelector('.leaflet-cluster-anim')"  # clusters moving
        steady = point is not None and point == seen[0] and not js(qtbot, view, f"!!({moving})")
        seen[0] = point
        return steady

    qtbot.waitUntil(still, timeout=20_000)
    return seen[0]


def marker_point(qtbot, view, store: Store, actor_id: str) -> list[int]:
    return settled_point(qtbot, view, f"companionMap.markerPoint({seq_of(store, actor_id)})")


def cluster_point(qtbot, view) -> list[int]:
    where = (
        "(function () { var c = document.querySelector('.marker-cluster'); if (!c) return null;"
        " var b = c.getBoundingClientRect();"
        " return [Math.round(b.left + b.width / 2), Math.round(b.top + b.height / 2)]; })()"
    )
    return settled_point(qtbot, view, where)


def show(qtbot, view, place: tuple[float, float], zoom: int) -> None:
    """The map at ``place`` and ``zoom``, without an animation to wait for."""
    js(qtbot, view, f"companionMap.map().setView([{place[0]}, {place[1]}], {zoom},"
                    " {animate: false}); 1")  # fmt: skip


def close_card(qtbot, view) -> None:
    """As a user would wait for it: the card fades out, then it is gone."""
    js(qtbot, view, "companionMap.map().closePopup(); 1")
    gone = "document.querySelector('.leaflet-popup') === null"
    qtbot.waitUntil(lambda: js(qtbot, view, gone), timeout=10_000)


def test_a_click_on_any_actor_opens_its_card(qtbot, store, actors, view) -> None:
    assert status(qtbot, view)["errors"] == []
    for kind, (name, lat, lon) in KINDS.items():
        close_card(qtbot, view)
        show(qtbot, view, (lat, lon), 9)  # where the user went to find it
        click(view, marker_point(qtbot, view, store, actors[kind]))
        qtbot.waitUntil(lambda name=name: card_name(qtbot, view) == name, timeout=10_000)


def test_hovering_an_actor_shows_its_name(qtbot, store, actors, view) -> None:
    point = marker_point(qtbot, view, store, actors["entreprise"])
    away = [point[0] + 80, point[1] + 80]
    tip = "(function () { var t = document.querySelector('.companion-hover');"  # shown, or fading
    tip += " return t && t.style.opacity !== '0' ? t.textContent : ''; })()"

    jiggle = [0]

    def pointer_at(where: list[int], shown: str) -> bool:
        # The pointer keeps moving about there, as a hand does (the page takes one move a
        # frame, and none that does not move).
        jiggle[0] ^= 1
        move(view, [where[0] + jiggle[0], where[1]])
        return js(qtbot, view, tip) == shown

    qtbot.waitUntil(lambda: pointer_at(point, "Scop Bois"), timeout=10_000)
    qtbot.waitUntil(lambda: pointer_at(away, ""), timeout=10_000)


def test_a_click_on_a_cluster_zooms_in_to_it(qtbot, store, actors, view) -> None:
    show(qtbot, view, NANTES, 8)
    click(view, cluster_point(qtbot, view))
    qtbot.waitUntil(lambda: js(qtbot, view, "companionMap.map().getZoom()") > 8, timeout=10_000)
    # Zoomed until it splits: the four are markers of their own, each at a click.
    points = [marker_point(qtbot, view, store, actors[f"nantes-{n}"]) for n in range(4)]
    click(view, points[3])
    qtbot.waitUntil(lambda: card_name(qtbot, view) == "Nantais 3", timeout=10_000)


def test_a_cluster_that_cannot_split_spreads_out_at_a_click(qtbot, store, actors, view) -> None:
    show(qtbot, view, STRASBOURG, 9)
    click(view, cluster_point(qtbot, view))
    neighbours = [actors[f"strasbourg-{n}"] for n in range(5)]
    points = [marker_point(qtbot, view, store, actor_id) for actor_id in neighbours]
    assert len({tuple(point) for point in points}) == 5  # spread apart around the place
    click(view, points[2])
    qtbot.waitUntil(lambda: card_name(qtbot, view) == "Voisin 2", timeout=10_000)


def test_catalysts_cluster_with_the_others(qtbot, store, actors, view) -> None:
    near = located(store, "Catalyseur voisin", "catalyseur", STRASBOURG[0], STRASBOURG[1] + 0.001)
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        view.reload_data()
    show(qtbot, view, STRASBOURG, 7)
    key = seq_of(store, near)
    # Inside the cluster: no pin of its own drawn over the cluster's count.
    where = f"companionMap.markerPoint({key})"
    qtbot.waitUntil(lambda: point_of(qtbot, view, where) is None, timeout=10_000)
    counts = "JSON.stringify(Array.from(document.querySelectorAll('.marker-cluster'))"
    counts += ".map(function (c) { return c.textContent; }))"
    qtbot.waitUntil(lambda: "6" in json.loads(js(qtbot, view, counts)), timeout=10_000)


# -- from the directory to the map and back, with the keyboard ----------------------------


@pytest.fixture
def window(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.shell.main_window import MainWindow

    window = MainWindow(store)
    window.resize(1366, 768)
    window.show()
    yield window
    dispose(qtbot, window)


def drawn_map(qtbot, window):
    view = window.map_page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    return view


def test_the_directorys_selection_shows_on_the_map_with_the_keyboard(qtbot, actors, window) -> None:
    from companion.ui.shell.main_window import DIRECTORY, MAP

    directory = window.directory
    window.show_section(DIRECTORY)
    qtbot.keyClicks(directory.search_box, "Voisin 3")
    qtbot.keyClick(directory.search_box, Qt.Key.Key_Down)  # into the results, the first one
    assert directory.selected_actor_ids() == [actors["strasbourg-3"]]
    qtbot.keyClick(directory.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert window.current_section() == MAP
    view = drawn_map(qtbot, window)
    # Out of its cluster of five, its card open.
    qtbot.waitUntil(lambda: card_name(qtbot, view) == "Voisin 3", timeout=DRAW_TIMEOUT_MS)


def test_several_actors_fit_the_view_and_those_not_drawn_are_counted(
    qtbot, store, actors, window
) -> None:
    from companion.ui.shell.main_window import MAP

    nowhere = store.add_actor("Association sans adresse", "association").id
    window.show_section(MAP)
    view = drawn_map(qtbot, window)
    wanted = [actors["association"], actors["collectif"], nowhere]  # Lyon, Dijon, no place
    with qtbot.waitSignal(view.actors_shown, timeout=DRAW_TIMEOUT_MS) as shown:
        window.show_actors_on_map(wanted)
    assert shown.args == [3, 2]
    assert window.statusBar().currentMessage().startswith("1 acteur sur 3 n'est pas sur la carte")
    qtbot.waitUntil(lambda: view.bounds is not None and view.bounds[2] - view.bounds[0] < 6)
    south, west, north, east = view.bounds
    assert south < 45.764 < 47.322 < north and west < 4.836 < 5.041 < east
    assert north - south < 6  # fitted to the two, not all of France


def test_a_card_opened_on_the_map_shows_the_actor_in_the_directory(
    qtbot, store, actors, window
) -> None:
    from companion.ui.shell.main_window import MAP

    window.show_section(MAP)
    view = drawn_map(qtbot, window)
    show(qtbot, view, KINDS["collectivite"][1:], 9)
    click(view, marker_point(qtbot, view, store, actors["collectivite"]))
    qtbot.waitUntil(
        lambda: window.directory.card.actor_id == actors["collectivite"], timeout=10_000
    )


FONTS_ON_THE_MAP = """(function () {
  var page = getComputedStyle(document.querySelector('.leaflet-container')).fontFamily;
  var shown = document.querySelectorAll('.leaflet-popup, .leaflet-popup *, .leaflet-tooltip,'
    + ' .leaflet-tooltip *, .marker-cluster, .marker-cluster *, .companion-legend,'
    + ' .companion-legend *');
  var odd = [];
  shown.forEach(function (element) {
    var family = getComputedStyle(element).fontFamily;
    // The kinds' glyphs are drawn with the icon font, on purpose.
    if (family !== page && family.indexOf('CompanionGlyphs') < 0) {
      odd.push(element.tagName + '.' + element.className + ': ' + family);
    }
  });
  return JSON.stringify({page: page, count: shown.length, odd: odd});
})()"""


def fonts_on_the_map(qtbot, view) -> dict:
    fonts = json.loads(js(qtbot, view, FONTS_ON_THE_MAP))
    assert "Noto Sans" in fonts["page"], fonts  # the family map.css declares
    return fonts


def test_cards_tooltips_and_clusters_use_the_pages_one_font(qtbot, store, actors, view) -> None:
    # Five actors at one address: a cluster and its count.
    show(qtbot, view, STRASBOURG, 9)
    cluster_point(qtbot, view)
    fonts = fonts_on_the_map(qtbot, view)
    assert fonts["odd"] == [] and fonts["count"] >= 2, fonts
    # A card open (its buttons and its ×) and a name under the pointer.
    name, lat, lon = KINDS["entreprise"]
    show(qtbot, view, (lat, lon), 9)
    point = marker_point(qtbot, view, store, actors["entreprise"])
    click(view, point)
    qtbot.waitUntil(lambda: card_name(qtbot, view) == name, timeout=10_000)
    point = marker_point(qtbot, view, store, actors["entreprise"])
    hover = "document.querySelector('.companion-hover') ? 1 : null"
    jiggle = [0]

    def hovered() -> bool:
        jiggle[0] ^= 1  # a hand keeps moving a little (see the test above)
        move(view, [point[0] + jiggle[0], point[1]])
        return point_of(qtbot, view, hover) == 1

    qtbot.waitUntil(hovered, timeout=10_000)
    fonts = fonts_on_the_map(qtbot, view)
    card_buttons = "document.querySelectorAll('.leaflet-popup button').length"
    assert js(qtbot, view, card_buttons) >= 1
    assert fonts["odd"] == [] and fonts["count"] > 5, fonts
