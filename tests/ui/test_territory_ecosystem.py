"""The ecosystem network as a user meets it: it fills its canvas, isolated actors only on
request, names that never overlap, a click focuses an actor (Esc or the background lets
it go), one scrolling side column."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtWidgets import QAbstractScrollArea

from companion.geo import Gazetteer
from companion.ui.territory.ecosystem_scene import DIMMED, SELECTED_RING
from companion.ui.territory.page import ECOSYSTEM_TAB

from .conftest import Network, make_window
from .territory_helpers import LYON, rhone, wait_ecosystem


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def rhone_network(store, gazetteer):
    return rhone(store, gazetteer)


def open_ecosystem(qtbot, network: Network, size: tuple[int, int] = (1366, 768)):
    window = make_window(qtbot, network)
    window.resize(*size)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    page = window.territory_page
    page.open_territory("departement", "69")
    page.tabs.setCurrentIndex(ECOSYSTEM_TAB)
    wait_ecosystem(qtbot, page)
    return window, page.ecosystem_view


def viewport_rect(view, item) -> QRectF:
    """Where an item is drawn on the canvas, in pixels (a name tag ignores the zoom)."""
    transform = item.deviceTransform(view.canvas.viewportTransform())
    return transform.mapRect(item.boundingRect())


def drawn_label_rects(view) -> list[QRectF]:
    """The name tags the scene shows, read back from its items."""
    return [viewport_rect(view, item) for item in view.drawn.shown_labels()]


def crowded(store, gazetteer, count: int = 40) -> Network:
    """``count`` associations with long names in Lyon, all working with one hub."""
    lyon = gazetteer.by_insee(LYON)
    place = dict(
        insee_code=LYON, commune=lyon.name, departement="69", latitude=45.75, longitude=4.83
    )
    hub = store.add_actor("Maison des associations de Lyon", "reseau", **place).id
    ids = {"hub": hub}
    for n in range(count):
        actor = store.add_actor(f"Association des jardins partagés n° {n}", "association", **place)
        store.add_relation(hub, actor.id, "partenariat")
        ids[f"a{n}"] = actor.id
    store.journal.clear()
    return Network(store, ids)


def clusters(store, gazetteer) -> Network:
    """Eight groups of associations around a hub each, of 3 to 17 actors, in Lyon."""
    lyon = gazetteer.by_insee(LYON)
    place = dict(
        insee_code=LYON, commune=lyon.name, departement="69", latitude=45.75, longitude=4.83
    )
    for group in range(8):
        hub = store.add_actor(f"Réseau {group}", "reseau", **place).id
        for n in range(2 + 2 * group):
            actor = store.add_actor(f"Association {group}-{n}", "association", **place)
            store.add_relation(hub, actor.id, "partenariat")
    store.journal.clear()
    return Network(store, {})


def test_isolated_actors_are_hidden_until_asked_for(qtbot, rhone_network) -> None:
    _window, view = open_ecosystem(qtbot, rhone_network)
    ids = rhone_network.ids
    loners = [view.drawn.nodes[ids["institut"]], view.drawn.nodes[ids["maraichers"]]]
    assert not any(node.isVisible() for node in loners)
    toggle = view.isolated_toggle
    assert toggle.isVisible() and toggle.text() == "Afficher les acteurs isolés (2)"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert toggle.isChecked() and all(node.isVisible() for node in loners)
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not any(node.isVisible() for node in loners)
    # Chosen in the side list, an isolated actor brings the isolated into view.
    row = view.isolated.texts().index("Institut des Berges — Institution publique")
    view.isolated.activate(row)
    assert toggle.isChecked() and loners[0].isVisible()
    assert view.selected_actor() == ids["institut"]


def test_the_network_fills_its_canvas_and_follows_its_shape(qtbot, store, gazetteer) -> None:
    network = clusters(store, gazetteer)
    window, view = open_ecosystem(qtbot, network, (1600, 700))
    canvas = view.canvas

    def filled() -> tuple[float, float]:
        rects = [viewport_rect(view, node) for node in view.drawn.visible_nodes()]
        left = min(r.left() for r in rects)
        right = max(r.right() for r in rects)
        top = min(r.top() for r in rects)
        bottom = max(r.bottom() for r in rects)
        port = canvas.viewport().rect()
        return (right - left) / port.width(), (bottom - top) / port.height()

    qtbot.waitUntil(lambda: abs(view.drawn.aspect / canvas.aspect() - 1) <= 0.15)
    width, height = filled()
    assert width > 0.75 and height > 0.75, (width, height)
    window.resize(900, 1000)  # now taller than wide: packed again for that shape
    qtbot.waitUntil(lambda: abs(view.drawn.aspect / canvas.aspect() - 1) <= 0.15)
    qtbot.waitUntil(lambda: min(filled()) > 0.75)


def test_names_never_overlap_and_more_show_closer(qtbot, store, gazetteer) -> None:
    network = crowded(store, gazetteer)
    window, view = open_ecosystem(qtbot, network)

    def check() -> int:
        rects = drawn_label_rects(view)
        for i, first in enumerate(rects):
            for second in rects[i + 1 :]:
                assert not first.intersects(second), (first, second)
        return len(rects)

    fitted = check()
    assert 0 < fitted < 41  # crowded: some names wait for a closer zoom
    hub = view.drawn.nodes[network.ids["hub"]]
    assert hub.label is not None and hub.label.isVisible()  # the most linked first
    # A name that did not fit shows while the mouse is over its actor.
    hidden = next(
        n for n in view.drawn.visible_nodes() if n.label is None or not n.label.isVisible()
    )
    view.canvas.centerOn(hidden)
    point = view.canvas.mapFromScene(hidden.pos())
    qtbot.mouseMove(view.canvas.viewport(), point)
    qtbot.waitUntil(lambda: hidden.label is not None and hidden.label.isVisible())
    qtbot.mouseMove(view.canvas.viewport(), empty_point(view))
    qtbot.waitUntil(lambda: not hidden.label.isVisible())
    for _ in range(4):
        qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert check() > fitted


def empty_point(view) -> QPoint:
    """A point of the canvas with nothing drawn under it."""
    port = view.canvas.viewport().rect()
    for x in range(5, port.width(), 15):
        for y in range(5, port.height(), 15):
            if view.canvas.itemAt(QPoint(x, y)) is None:
                return QPoint(x, y)
    raise AssertionError("no empty point")


def test_a_click_focuses_an_actor_and_its_neighbours(qtbot, rhone_network) -> None:
    _window, view = open_ecosystem(qtbot, rhone_network)
    ids = rhone_network.ids
    nodes = view.drawn.nodes
    viewport = view.canvas.viewport()
    mairie = nodes[ids["mairie"]]
    qtbot.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=view.canvas.mapFromScene(mairie.pos())
    )
    assert view.selected_actor() == ids["mairie"]
    assert mairie.pen().color() == SELECTED_RING
    for name in ("mairie", "pole", "fondation"):  # it and its neighbours
        assert nodes[ids[name]].opacity() == 1.0, name
    for name in ("jardins", "atelier"):  # the rest fades
        assert nodes[ids[name]].opacity() == pytest.approx(DIMMED), name
    assert all(edge.opacity() == pytest.approx(DIMMED) for edge in view.drawn.edges)
    assert view.drawn.highlight.path().elementCount() == 4  # its two relations, darker
    shown = {label.node.actor_id for label in view.drawn.shown_labels()}
    assert shown <= {ids["mairie"], ids["pole"], ids["fondation"]} and ids["mairie"] in shown
    # Esc lets it go.
    qtbot.keyClick(view.canvas, Qt.Key.Key_Escape)
    assert view.selected_actor() is None
    assert all(node.opacity() == 1.0 for node in view.drawn.visible_nodes())
    assert mairie.pen().color() != SELECTED_RING
    # So does a click on the background.
    jardins = nodes[ids["jardins"]]
    qtbot.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=view.canvas.mapFromScene(jardins.pos())
    )
    assert nodes[ids["fondation"]].opacity() == pytest.approx(DIMMED)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=empty_point(view))
    assert view.selected_actor() is None
    assert all(node.opacity() == 1.0 for node in view.drawn.visible_nodes())
    assert view.actor_name.text() == "Cliquez sur un acteur du réseau."


def test_the_side_column_scrolls_as_one(qtbot, rhone_network) -> None:
    _window, view = open_ecosystem(qtbot, rhone_network)
    scrolling = [
        area
        for area in view.panel_scroll.widget().findChildren(QAbstractScrollArea)
        if area.isVisible()
    ]
    assert scrolling == []  # no list with a scroll bar of its own inside the column
    assert view.suggestions.texts()[0].startswith("1. ")
    first = view.suggestions.key(0)
    view.suggestions.activate(0)
    assert set(view.drawn.chosen) == set(first)


def test_names_are_placed_around_their_disc_and_never_over_another() -> None:
    from companion.ui.territory.ecosystem_labels import place

    discs = [(f"n{i}", 100.0 + 12 * (i % 5), 100.0 + 12 * (i // 5), 4.0) for i in range(25)]
    sizes = {d[0]: (80.0, 14.0) for d in discs}
    placed = place(discs, sizes, discs, bounds=(0, 0, 400, 400))
    rects = []
    for actor_id, (dx, dy) in placed.items():
        _id, x, y, _r = next(d for d in discs if d[0] == actor_id)
        rects.append(QRectF(x + dx, y + dy, *sizes[actor_id]))
    assert 0 < len(rects) < 25  # a crowded square: the first names only
    assert "n0" in placed  # in the order given
    for i, first in enumerate(rects):
        assert QRectF(0, 0, 400, 400).contains(first)
        for second in rects[i + 1 :]:
            assert not first.intersects(second)
    # A hub's name may cover its neighbours' discs, not another name.
    hub = [("hub", 200.0, 200.0, 10.0)]
    ring = [(f"r{i}", 200.0 + dx, 200.0 + dy, 4.0) for i, (dx, dy) in enumerate(
        [(20, 0), (-20, 0), (0, 20), (0, -20), (14, 14), (-14, 14), (14, -14), (-14, -14)]
    )]  # fmt: skip
    sizes = {"hub": (90.0, 14.0)}
    assert place(hub, sizes, hub + ring) == {}
    assert "hub" in place(hub, sizes, hub + ring, over_discs=frozenset({"hub"}))
