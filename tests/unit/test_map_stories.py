"""Stories (« récits »): steps as JSON, CRUD, their place beside the views, what the page
gets for a step, the field schema they travel under, and the migration that adds them."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sync_helpers import fields_of, pushed

from companion.maps.filters import MapFilter
from companion.maps.stories import (
    StoryStep,
    add_step,
    clean_step,
    create_story,
    delete_story,
    get_story,
    list_stories,
    move_step,
    remove_step,
    rename_story,
    share_story,
    step_counter,
    step_highlight,
    steps_from_json,
    steps_to_json,
    update_step,
)
from companion.maps.views import list_views, move_view, save_view
from companion.protocol import fields
from companion.protocol.messages import SYNCED_FIELDS
from companion.store import Store
from companion.store.connection import open_database
from companion.store.migrations import MIGRATIONS, applied_migrations
from companion.store.store import InvalidRecord
from companion.store.upgrade import migrate

LYON = (45.70, 4.77, 45.81, 4.90)
DIJON = (46.9, 4.3, 47.7, 5.8)
FULL_STEP = StoryStep(
    title="Les jardins « partagés »",
    text="Première ligne\nDeuxième ligne : 3 alliances",
    filter=MapFilter(kinds=frozenset({"association"}), departement="69", relations="all"),
    bounds=LYON,
    actors=("a-1", "a-2"),
)


@pytest.mark.parametrize("steps", [(), (StoryStep(),), (FULL_STEP, StoryStep(title="Fin"))])
def test_steps_json_round_trip(steps) -> None:
    text = steps_to_json(steps)
    assert steps_from_json(text) == steps
    assert fields.valid("map_views", "steps", text)  # what the app writes travels


def test_a_step_from_a_newer_version_still_reads() -> None:
    text = json.dumps(
        [
            {"title": "Ok", "future": {"x": 1}},  # an unknown key, the others missing
            {"title": 3, "text": None, "filter": [], "bounds": [1, 2], "actors": "a"},
            "not a step",
        ]
    )
    assert steps_from_json(text) == (StoryStep(title="Ok"), StoryStep())
    with pytest.raises(ValueError, match="Récit illisible"):
        steps_from_json('{"title": "x"}')


def test_stories_are_listed_apart_from_views(store: Store) -> None:
    view = save_view(store, "Lyon", "", MapFilter(), LYON)
    story = create_story(store, "Notre territoire")
    second = create_story(store, "Lyon")  # a story may share a view's name
    assert [v.id for v in list_views(store)] == [view.id]
    assert [s.id for s in list_stories(store)] == [story.id, second.id]
    assert story.steps == () and not story.shared
    other = save_view(store, "Dijon", "", MapFilter(), DIJON)
    move_view(store, other.id, 0)  # views are numbered among themselves
    assert [v.name for v in list_views(store)] == ["Dijon", "Lyon"]
    assert [s.name for s in list_stories(store)] == ["Notre territoire", "Lyon"]
    with pytest.raises(InvalidRecord, match="déjà"):
        create_story(store, "notre  TERRITOIRE")
    with pytest.raises(InvalidRecord, match="obligatoire"):
        create_story(store, "  ")
    assert rename_story(store, second.id, "Lyon, ses quartiers").name == "Lyon, ses quartiers"
    delete_story(store, story.id)
    assert [s.name for s in list_stories(store)] == ["Lyon, ses quartiers"]
    assert get_story(store, story.id) is None
    row = store.conn.execute(
        "SELECT visibility, deleted, steps FROM map_views WHERE id = ?", (story.id,)
    ).fetchone()
    assert row == ("private", 1, "[]")


def test_steps_are_added_edited_moved_and_removed(store: Store) -> None:
    story = create_story(store, "Atelier")
    for title in ("Un", "Deux", "Trois"):
        story = add_step(store, story.id, StoryStep(title=title, bounds=LYON))
    assert [s.title for s in story.steps] == ["Un", "Deux", "Trois"]
    story = add_step(store, story.id, StoryStep(title="Zéro"), index=0)
    story = move_step(store, story.id, 0, 3)
    story = update_step(store, story.id, 1, FULL_STEP)
    assert [s.title for s in story.steps] == ["Un", FULL_STEP.title, "Trois", "Zéro"]
    assert get_story(store, story.id).steps[1] == FULL_STEP
    story = remove_step(store, story.id, 0)
    assert [s.title for s in story.steps] == [FULL_STEP.title, "Trois", "Zéro"]
    with pytest.raises(InvalidRecord, match="Étape introuvable"):
        remove_step(store, story.id, 3)


def test_a_step_is_cleaned_and_kept_within_what_the_hub_takes() -> None:
    typed = StoryStep(title="  Un   titre \n", text="Ligne  \n\nSuite  \n", actors=("a", "a"))
    step = clean_step(typed)
    assert (step.title, step.text, step.actors) == ("Un titre", "Ligne\n\nSuite", ("a",))
    with pytest.raises(InvalidRecord, match="titre"):
        clean_step(StoryStep(title="x" * (fields.STEP_TITLE_CHARS + 1)))
    with pytest.raises(InvalidRecord, match="texte"):
        clean_step(StoryStep(text="x" * (fields.STEP_TEXT_CHARS + 1)))
    with pytest.raises(InvalidRecord, match="acteurs"):
        clean_step(StoryStep(actors=tuple(f"a{n}" for n in range(fields.MAX_STEP_ACTORS + 1))))
    with pytest.raises(InvalidRecord, match="emprise"):
        clean_step(StoryStep(bounds=(50.0, 0.0, 40.0, 1.0)))
    # The largest story the app writes still travels.
    longest = StoryStep(
        title="t" * fields.STEP_TITLE_CHARS,
        text="é" * fields.STEP_TEXT_CHARS,
        filter=MapFilter(kinds=frozenset({"association", "fondation"}), text="x" * 200),
        bounds=(-90.0, -180.0, 90.0, 180.0),
        actors=tuple(f"{n:08d}-0000-4000-8000-000000000000" for n in range(fields.MAX_STEP_ACTORS)),
    )
    assert fields.valid("map_views", "steps", steps_to_json([longest] * fields.MAX_STEPS))


@pytest.mark.parametrize(
    "value",
    [
        "{}",
        '[{"title": 1}]',
        '[{"text": ' + json.dumps("x" * (fields.STEP_TEXT_CHARS + 1)) + "}]",
        '[{"filter": []}]',
        '[{"bounds": [1, 2, 3]}]',
        '[{"bounds": [91, 0, 0, 0]}]',
        '[{"bounds": [true, 0, 0, 0]}]',
        '[{"actors": "a"}]',
        '[{"actors": [1]}]',
        '[{"bounds": [NaN, 0, 0, 0]}]',
        "[" + ",".join(["{}"] * (fields.MAX_STEPS + 1)) + "]",
        "[" * 50_000,
        5,
    ],
)
def test_the_field_schema_refuses_what_is_no_story(value) -> None:
    assert not fields.valid("map_views", "steps", value)
    assert "étapes de récit" in fields.value_problem("map_views", "steps", value)


def test_a_shared_story_goes_with_its_steps(store: Store) -> None:
    story = create_story(store, "Atelier")  # private: nothing queued
    story = add_step(store, story.id, FULL_STEP)
    assert fields_of(store, "map_views", story.id) == set()
    share_story(store, story.id, True)
    assert fields_of(store, "map_views", story.id) == set(SYNCED_FIELDS["map_views"])
    pushed(store)
    update_step(store, story.id, 0, StoryStep(title="Autre"))
    assert fields_of(store, "map_views", story.id) == {"steps"}


def test_what_the_page_gets_for_a_step(store: Store) -> None:
    lyon = store.add_actor("École", "association", latitude=45.76, longitude=4.83, departement="69")
    dijon = store.add_actor("Fabrique", "collectif", latitude=47.32, longitude=5.04)
    paris = store.add_actor("Fondation", "fondation", latitude=48.85, longitude=2.35)
    nowhere = store.add_actor("Sans lieu", "association")
    store.add_relation(lyon.id, dijon.id, "partenariat")
    store.add_relation(paris.id, lyon.id, "financement")
    store.add_relation(dijon.id, paris.id, "partenariat")  # no highlighted end
    seq = {
        a.id: store.conn.execute("SELECT seq FROM actors WHERE id = ?", (a.id,)).fetchone()[0]
        for a in (lyon, dijon, paris)
    }
    step = StoryStep(actors=(lyon.id, nowhere.id, "inconnu"))
    found = step_highlight(store.conn, step)
    assert found["actors"] == [seq[lyon.id]]
    assert sorted(found["links"]) == sorted(
        [[seq[lyon.id], seq[dijon.id], "partenariat"], [seq[paris.id], seq[lyon.id], "financement"]]
    )
    # The filter keeps what it hides out: the fondation, and the financement's type.
    only = MapFilter(kinds=frozenset({"association", "collectif"}))
    assert step_highlight(store.conn, StoryStep(filter=only, actors=(lyon.id,)))["links"] == [
        [seq[lyon.id], seq[dijon.id], "partenariat"]
    ]
    typed = MapFilter(relation_types=frozenset({"financement"}))
    assert step_highlight(store.conn, StoryStep(filter=typed, actors=(lyon.id,)))["links"] == [
        [seq[paris.id], seq[lyon.id], "financement"]
    ]
    hidden = MapFilter(kinds=frozenset({"collectif"}))
    assert step_highlight(store.conn, StoryStep(filter=hidden, actors=(lyon.id,))) == {
        "actors": [],
        "links": [],
    }
    assert step_counter(1, 5) == "2 / 5"


def test_upgrade_from_0012_keeps_views_and_adds_stories(tmp_path) -> None:
    path = tmp_path / "companion.db"
    db = open_database(path)
    before = [m for m in MIGRATIONS if m.name != "0013_map_stories"]
    migrate(db, path, migrations=before)
    db.execute(
        "INSERT INTO map_views (id, name, filter, owner, created_at, updated_at) "
        "VALUES ('v1', 'Lyon', '{}', 'me', '2025-01-01', '2025-01-01')"
    )
    db.commit()
    db.close()

    store = Store.open(path)
    try:
        assert "0013_map_stories" in applied_migrations(store.conn)
        assert [v.name for v in list_views(store)] == ["Lyon"]
        story = create_story(store, "Atelier")
        assert list_stories(store) == [story]
        with pytest.raises(sqlite3.IntegrityError):
            with store.db.atomic():
                store.db.execute("UPDATE map_views SET steps = '[' WHERE id = ?", (story.id,))
    finally:
        store.close()
    backups = list((tmp_path / "sauvegardes").iterdir())
    assert any("avant-0013_map_stories" in backup.name for backup in backups)


def test_stories_are_qt_free() -> None:
    import subprocess
    import sys

    code = (
        "import sys, companion.maps.stories\n"
        "print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
