import pytest

from companion.demo import generate
from companion.geo import Gazetteer
from companion.store import Store

TABLES = ["actors", "people", "affiliations", "relations", "interactions", "tags", "actor_tags"]


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def build(tmp_path, gazetteer, name, **options):
    store = Store.open(tmp_path / f"{name}.db")
    summary = generate(store, gazetteer, **options)
    return store, summary


def dump(store):
    return {
        table: store.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in TABLES
    }


def test_same_seed_same_database_other_seed_other_network(tmp_path, gazetteer):
    first, _ = build(tmp_path, gazetteer, "a", catalysts=4, seed=3)
    second, _ = build(tmp_path, gazetteer, "b", catalysts=4, seed=3)
    third, _ = build(tmp_path, gazetteer, "c", catalysts=4, seed=4)
    # The seq column aside (a local row number), every value is equal.
    assert dump(first) == dump(second)
    assert dump(first)["actors"] != dump(third)["actors"]


def test_ecosystems_are_sized_and_linked(tmp_path, gazetteer):
    store, summary = build(tmp_path, gazetteer, "eco", catalysts=5, seed=1)
    assert summary.catalysts == 5
    assert 5 * 21 <= summary.actors <= 5 * 61
    counts = store.counts()
    assert counts["actors"] == summary.actors and counts["relations"] == summary.relations
    assert counts["people"] >= summary.actors
    catalysts = store.db.execute("SELECT id FROM actors WHERE kind = 'catalyseur'").fetchall()
    assert len(catalysts) == 5
    for (catalyst_id,) in catalysts:
        assert len(store.relations_of(catalyst_id)) >= 3
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_records_that_hang_on_others_are_written_by_their_owners(tmp_path, gazetteer):
    """As the hub requires (docs/SYNC.md): a profile is its actor's owner's, an
    affiliation its person's owner's, an alliance the owner's of one of its ends."""
    store, _ = build(tmp_path, gazetteer, "owners", catalysts=4, seed=1)
    sql = {
        "catalyst_profiles": "SELECT count(*) FROM catalyst_profiles p JOIN actors a "
        "ON a.id = p.actor_id WHERE p.owner <> a.owner",
        "affiliations": "SELECT count(*) FROM affiliations f JOIN people p "
        "ON p.id = f.person_id WHERE f.owner <> p.owner",
        "relations": "SELECT count(*) FROM relations r JOIN actors s ON s.id = r.source_id "
        "JOIN actors t ON t.id = r.target_id WHERE r.owner NOT IN (s.owner, t.owner)",
    }
    assert {table: store.db.execute(query).fetchone()[0] for table, query in sql.items()} == {
        "catalyst_profiles": 0, "affiliations": 0, "relations": 0,
    }  # fmt: skip
    assert store.db.execute("SELECT count(*) FROM relations").fetchone()[0] > 0


def test_catalysts_cover_every_departement_including_overseas(tmp_path, gazetteer):
    store, _ = build(tmp_path, gazetteer, "france", catalysts=101, actors=202, seed=2)
    departements = {
        row[0]
        for row in store.db.execute("SELECT departement FROM actors WHERE kind = 'catalyseur'")
    }
    expected = {code for code, _name, _region in gazetteer.departements()}
    assert departements == expected
    assert {"971", "972", "973", "974", "976"} <= departements


def test_places_are_real_communes_and_people_plainly_fictional(tmp_path, gazetteer):
    store, _ = build(tmp_path, gazetteer, "real", catalysts=3, seed=9)
    rows = store.db.execute(
        "SELECT insee_code, commune, latitude, longitude FROM actors"
    ).fetchall()
    assert rows
    for insee, commune_name, latitude, longitude in rows:
        commune = gazetteer.by_insee(insee)
        assert commune is not None and commune.name == commune_name
        assert abs(commune.latitude - latitude) < 0.01 and abs(commune.longitude - longitude) < 0.01
    people = store.db.execute("SELECT email, phone FROM people").fetchall()
    assert people
    for email, phone in people:
        assert email.endswith(".example")
        assert phone[:8] in {"01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49", "06 39 98"}


def test_demo_is_searchable(tmp_path, gazetteer):
    store, _ = build(tmp_path, gazetteer, "search", catalysts=2, seed=1)
    assert store.count_actors("pole catalyse") == 2
    assert store.count_actors("fictif") > 0
