"""The bubbles (clusters.js) at the scale of the country: never over each other, in the
window and in presentation (larger bubbles, farther apart), and they count every actor."""

from __future__ import annotations

import json
import random

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, drawn_map_page, js

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

SINGLES = "companionMapStatus.singles"  # actors drawn on their own
ACTORS = 3000

BUBBLES = """JSON.stringify(Array.from(document.querySelectorAll('.marker-cluster div'))
  .map(function (node) { var b = node.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom, Number(node.textContent)]; }))"""


@pytest.fixture
def crowded(store: Store) -> Store:
    """Actors all over metropolitan France, denser around a few cities."""
    rng = random.Random(3)
    cities = [(48.86, 2.35), (45.76, 4.84), (43.3, 5.37), (47.22, -1.55), (50.63, 3.06)]
    now = now_iso()
    rows = []
    for number in range(ACTORS):
        if number % 5:
            lat, lon = rng.uniform(43.5, 50.5), rng.uniform(-1.0, 7.0)
        else:
            city = rng.choice(cities)
            lat, lon = city[0] + rng.gauss(0, 0.3), city[1] + rng.gauss(0, 0.3)
        name = f"Acteur {number:05d}"
        rows.append({"id": new_id(), "name": name, "sort_name": fold(name),
                     "kind": "association", "owner": "test", "visibility": "network",
                     "created_at": now, "updated_at": now, "deleted": 0,
                     "latitude": lat, "longitude": lon})  # fmt: skip
    store.bulk_insert("actors", rows)
    return store


def overlapping(boxes: list[list[float]]) -> list[tuple]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1:
                found.append((a, b))
    return found


def test_bubbles_never_overlap_and_count_everyone(qtbot, crowded: Store) -> None:
    page = drawn_map_page(qtbot, crowded, (1920, 1080))  # a projector's
    view = page.view
    for presenting in (False, True):
        view.set_presentation(presenting)
        qtbot.waitUntil(lambda p=presenting: js(qtbot, view, "companionMap.isPresenting()") is p)
        view.fit_bounds((43.5, -1.0, 50.5, 7.0))  # all of them, at the scale of the country

        def settled() -> bool:
            boxes = json.loads(js(qtbot, view, BUBBLES))
            return sum(box[4] for box in boxes) + js(qtbot, view, SINGLES) == ACTORS

        qtbot.waitUntil(settled, timeout=10_000)
        boxes = json.loads(js(qtbot, view, BUBBLES))
        assert len(boxes) > 10  # bubbles, not one blob
        assert overlapping(boxes) == [], presenting
    dispose(qtbot, page)


def test_a_handout_clusters_nothing(qtbot, crowded: Store) -> None:
    """On paper (a story's handout: ``config.clusterRadius`` 0) only actors on one pixel
    meet: no bubble to open; on screen, the same two actors a few pixels apart do."""
    from companion.ui.map.story_handout import with_story

    page = drawn_map_page(qtbot, crowded)
    view = page.view
    two = (
        "(function (radius) { var c = CompanionClusters;"
        " var points = { x: new Float64Array([0.5, 0.5 + 3 / 65536, 0.5]),"
        " y: new Float64Array([0.5, 0.5, 0.5]), lat: [0, 0, 0], lng: [0, 0, 0] };"
        " return c.clusterPoints(points, [0, 1, 2], 65536, radius, null).count.join(','); })"
    )
    assert js(qtbot, view, f"{two}(50)") == "3"  # on screen: one bubble of three
    assert js(qtbot, view, f"{two}(0)") == "2,1"  # on paper: the two on one pixel only
    block = '<script type="application/json" id="companion-map-config">{}</script>'
    handout = with_story(f"<head></head>{block}", {"title": "t"})
    config = handout.split('id="companion-map-config">', 1)[1].split("</script>", 1)[0]
    assert json.loads(config)["clusterRadius"] == 0
    dispose(qtbot, page)
