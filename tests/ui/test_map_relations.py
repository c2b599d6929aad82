"""Which relations the map draws (issue #15, item 2): around the chosen actor by default,
inside a filtered territory, all or as flows between départements on request, never
across the ocean; the lines explained in the map's legend.

The actor is chosen as a user does, with a real click on its marker; what is checked is
what the page drew (its counts of lines, its legend) and what the count line says.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from companion.maps.filters import MapFilter
from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, drawn_map_page, js, located, status
from .test_map_clicks import click, close_card, marker_point, settled_point, show

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    ids = {
        "lyon": located(store, "École des Jardins", "association", 45.764, 4.836,
                        departement="69"),
        "dijon": located(store, "La Fabrique", "collectif", 47.322, 5.041, departement="21"),
        "paris": located(store, "Fondation Terres", "fondation", 48.857, 2.352,
                         departement="75"),
        "brest": located(store, "Pôle de catalyse", "catalyseur", 48.390, -4.486,
                         departement="29"),
        "grenoble": located(store, "Scop Alpine", "entreprise", 45.188, 5.724, departement="38"),
        "reunion": located(store, "Ti Kaz", "association", -21.115, 55.536, departement="974"),
    }  # fmt: skip
    store.add_relation(ids["paris"], ids["lyon"], "financement")
    store.add_relation(ids["lyon"], ids["dijon"], "partenariat")
    store.add_relation(ids["brest"], ids["lyon"], "accompagnement")
    store.add_relation(ids["lyon"], ids["grenoble"], "co-construction")
    store.add_relation(ids["lyon"], ids["reunion"], "partenariat")  # across the ocean
    return ids


@pytest.fixture
def page(qtbot, store: Store, actors) -> Iterator:
    page = drawn_map_page(qtbot, store)
    yield page
    dispose(qtbot, page)


def lines(qtbot, view) -> int:
    return status(qtbot, view)["visibleRelations"]


def legend(qtbot, view) -> str:
    return js(qtbot, view, "document.querySelector('.companion-legend-lines').textContent")


def apply(qtbot, view, spec: MapFilter) -> None:
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        view.apply_filter(spec)


def test_a_national_view_draws_the_chosen_actors_relations_only(qtbot, store, actors, page) -> None:
    view = page.view
    assert lines(qtbot, view) == 0  # nothing chosen: no haze of lines
    assert legend(qtbot, view) == ""
    show(qtbot, view, (45.764, 4.836), 7)
    click(view, marker_point(qtbot, view, store, actors["lyon"]))
    # Its four relations in metropolitan France; the one to La Réunion is not a line
    # across the ocean, and the legend says so.
    qtbot.waitUntil(lambda: lines(qtbot, view) == 3 + 1, timeout=10_000)
    text = legend(qtbot, view)
    for kind in ("Relations", "Financement", "Partenariat", "Accompagnement", "Co-construction"):
        assert kind in text
    assert "1 relation avec l'outre-mer n'est pas tracée" in text
    qtbot.waitUntil(lambda: page.count_label.text().endswith(
        "4 relations (1 avec l'outre-mer, non tracée)"))  # fmt: skip
    close_card(qtbot, view)
    qtbot.waitUntil(lambda: lines(qtbot, view) == 0, timeout=10_000)
    assert legend(qtbot, view) == ""


def test_second_degree_links_on_demand(qtbot, store, actors, page) -> None:
    view = page.view
    show(qtbot, view, (47.322, 5.041), 8)
    click(view, marker_point(qtbot, view, store, actors["dijon"]))
    qtbot.waitUntil(lambda: lines(qtbot, view) == 1, timeout=10_000)  # Dijon – Lyon
    button = (
        "(function () { var b = document.querySelector('.companion-card-degree')"
        ".getBoundingClientRect();"
        " return [Math.round(b.left + b.width / 2), Math.round(b.top + b.height / 2)]; })()"
    )
    click(view, settled_point(qtbot, view, button))
    # And Lyon's: Paris, Brest, Grenoble (La Réunion still not drawn across the ocean).
    qtbot.waitUntil(lambda: lines(qtbot, view) == 4, timeout=10_000)
    text = "document.querySelector('.companion-card-degree').textContent"
    assert js(qtbot, view, text) == "Liens directs seulement"


def test_a_filtered_territory_draws_its_relations(qtbot, actors, page) -> None:
    view = page.view
    apply(qtbot, view, MapFilter(region="84"))  # Auvergne-Rhône-Alpes: Lyon and Grenoble
    qtbot.waitUntil(lambda: lines(qtbot, view) == 1, timeout=10_000)
    assert "Co-construction" in legend(qtbot, view)


def test_every_relation_or_flows_between_departements_on_request(qtbot, actors, page) -> None:
    view = page.view
    apply(qtbot, view, MapFilter(relations="all"))
    qtbot.waitUntil(lambda: lines(qtbot, view) == 4, timeout=10_000)
    apply(qtbot, view, MapFilter(relations="flows"))
    # One line per pair of départements: 75–69, 69–21, 29–69, 69–38.
    qtbot.waitUntil(lambda: status(qtbot, view).get("flows") == 4, timeout=10_000)
    assert "Entre départements" in legend(qtbot, view)
    qtbot.waitUntil(
        lambda: page.count_label.text().endswith(
            "4 relations en 4 flux entre départements (1 avec l'outre-mer, non tracée)"
        )
    )
    apply(qtbot, view, MapFilter(relations="none"))
    qtbot.waitUntil(lambda: status(qtbot, view).get("flows") == 0, timeout=10_000)
    assert lines(qtbot, view) == 0


def test_the_panel_offers_the_four_ways(qtbot, page) -> None:
    combo = page.panel.relations
    assert [combo.itemText(n) for n in range(combo.count())] == [
        "Autour de l'acteur choisi", "Toutes", "Flux entre départements", "Aucune",
    ]  # fmt: skip
    with qtbot.waitSignal(page.view.applied, timeout=DRAW_TIMEOUT_MS):
        combo.setCurrentIndex(1)
    assert page.view.filter.relations == "all"


def test_lines_are_hairlines_far_out_and_wider_up_close(qtbot, actors, page) -> None:
    view = page.view
    apply(qtbot, view, MapFilter(relations="all"))
    qtbot.waitUntil(lambda: lines(qtbot, view) == 4, timeout=10_000)
    for zoom, weight in ((10, 1.5), (6, 1), (9, 1.5)):
        js(qtbot, view, f"companionMap.map().setView([46.5, 3.5], {zoom}, {{animate: false}}); 1")
        qtbot.waitUntil(lambda w=weight: status(qtbot, view).get("relationWeight") == w)
    assert status(qtbot, view)["errors"] == []
