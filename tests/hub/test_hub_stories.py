"""A story (« récit ») travels with the saved views, through the real hub (issue #15, item 5).

On SQLite and PostgreSQL (``hub_store``): laptops sync as the app does. A shared story
reaches another member with its steps (titles, texts, filters, extents, highlighted
actors), its edits and its deletion follow; a private one never leaves its laptop; the
hub stores the steps as the laptop wrote them.
"""

from __future__ import annotations

import json

import pytest
from loopback import serving
from sync_helpers import hub_fields, transport

from companion.hub.app import create_app
from companion.maps.filters import MapFilter
from companion.maps.stories import (
    StoryStep,
    add_step,
    create_story,
    delete_story,
    get_story,
    list_stories,
    move_step,
    share_story,
    step_highlight,
    update_step,
)
from companion.maps.views import list_views, save_view
from companion.store import Store
from companion.sync.client import SyncClient, rejected

LYON = (45.70, 4.77, 45.81, 4.90)
DIJON = (46.9, 4.3, 47.7, 5.8)


@pytest.fixture
def laptops(hub_store, tmp_path):
    """Alice's and Bob's laptops, syncing with a real hub over HTTP."""
    _alice, alice_token = hub_store.add_member("Alice", "member")
    _bob, bob_token = hub_store.add_member("Bob", "member")
    alice, bob = Store.open(tmp_path / "alice.db"), Store.open(tmp_path / "bob.db")
    with serving(create_app(hub_store)) as url:

        def sync(store: Store) -> None:
            token = alice_token if store is alice else bob_token
            report = SyncClient(store, url, token, transport=transport()).sync()
            assert report.rejected == 0, rejected(store)

        yield alice, bob, sync
    alice.close()
    bob.close()


def test_a_shared_story_round_trips_with_its_steps(hub_store, laptops) -> None:
    alice, bob, sync = laptops
    ecole = alice.add_actor("École des Jardins", "association", latitude=45.76, longitude=4.83)
    fabrique = alice.add_actor("La Fabrique", "collectif", latitude=47.32, longitude=5.04)
    alice.add_relation(ecole.id, fabrique.id, "partenariat")
    view = save_view(alice, "Lyon", "Les Lyonnais", MapFilter(), LYON)
    alice.update_record("map_views", view.id, visibility="network")
    secret = create_story(alice, "Brouillon")  # private: stays on Alice's laptop
    add_step(alice, secret.id, StoryStep(title="Pas encore prêt"))
    story = create_story(alice, "Notre territoire")
    steps = [
        StoryStep(
            title="Les jardins",
            text="Trois écoles\nune fabrique",
            filter=MapFilter(kinds=frozenset({"association", "collectif"}), relations="all"),
            bounds=LYON,
            actors=(ecole.id,),
        ),
        StoryStep(title="Vers Dijon", text="", filter=MapFilter(), bounds=DIJON),
    ]
    for step in steps:
        add_step(alice, story.id, step)
    share_story(alice, story.id, True)
    sync(alice)
    sync(bob)

    [received] = list_stories(bob)
    assert received == get_story(alice, story.id)
    assert received.name == "Notre territoire" and received.shared
    assert received.steps == tuple(steps)
    assert [v.name for v in list_views(bob)] == ["Lyon"]  # the view beside it, not mixed
    # The highlighted actor travelled by its id: Bob's map finds it and its link.
    highlight = step_highlight(bob.conn, received.steps[0])
    assert len(highlight["actors"]) == 1 and [link[2] for link in highlight["links"]] == [
        "partenariat"
    ]
    stored = hub_fields(hub_store, story.id)
    assert json.loads(stored["steps"])[0]["title"] == "Les jardins"
    assert hub_fields(hub_store, secret.id) == {}

    # Alice edits a step's text and reorders: Bob gets both.
    update_step(alice, story.id, 1, StoryStep(title="Vers Dijon", text="Un pont", bounds=DIJON))
    move_step(alice, story.id, 1, 0)
    sync(alice)
    sync(bob)
    assert [(s.title, s.text) for s in get_story(bob, story.id).steps] == [
        ("Vers Dijon", "Un pont"),
        ("Les jardins", "Trois écoles\nune fabrique"),
    ]

    # Deleted on Alice's laptop: gone from Bob's list too.
    delete_story(alice, story.id)
    sync(alice)
    sync(bob)
    assert list_stories(bob) == []
    assert [v.name for v in list_views(bob)] == ["Lyon"]
