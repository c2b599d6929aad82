"""The field schema of the protocol (companion/protocol/fields.py, issue #14 item 1).

It covers every synced field; everything a laptop's database legitimately holds (the
demo network, records made through the app) passes, so a laptop never produces a
change the hub refuses; what Python or SQLite would take but another laptop could not
(integers past 64 bits, NaN, booleans, lone surrogates, NUL...) does not.
"""

from __future__ import annotations

import pytest

from companion.demo import generate
from companion.geo import Gazetteer
from companion.maps.filters import MapFilter
from companion.maps.stories import StoryStep, add_step, create_story
from companion.maps.views import save_view
from companion.protocol import fields
from companion.protocol.messages import LINK_FIELDS, SYNCED_FIELDS, Change, ProtocolError
from companion.store import Store
from companion.sync import outbox


def test_the_schema_covers_every_synced_field_and_nothing_else():
    for table, names in SYNCED_FIELDS.items():
        link = [LINK_FIELDS[table]] if table in LINK_FIELDS else []
        assert set(fields.SCHEMA[table]) == {*names, *link}, table
    assert set(fields.SCHEMA) == set(SYNCED_FIELDS)


def travelling_values(store: Store, table: str):
    """(id, field, value) of every record of ``table``, as a push would read them."""
    link = LINK_FIELDS.get(table)
    cursor = store.conn.execute(f"SELECT * FROM {table}")
    columns = [c[0] for c in cursor.description]
    for row in cursor.fetchall():
        record = dict(zip(columns, row, strict=True))
        for name in SYNCED_FIELDS[table]:
            yield record["id"], name, record[name]
        if link:
            yield record["id"], link, outbox.link_value(store.conn, table, record["id"])


def test_everything_a_laptop_legitimately_holds_passes(tmp_path):
    gazetteer = Gazetteer.open()
    store = Store.open(tmp_path / "demo.db")
    try:
        generate(store, gazetteer, catalysts=4, seed=2)
        # And records made the way the app makes them, at the edges of their columns.
        actor = store.add_actor("Atelier", "association", latitude=-90.0, longitude=180.0)
        other = store.add_actor("Voisin", "collectivite", latitude=90, longitude=-180)
        store.tag_actor(actor.id, "Réemploi")
        store.add_relation(actor.id, other.id, "financement", strength=3)
        store.add_interaction("atelier", "2025-03-01", actor_id=actor.id, title="Visite")
        store.add_person("Léa", "", legal_basis="consentement", collected_on="2025-03-01")
        save_view(store, "Vue", "", MapFilter(kinds=frozenset({"association"})), None)
        save_view(store, "Emprise", "", MapFilter(), (-90.0, -180.0, 90.0, 180.0))
        story = create_story(store, "Récit")
        step = StoryStep("Étape", "Deux\nlignes", MapFilter(tags=frozenset()), None, (actor.id,))
        add_step(store, story.id, step)
        checked = 0
        for table in SYNCED_FIELDS:
            for record_id, name, value in travelling_values(store, table):
                assert fields.value_problem(table, name, value) is None, (table, record_id, name)
                checked += 1
        counts = store.counts()
        assert counts["actors"] > 50 and counts["people"] > 20 and checked > 2_000
        assert store.conn.execute("SELECT count(*) FROM catalyst_profiles").fetchone()[0] == 4
    finally:
        store.close()
        gazetteer.close()


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        ("map_views", "position", 2**63),
        ("map_views", "position", -(2**63) - 1),
        ("map_views", "position", True),  # a boolean is no integer here
        ("map_views", "position", 1.0),
        ("actors", "deleted", 2),
        ("actors", "deleted", False),
        ("actors", "latitude", float("nan")),
        ("actors", "latitude", float("inf")),
        ("actors", "latitude", 90.5),
        ("actors", "longitude", "4.8"),
        ("map_views", "west", -180.01),
        ("relations", "strength", 0),
        ("actors", "visibility", "public"),
        ("actors", "name", ""),
        ("actors", "name", None),
        ("actors", "name", "a" * (fields.SHORT_TEXT + 1)),
        ("actors", "description", "a" * (fields.LONG_TEXT + 1)),
        ("actors", "name", "Atelier\x00"),
        ("actors", "name", "Atelier \ud83d"),
        ("actors", "kind", "k" * (fields.MAX_CODE_CHARS + 1)),
        ("actors", "owner", "o" * (fields.MAX_NAME_CHARS + 1)),
        ("actors", "tags", ["t1", 2]),
        ("actors", "tags", "t1"),
        ("actors", "tags", ["\udc00"]),
        ("map_views", "filter", "[]"),
        ("map_views", "filter", '{"text": NaN}'),
        ("map_views", "filter", "[" * 50_000),
        ("catalyst_profiles", "metiers", '["dialogue", 2]'),
        ("catalyst_profiles", "themes", "{}"),
        ("interactions", "date", None),
        ("people", "collected_on", "2025-03-01" * 10),
    ],
)
def test_values_the_protocol_cannot_carry_are_refused_naming_the_field(table, field, value):
    problem = fields.value_problem(table, field, value)
    assert problem is not None and f"{table}.{field}" in problem
    assert not fields.valid(table, field, value)
    with pytest.raises(ProtocolError, match=f"{table}.{field}"):
        Change.from_json(
            {"table": table, "id": "r1", "field": field, "value": value,
             "hlc": "0001764333000000-00000-abcdef0123456789"}
        )  # fmt: skip


def test_values_at_the_edges_pass():
    for table, field, value in [
        ("map_views", "position", 2**63 - 1),
        ("map_views", "position", -(2**63)),
        ("actors", "latitude", -90),
        ("actors", "longitude", 180.0),
        ("actors", "latitude", None),
        ("relations", "strength", None),
        ("actors", "name", "é" * fields.SHORT_TEXT),
        ("actors", "description", "🌱" * fields.LONG_TEXT),
        ("actors", "kind", "tiers-lieu"),  # a code of a newer version: vocabularies are open
        ("people", "legal_basis", None),
        ("interactions", "date", ""),  # a record created before its fields arrived
        ("catalyst_profiles", "themes", '["Emploi", "Réemploi"]'),
        ("map_views", "filter", '{"kinds": null, "text": ""}'),
    ]:
        assert fields.value_problem(table, field, value) is None, (table, field, value)


def test_names_and_stamps_must_be_short_valid_texts():
    assert fields.name_problem("actors") is None
    for bad in ("", "x" * 101, "a\x00", "\ud800", 12, None, ["a"]):
        assert fields.name_problem(bad, empty=False) is not None, bad
    assert fields.stamp_problem("0001764333000000-00000-abcdef0123456789") is None
    for bad in ("+001764333000000-00000-a", "0001764333000000-00000-", "hier", None,
                "0001764333000000-00000-a\x00", "0001764333000000-00000-é", "١" * 16):  # fmt: skip
        assert fields.stamp_problem(bad) is not None, bad
