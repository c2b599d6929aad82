"""The page filters the actors itself (kinds, tags, places, visibility: filters.page_match)
and the store finds the text: together they keep exactly what the store's own query keeps
(``visible_actor_keys``, used by exports and stories)."""

from __future__ import annotations

import json
import random

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from companion.maps.filters import MapFilter, visible_actor_keys
from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, drawn_map_page, js, located

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

KINDS = ("association", "entreprise", "collectivite", "fondation", "catalyseur", "autre")
PLACES = (("69", 45.76, 4.84), ("21", 47.32, 5.04), ("75", 48.86, 2.35), ("33", 44.84, -0.58))
TAGS = ("alimentation", "éducation", "Mobilité", "numérique")

FILTERS = [
    MapFilter(),
    MapFilter(kinds=frozenset({"association", "fondation"})),
    MapFilter(kinds=frozenset()),
    MapFilter(tags=frozenset({"éducation", "Mobilité"})),
    MapFilter(tags=frozenset({"inconnue"})),
    MapFilter(region="84"),  # Auvergne-Rhône-Alpes: the 69
    MapFilter(departement="33"),
    MapFilter(visibility="private"),
    MapFilter(visibility="network"),
    MapFilter(text="atelier"),
    MapFilter(text="atelier", kinds=frozenset({"entreprise"}), region="27"),
    MapFilter(tags=frozenset({"alimentation"}), visibility="network", departement="75"),
]


@pytest.fixture
def varied(store: Store) -> Store:
    """Actors of every kind, place, visibility and a few tags; some without a place."""
    rng = random.Random(15)
    for n in range(240):
        code, lat, lon = rng.choice(PLACES)
        name = f"{rng.choice(('Atelier', 'Maison', 'Collectif'))} {n}"
        fields = {"departement": code, "visibility": rng.choice(("network", "private"))}
        if n % 17 == 0:
            actor_id = store.add_actor(name, rng.choice(KINDS), **fields).id  # no place
        else:
            actor_id = located(store, name, rng.choice(KINDS), lat + rng.uniform(-0.2, 0.2),
                               lon + rng.uniform(-0.2, 0.2), **fields)  # fmt: skip
        for tag in rng.sample(TAGS, rng.randint(0, 2)):
            store.tag_actor(actor_id, tag)
    return store


def test_the_page_keeps_what_the_store_keeps(qtbot, varied: Store) -> None:
    page = drawn_map_page(qtbot, varied, (900, 600))
    view = page.view
    every = [
        row[0]
        for row in varied.conn.execute(
            "SELECT seq FROM actors WHERE deleted = 0 AND latitude IS NOT NULL ORDER BY seq"
        )
    ]
    shown = "JSON.stringify(companionMap.shownFeatures().map(function (f) { return f.id; }))"
    for spec in FILTERS:
        seq = view.apply_filter(spec)
        qtbot.waitUntil(lambda seq=seq: view.last_applied.get("seq") == seq, timeout=10_000)
        expected = visible_actor_keys(varied.conn, spec)
        expected = every if expected is None else expected
        assert sorted(json.loads(js(qtbot, view, shown))) == expected, spec
        assert view.last_applied["visible"] == len(expected)
    assert 0 < len(visible_actor_keys(varied.conn, FILTERS[-1])) < len(every) // 4
    dispose(qtbot, page)
