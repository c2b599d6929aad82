"""The actor map really draws, offline, safely, and filters without reloading the page."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage

from companion.maps.filters import MapFilter
from companion.store import Store
from companion.ui.map.scheme import LOCAL_SCHEMES, register_scheme
from tests.french import fr

from .map_helpers import dispose, js, located, seq_of, status

# Both must happen before the QApplication exists (pytest-qt creates it at the
# first test; modules are imported before any test runs).
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
HOSTILE_NAMES = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    "L'atelier \"du coin\" \\ 'quotes' & <b>gras</b>",
    "Ligne\u2028séparée ${window.__pwned=1}",
]


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
            email="alice@ecole.example",
            phone="0639980001",
        ),
        "fabrique": located(
            store, "La Fabrique", "collectif", 47.322, 5.041, commune="Dijon", departement="21"
        ),
        "fondation": located(
            store, "Fondation Terres", "fondation", 48.857, 2.352, visibility="private"
        ),
        "pole": located(store, "Pôle de catalyse", "catalyseur", 48.390, -4.486, departement="29"),
    }
    store.tag_actor(ids["ecole"], "alimentation")
    store.add_relation(ids["fondation"], ids["ecole"], "financement")
    store.add_relation(ids["ecole"], ids["fabrique"], "partenariat")
    return ids


def card(key: int, expression: str) -> str:
    """JavaScript that opens the popup card of actor ``key`` and evaluates ``expression`` on it."""
    return (
        f"companionMap.openCard({key}).getElement().querySelector('.companion-card').{expression}"
    )


@pytest.fixture
def map_page(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(1000, 700)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield page
    dispose(qtbot, page)


def distinct_colours(image: QImage) -> int:
    colours = set()
    for y in range(0, image.height(), 7):
        for x in range(0, image.width(), 7):
            colours.add(image.pixel(x, y))
    return len(colours)


def test_the_map_really_draws(qtbot, map_page) -> None:
    view = map_page.view
    assert js(qtbot, view, "typeof L") == "object"
    assert js(qtbot, view, "typeof CompanionClusters.ClusterLayer") == "function"
    state = status(qtbot, view)
    assert state["errors"] == []
    assert state["basemapLayers"] == 4  # neighbours, France, départements, régions
    assert state["labels"] == 18 + 101
    assert state["markers"] == 3 and state["catalysts"] == 1
    # Relations wait for an actor to be chosen (a national view would be a haze of lines).
    assert state["visible"] == 4 and state["relations"] == 2 and state["visibleRelations"] == 0
    layers = js(qtbot, view, "companionMap.map().hasLayer ? 1 : 0")
    assert layers == 1
    qtbot.waitUntil(lambda: fr("relations : cliquez un acteur") in map_page.count_label.text())
    assert map_page.count_label.text().startswith("4 acteurs sur la carte, 2 relations")
    # Real pixels: the sea, the land, markers: far from a blank page.
    qtbot.waitUntil(lambda: distinct_colours(view.grab().toImage()) > 20, timeout=20_000)
    image = view.grab().toImage()
    sea = image.pixelColor(5, image.height() // 2).name()
    assert sea == "#b9d3e4"


def test_no_request_leaves_the_machine(qtbot, map_page) -> None:
    view = map_page.view
    js(qtbot, view, "companionMap.map().setView([45.76, 4.84], 9); 1")
    js(qtbot, view, "companionMap.map().setZoom(5); companionMap.map().panBy([200, 100]); 1")
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        view.apply_filter(MapFilter(kinds=frozenset({"association"})))
    log = view.request_log
    assert any(url.toString() == "companion://map/data/actors.json" for url in log.urls)
    assert log.schemes() <= LOCAL_SCHEMES, log.schemes()
    assert log.blocked == []
    # The interceptor is not just watching: a request out is seen and blocked.
    js(qtbot, view, "fetch('https://example.org/tile.png').catch(function () {}); 1")
    qtbot.waitUntil(lambda: len(log.blocked) == 1)
    assert log.blocked[0].host() == "example.org"
    assert view.page().profile().isOffTheRecord()


def test_a_filter_updates_the_map_without_reloading_the_page(qtbot, map_page, actors) -> None:
    view = map_page.view
    loads: list[bool] = []
    view.loadStarted.connect(lambda: loads.append(True))
    js(qtbot, view, "window.__sameDocument = 42; 1")

    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        seq = view.apply_filter(MapFilter(kinds=frozenset({"association", "catalyseur"})))
    assert blocker.args[0]["seq"] == seq and blocker.args[0]["visible"] == 2
    state = status(qtbot, view)
    assert state["visible"] == 2 and state["visibleRelations"] == 0

    # Through the panel: the text search uses the store's full-text index.
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        map_page.panel.reset()
    assert blocker.args[0]["visible"] == 4
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        map_page.panel.text.setText("ecole jardins")
    assert blocker.args[0]["visible"] == 1
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        map_page.panel.text.clear()
        map_page.panel.relations.setCurrentIndex(map_page.panel.relations.findData("none"))
    assert blocker.args[0]["relations"] == 0
    assert js(qtbot, view, "window.__sameDocument") == 42
    assert loads == []


def test_hostile_names_stay_plain_text(qtbot, store, actors) -> None:
    from companion.ui.map.page import MapPage

    hostile = {
        name: located(store, name, "association", 46.0, 3.0 + i)
        for i, name in enumerate(HOSTILE_NAMES)
    }
    store.tag_actor(hostile[HOSTILE_NAMES[0]], '<svg onload="window.__pwned=1">')
    page = MapPage(store)
    page.resize(900, 600)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    view = page.view
    for name, actor_id in hostile.items():
        key = seq_of(store, actor_id)
        shown = js(qtbot, view, card(key, "querySelector('.companion-card-name').textContent"))
        assert shown == name
        assert js(qtbot, view, card(key, "querySelectorAll('img, script, b, svg').length")) == 0
    qtbot.waitUntil(lambda: js(qtbot, view, "companionMapStatus.tagsLoaded") is True)
    tags = js(
        qtbot,
        view,
        card(
            seq_of(store, hostile[HOSTILE_NAMES[0]]), "querySelector('.companion-tag').textContent"
        ),
    )
    assert tags == '<svg onload="window.__pwned=1">'
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    dispose(qtbot, page)


def test_the_popup_card_shows_no_personal_data(qtbot, map_page, store, actors) -> None:
    view = map_page.view
    # The tags come just after the actors are drawn (an open card shows them then).
    qtbot.waitUntil(lambda: js(qtbot, view, "companionMapStatus.tagsLoaded") is True)
    text = js(qtbot, view, card(seq_of(store, actors["ecole"]), "textContent"))
    assert "École des Jardins" in text and "Lyon (69)" in text and "alimentation" in text
    assert "Association" in text
    assert "alice@ecole.example" not in text and "0639980001" not in text
    assert "Privé" not in text
    private = js(
        qtbot,
        view,
        card(
            seq_of(store, actors["fondation"]),
            "querySelector('.companion-card-private').textContent",
        ),
    )
    assert private == "Privé"


def test_the_popup_button_opens_the_actor_in_the_directory(qtbot, network) -> None:
    from companion.ui.shell.main_window import DIRECTORY, MAP, MainWindow

    store = network.store
    target = located(store, "Atelier Vélo Solidaire", "association", 45.7, 4.8)
    window = MainWindow(store)
    window.show()
    assert window.map_page is None  # no web engine until the map is asked for
    window.show_section(MAP)
    assert window.map_page is not None and window.pages.currentWidget() is window.map_page
    view = window.map_page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    js(qtbot, view, card(seq_of(store, target), "querySelector('.companion-card-open').click()"))
    qtbot.waitUntil(lambda: window.current_section() == DIRECTORY)
    assert window.directory.card.actor_id == target
    assert window.directory.search_box.text() == "Atelier Vélo Solidaire"
    dispose(qtbot, window)


def test_a_filter_reports_its_painted_frame_and_keeps_unchanged_lines(qtbot, map_page) -> None:
    view = map_page.view
    seq = view.apply_filter(
        MapFilter(kinds=frozenset({"association", "fondation"}), relations="all")
    )
    # The frame of this very state (an earlier state's report may still be on its way).
    qtbot.waitUntil(lambda: (view.last_painted or {}).get("seq") == seq, timeout=DRAW_TIMEOUT_MS)
    # Lines follow the markers within the same state (a frame later on a busy machine).
    qtbot.waitUntil(lambda: status(qtbot, view)["visibleRelations"] == 1, timeout=10_000)
    # Same lines: a state that keeps them leaves the relation canvas alone.
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        view.apply_filter(
            MapFilter(kinds=frozenset({"association", "fondation", "catalyseur"}), relations="all")
        )
    assert status(qtbot, view)["visibleRelations"] == 1 and status(qtbot, view)["visible"] == 3
    # A reload replaces the markers instead of adding a second set.
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        view.reload_data()
    assert blocker.args[0]["visible"] == 3
    canvases = "companionMap.map().getPanes().actors.querySelectorAll('canvas').length"
    assert js(qtbot, view, canvases) == 1  # one canvas for every actor, reused
    catalysts = "var n = 0; companionMap.map().eachLayer(function (l) { n += l.feature"
    catalysts += " && l.feature.properties.kind === 'catalyseur' ? 1 : 0; }); n"
    assert js(qtbot, view, catalysts) == 1


def test_markers_and_legend_carry_their_kind_glyph(qtbot, map_page) -> None:
    from companion.maps.glyphs import kind_glyphs

    view = map_page.view
    qtbot.waitUntil(lambda: status(qtbot, view).get("glyphs") is True, timeout=20_000)
    assert js(qtbot, view, "document.fonts.check('10px CompanionGlyphs')") is True
    swatches = json.loads(
        js(
            qtbot,
            view,
            "JSON.stringify(Array.from(document.querySelectorAll('.companion-swatch-glyph'))"
            ".map(s => [s.dataset.kind, s.textContent]))",
        )
    )
    assert dict(swatches) == kind_glyphs() and len(swatches) == 9
    # Zoomed on the Lyon school (an association, blue): white glyph pixels inside it.
    js(qtbot, view, "companionMap.map().setView([45.764, 4.836], 14, {animate: false}); 1")

    def white_inside_blue() -> bool:
        image = view.grab().toImage()
        centre = image.rect().center()
        pixels = [
            image.pixelColor(centre.x() + dx, centre.y() + dy)
            for dx in range(-4, 5)  # inside the marker's white outline (radius 8)
            for dy in range(-4, 5)
        ]
        white = sum(1 for p in pixels if min(p.red(), p.green(), p.blue()) >= 250)
        blue = sum(1 for p in pixels if p.blue() - p.red() > 60)
        return white >= 3 and blue >= 5

    qtbot.waitUntil(white_inside_blue, timeout=20_000)
