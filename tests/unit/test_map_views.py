"""Saved map views: CRUD, order, JSON of the filter, and the migration that adds them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from companion.maps.filters import MapFilter
from companion.maps.views import (
    MapView,
    delete_view,
    filter_from_json,
    filter_to_json,
    find_view,
    get_view,
    list_views,
    move_view,
    rename_view,
    save_view,
)
from companion.store import Store
from companion.store.connection import open_database
from companion.store.migrations import MIGRATIONS, applied_migrations
from companion.store.store import InvalidRecord
from companion.store.upgrade import migrate

LYON = (45.70, 4.77, 45.81, 4.90)
FULL = MapFilter(
    kinds=frozenset({"association", "catalyseur"}),
    tags=frozenset({"alimentation", "éducation"}),
    region="84",
    departement="69",
    visibility="network",
    text="jardins « partagés »",
    relation_types=frozenset(),
    relations="none",
)


@pytest.mark.parametrize("spec", [MapFilter(), FULL, MapFilter(kinds=frozenset())])
def test_filter_json_round_trip(spec: MapFilter) -> None:
    text = filter_to_json(spec)
    assert filter_from_json(text) == spec
    assert filter_to_json(filter_from_json(text)) == text  # stable: sorted lists and keys


def test_a_view_saved_before_relation_modes_keeps_its_meaning() -> None:
    assert filter_from_json('{"show_relations": false}').relations == "none"
    assert filter_from_json('{"show_relations": true}').relations == "auto"
    written = json.loads(filter_to_json(MapFilter(relations="flows")))
    assert written["relations"] == "flows" and written["show_relations"] is True  # older readers


def test_missing_keys_take_defaults() -> None:
    assert filter_from_json("{}") == MapFilter()
    assert filter_from_json('{"kinds": ["fondation"]}') == MapFilter(kinds=frozenset({"fondation"}))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        "[1, 2]",
        '{"kinds": "association"}',
        '{"kinds": [1]}',
        '{"text": 3}',
        '{"show_relations": "yes"}',
        '{"relations": "partout"}',
    ],
)
def test_bad_filter_json_is_refused_in_french(text: str) -> None:
    with pytest.raises(ValueError, match="Filtre de carte illisible"):
        filter_from_json(text)


def test_save_list_find_and_update(store: Store) -> None:
    first = save_view(store, "  Lyon  ", "Les acteurs lyonnais", FULL, LYON)
    assert isinstance(first, MapView)
    assert first.name == "Lyon" and first.title == "Les acteurs lyonnais"
    assert first.filter == FULL and first.bounds == LYON and first.position == 0
    second = save_view(store, "France", "", MapFilter(), None)
    assert second.title == "France" and second.bounds is None and second.position == 1
    assert [v.name for v in list_views(store)] == ["Lyon", "France"]

    assert find_view(store, "Lyon") == first
    assert find_view(store, "lyon ") == first  # case and spaces ignored
    assert find_view(store, "Paris") is None

    changed = save_view(store, "Lyon", "Lyon et sa métropole", MapFilter(), None, view_id=first.id)
    assert changed.id == first.id and changed.position == 0
    assert changed.title == "Lyon et sa métropole" and changed.bounds is None
    assert get_view(store, first.id) == changed
    renamed = rename_view(store, first.id, "Métropole", "Grand Lyon")
    assert (renamed.name, renamed.title, renamed.filter) == ("Métropole", "Grand Lyon", MapFilter())
    row = store.conn.execute(
        "SELECT owner, visibility, deleted FROM map_views WHERE id = ?", (first.id,)
    ).fetchone()
    assert row == (store.member_id, "private", 0)


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_is_refused(store: Store, name: str) -> None:
    with pytest.raises(InvalidRecord, match="nom de la vue est obligatoire"):
        save_view(store, name, "Titre", MapFilter(), None)
    assert list_views(store) == []


def test_duplicate_name_is_refused_among_live_views(store: Store) -> None:
    view = save_view(store, "Atelier Drôme", "", MapFilter(), None)
    for duplicate in ("Atelier Drôme", "atelier drome", " ATELIER  DRÔME "):
        with pytest.raises(InvalidRecord, match="déjà"):
            save_view(store, duplicate, "", MapFilter(), None)
    other = save_view(store, "Autre", "", MapFilter(), None)
    with pytest.raises(InvalidRecord, match="déjà"):
        save_view(store, "Atelier Drôme", "", MapFilter(), None, view_id=other.id)
    # Saving a view under its own name is fine; a deleted view frees its name.
    save_view(store, "Atelier Drôme", "Nouveau titre", MapFilter(), None, view_id=view.id)
    delete_view(store, view.id)
    again = save_view(store, "Atelier Drôme", "", MapFilter(), None)
    assert again.id != view.id


def test_bad_bounds_and_unknown_ids_are_refused(store: Store) -> None:
    for bounds in [(46.0, 4.0, 45.0, 5.0), (91.0, 0.0, 92.0, 1.0), (1.0, 2.0, 3.0), ("a", 1, 2, 3)]:
        with pytest.raises(InvalidRecord, match="emprise"):
            save_view(store, "V", "", MapFilter(), bounds)
    with pytest.raises(InvalidRecord, match="introuvable"):
        save_view(store, "V", "", MapFilter(), None, view_id="nope")
    with pytest.raises(InvalidRecord, match="introuvable"):
        move_view(store, "nope", 0)


def test_delete_is_a_tombstone(store: Store) -> None:
    view = save_view(store, "À supprimer", "", MapFilter(), LYON)
    delete_view(store, view.id)
    assert list_views(store) == [] and find_view(store, "À supprimer") is None
    assert get_view(store, view.id) is None
    deleted = store.conn.execute("SELECT deleted FROM map_views WHERE id = ?", (view.id,))
    assert deleted.fetchone() == (1,)


def test_move_reorders_and_renumbers(store: Store) -> None:
    ids = {name: save_view(store, name, "", MapFilter(), None).id for name in "ABCD"}
    move_view(store, ids["D"], 0)
    assert [v.name for v in list_views(store)] == ["D", "A", "B", "C"]
    move_view(store, ids["D"], 99)  # clamped to the end
    assert [v.name for v in list_views(store)] == ["A", "B", "C", "D"]
    move_view(store, ids["A"], 2)
    views = list_views(store)
    assert [v.name for v in views] == ["B", "C", "A", "D"]
    assert [v.position for v in views] == [0, 1, 2, 3]
    delete_view(store, ids["C"])
    assert save_view(store, "E", "", MapFilter(), None).position == 4  # after the last


def test_a_damaged_filter_row_still_lists(store: Store) -> None:
    view = save_view(store, "Abîmée", "", FULL, None)
    with store.db.atomic():
        store.db.execute("UPDATE map_views SET filter = 'oops' WHERE id = ?", (view.id,))
    assert list_views(store)[0].filter == MapFilter()


def test_upgrade_from_0003_keeps_data_and_adds_views(tmp_path) -> None:
    path = tmp_path / "companion.db"
    db = open_database(path)
    migrate(db, path, migrations=MIGRATIONS[:3])
    assert applied_migrations(db)[-1] == "0003_live_record_indexes"
    db.execute(
        "INSERT INTO actors (id, name, sort_name, kind, latitude, longitude, created_at, "
        "updated_at) VALUES ('a1', 'Maison des Canuts', 'maison des canuts', 'association', "
        "45.77, 4.83, '2025-01-01', '2025-01-01')"
    )
    db.close()

    store = Store.open(path)
    assert "0004_map_views" in applied_migrations(store.conn)
    assert [a.id for a in store.actors("canuts")] == ["a1"]
    view = save_view(store, "Canuts", "", MapFilter(text="canuts"), LYON)
    assert list_views(store) == [view]
    store.close()
    backups = list((tmp_path / "sauvegardes").iterdir())
    assert any("avant-0004_map_views" in backup.name for backup in backups)
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT name FROM actors").fetchall() == [("Maison des Canuts",)]
    copy.close()


def test_views_are_qt_free() -> None:
    import subprocess
    import sys

    code = (
        "import sys, companion.maps.views\n"
        "print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_hidden_zones_are_kept_in_a_view_and_older_views_show_them():
    hidden = filter_to_json(MapFilter(zones=False))
    assert '"zones":false' in hidden and filter_from_json(hidden) == MapFilter(zones=False)
    assert "zones" not in filter_to_json(MapFilter())  # views saved before zones: unchanged
    assert filter_from_json('{"relations": "all"}').zones is True
    with pytest.raises(ValueError):
        filter_from_json('{"zones": "non"}')
