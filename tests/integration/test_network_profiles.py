"""Catalysts' profiles (Qt-free): checks, filters, "who near me", undo, migration, sync, demo."""

from __future__ import annotations

import json

import pytest
from loopback import LoopbackServer
from sync_helpers import FakeHub, fields_of

from companion.demo import generate
from companion.geo import Gazetteer
from companion.insights.catalysts import load_catalysts
from companion.network import territories
from companion.network.profiles import (
    CatalystFilter,
    CatalystProfile,
    ProfileError,
    bounds,
    can_edit,
    catalysts,
    get_profile,
    list_catalysts,
    near,
    own_catalyst,
    save_profile,
    themes_in_use,
)
from companion.network.territories import Place
from companion.protocol.hlc import Timestamp, physical_ms
from companion.protocol.messages import SYNCED_FIELDS
from companion.store import Store
from companion.store.connection import open_database
from companion.store.migrations import MIGRATIONS, applied_migrations
from companion.store.upgrade import migrate
from companion.sync.client import SyncClient
from tests.french import fr

LYON = ("69123", "Lyon", "69", 45.767691, 4.835371)
VILLEURBANNE = ("69266", "Villeurbanne", "69", 45.766295, 4.879662)
GRENOBLE = ("38185", "Grenoble", "38", 45.18663, 5.73631)
RENNES = ("35238", "Rennes", "35", 48.093066, -1.67494)
BREST = ("29019", "Brest", "29", 48.391693, -4.484541)
MARSEILLE = ("13055", "Marseille", "13", 43.297598, 5.369427)


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def catalyst(store: Store, name: str, place: tuple, **fields) -> str:
    insee, commune, departement, latitude, longitude = place
    return store.add_actor(
        name,
        "catalyseur",
        insee_code=insee,
        commune=commune,
        departement=departement,
        latitude=latitude,
        longitude=longitude,
        **fields,
    ).id


def profile(actor_id: str, **fields) -> CatalystProfile:
    return CatalystProfile(actor_id=actor_id, **{"metiers": ("dialogue",), **fields})


@pytest.fixture
def network(store, gazetteer):
    """Six catalysts in five cities, five with a profile."""
    ids = {
        "lyon": catalyst(store, "Pôle Confluences", LYON),
        "villeurbanne": catalyst(store, "Atelier des Alliances", VILLEURBANNE),
        "grenoble": catalyst(store, "Fabrique Alpine", GRENOBLE),
        "rennes": catalyst(store, "Liens d'Ille", RENNES),
        "brest": catalyst(store, "Ponant Coopérations", BREST),
        "marseille": catalyst(store, "Calanques Communes", MARSEILLE),
    }
    save_profile(store, profile(ids["lyon"], metiers=("dialogue", "lieu"),
                                structure="Tiers-lieu de la Confluence",
                                themes=("Alimentation", "Emploi"),
                                territories=("commune:69123",)), gazetteer)  # fmt: skip
    save_profile(store, profile(ids["villeurbanne"], metiers=("accompagnement",),
                                themes=("emploi",)), gazetteer)  # fmt: skip
    # Based in Grenoble, acting on the Métropole de Lyon too.
    save_profile(store, profile(ids["grenoble"], metiers=("lieu",), themes=("Numérique",),
                                territories=("commune:38185", "epci:200046977")),
                 gazetteer)  # fmt: skip
    save_profile(store, profile(ids["rennes"], metiers=("lieu", "experimentation"),
                                themes=("Mobilité",), missions="Un fab lab de quartier."),
                 gazetteer)  # fmt: skip
    save_profile(store, profile(ids["brest"], metiers=("lieu",), themes=("Santé",),
                                territories=("departement:29",)), gazetteer)  # fmt: skip
    return ids


# -- checks -------------------------------------------------------------------


def test_a_profile_is_saved_cleaned_as_one_undo_step(store, gazetteer):
    actor_id = catalyst(store, "Pôle Confluences", LYON)
    saved = save_profile(
        store,
        CatalystProfile(
            actor_id=actor_id,
            structure="  Association Confluences  ",
            metiers=("lieu", "dialogue", "lieu"),
            territories=("commune:69123", "epci:200046977", "commune:69123", "region:84"),
            themes=("Transition écologique", "transition ecologique", " Emploi ", ""),
            public_contact="contact@confluences.example",
            missions="Réunir les acteurs du quartier.",
        ),
        gazetteer,
    )
    assert saved.id and saved.owner == store.member_id and saved.visibility == "network"
    assert saved.structure == "Association Confluences"
    assert saved.metiers == ("dialogue", "lieu")  # the network's order, once each
    assert saved.territories == ("commune:69123", "epci:200046977", "region:84")
    assert saved.themes == ("Transition écologique", "Emploi")
    assert store.journal.last().label == "Créer le profil de Pôle Confluences"
    row = store.conn.execute(
        "SELECT metiers, territories, themes FROM catalyst_profiles WHERE id = ?", (saved.id,)
    ).fetchone()
    assert json.loads(row[0]) == ["dialogue", "lieu"]  # plain JSON lists, for SQL readers
    assert json.loads(row[2]) == ["Transition écologique", "Emploi"]

    again = save_profile(store, profile(actor_id, metiers=("accompagnement",)), gazetteer)
    assert again.id == saved.id and again.metiers == ("accompagnement",)
    assert store.journal.last().label == "Modifier le profil de Pôle Confluences"
    store.journal.undo()
    assert get_profile(store, actor_id).metiers == ("dialogue", "lieu")
    store.journal.undo()  # the creation undone: a tombstone, which syncs
    assert get_profile(store, actor_id) is None
    deleted = store.conn.execute("SELECT deleted FROM catalyst_profiles").fetchone()[0]
    assert deleted == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"metiers": ()}, "metiers", "Métiers : choisissez au moins un métier."),
        ({"metiers": ("jardinage",)}, "metiers", "Métiers : métier inconnu « jardinage »."),
        ({"territories": ("commune:99999",)}, "territories",
         "Territoire d'action : commune inconnue : « 99999 »."),
        ({"territories": ("epci:123",)}, "territories",
         "Territoire d'action : intercommunalité inconnue : « 123 »."),
        ({"territories": ("departement:00",)}, "territories",
         "Territoire d'action : département inconnu : « 00 »."),
        ({"territories": ("ville:Lyon",)}, "territories",
         "Territoire d'action : territoire illisible « ville:Lyon »."),
        ({"missions": "x" * 2001}, "missions", "Missions : 2000 caractères au plus."),
        ({"visibility": "public"}, "visibility", "Visibilité : valeur inconnue « public »."),
    ],
)  # fmt: skip
def test_refused_values_name_their_field_in_french(store, gazetteer, fields, field, message):
    actor_id = catalyst(store, "Pôle Confluences", LYON)
    with pytest.raises(ProfileError) as refused:
        save_profile(store, profile(actor_id, **fields), gazetteer)
    assert refused.value.field == field
    assert str(refused.value) == fr(message)
    assert store.conn.execute("SELECT count(*) FROM catalyst_profiles").fetchone()[0] == 0


def test_only_catalysts_have_profiles(store, gazetteer):
    other = store.add_actor("Mairie de Brest", "collectivite").id
    with pytest.raises(ProfileError, match="n'est pas un catalyseur"):
        save_profile(store, profile(other), gazetteer)
    with pytest.raises(ProfileError, match="introuvable"):
        save_profile(store, profile("pas-un-acteur"), gazetteer)


def test_territories_read_as_places(gazetteer):
    assert territories.label("commune:69123", gazetteer) == "Lyon (69)"
    assert territories.label("epci:200046977", gazetteer) == "Métropole de Lyon"
    assert territories.label("departement:29", gazetteer) == "Finistère (29)"
    assert territories.label("region:53", gazetteer) == "Bretagne"
    assert territories.label("commune:69123", None) == "Commune 69123"
    assert territories.check("commune:2a004", gazetteer) == "commune:2A004"  # Ajaccio


# -- lists and filters ----------------------------------------------------------


def names(items) -> list[str]:
    return [item.name for item in items]


def test_every_catalyst_is_listed_with_its_profile_or_none(store, network):
    store.add_actor("Mairie de Lyon", "collectivite")
    listed = catalysts(store)
    assert names(listed) == [
        "Atelier des Alliances", "Calanques Communes", "Fabrique Alpine", "Liens d'Ille",
        "Pôle Confluences", "Ponant Coopérations",
    ]  # fmt: skip
    by_name = {item.name: item for item in listed}
    assert by_name["Calanques Communes"].profile is None
    assert by_name["Pôle Confluences"].profile.structure == "Tiers-lieu de la Confluence"
    assert themes_in_use(store) == ["Alimentation", "Emploi", "Mobilité", "Numérique", "Santé"]


def test_filters_by_metier_region_theme_and_text(store, network, gazetteer):
    def kept(**spec) -> list[str]:
        return names(list_catalysts(store, CatalystFilter(**spec), gazetteer))

    assert kept(metier="lieu") == [
        "Fabrique Alpine", "Liens d'Ille", "Pôle Confluences", "Ponant Coopérations"
    ]  # fmt: skip
    assert kept(region="53") == ["Liens d'Ille", "Ponant Coopérations"]  # Bretagne
    assert kept(region="53", metier="experimentation") == ["Liens d'Ille"]
    assert kept(theme="EMPLOI") == ["Atelier des Alliances", "Pôle Confluences"]
    assert kept(text="fab lab") == ["Liens d'Ille"]  # in the missions
    assert kept(text="confluence") == ["Pôle Confluences"]  # name and structure
    assert kept(text="metropole lyon") == ["Fabrique Alpine"]  # a territory's name
    assert kept(text="zzz") == []


def test_who_near_me_practises_a_metier(store, network, gazetteer):
    here = Place.of_commune(gazetteer.by_insee("69149"))  # Oullins, in the Métropole de Lyon
    found = near(store, "lieu", here, gazetteer)
    assert names(hit.catalyst for hit in found) == [
        "Fabrique Alpine",  # based 85 km away but acting on the Métropole: 0 km
        "Pôle Confluences",
        "Liens d'Ille",
        "Ponant Coopérations",
    ]
    assert found[0].acts_here and found[0].distance_km == 0
    assert not found[1].acts_here and 5 < found[1].distance_km < 8
    assert [hit.distance_km for hit in found] == sorted(hit.distance_km for hit in found)
    anyone = near(store, "", here, gazetteer, limit=3)
    assert len(anyone) == 3 and "Atelier des Alliances" in names(h.catalyst for h in anyone)
    in_finistere = Place.of_commune(gazetteer.by_insee("29019"))
    first = near(store, "lieu", in_finistere, gazetteer)[0]
    assert first.catalyst.name == "Ponant Coopérations" and first.acts_here


def test_own_catalyst_and_who_may_edit(store, network, gazetteer):
    assert own_catalyst(store).name == "Atelier des Alliances"  # first by name
    theirs = [c for c in catalysts(store) if c.name == "Calanques Communes"][0]
    assert can_edit(store, theirs)  # no profile yet: the actor's owner may create it
    for table, column in (("actors", "id"), ("catalyst_profiles", "actor_id")):
        store.conn.execute(  # another member's catalyst, and its profile
            f"UPDATE {table} SET owner = 'quelqu-un' WHERE {column} = ?", (network["lyon"],)
        )
    lyon = [c for c in catalysts(store) if c.name == "Pôle Confluences"][0]
    assert not can_edit(store, lyon)
    box = bounds([lyon])
    assert box[0] < LYON[3] < box[2] and box[1] < LYON[4] < box[3]
    assert box[2] - box[0] == pytest.approx(0.3)


def test_two_profiles_of_one_catalyst_read_as_the_latest(store, network, gazetteer):
    """Two laptops may each create one offline: the newest is shown and saved to."""
    lyon = network["lyon"]
    store.conn.execute(
        "INSERT INTO catalyst_profiles (id, actor_id, owner, structure, metiers, created_at, "
        "updated_at) VALUES ('autre', ?, ?, 'Autre structure', '[\"lieu\"]', "
        "'2999-01-01', '2999-01-01')",
        (lyon, store.member_id),
    )
    assert get_profile(store, lyon).structure == "Autre structure"
    saved = save_profile(store, profile(lyon, structure="Fusion"), gazetteer)
    assert saved.id == "autre"


# -- storage: migration, capture, sync --------------------------------------------


def test_a_database_of_the_previous_version_gains_profiles(tmp_path, gazetteer):
    path = tmp_path / "companion.db"
    db = open_database(path)
    migrate(db, path, migrations=[m for m in MIGRATIONS if m.name < "0010"])
    assert "0010_catalyst_profiles" not in applied_migrations(db)
    db.execute(
        "INSERT INTO actors (id, name, sort_name, kind, commune, insee_code, created_at, "
        "updated_at) VALUES ('c1', 'Pôle Confluences', 'pole confluences', 'catalyseur', "
        "'Lyon', '69123', '2025-01-01', '2025-01-01')"
    )
    db.close()
    store = Store.open(path)
    try:
        assert "0010_catalyst_profiles" in applied_migrations(store.conn)
        assert any("avant-0010" in p.name for p in (tmp_path / "sauvegardes").iterdir())
        place = ("commune:69123",)
        saved = save_profile(store, profile("c1", territories=place), gazetteer)
        expected = set(SYNCED_FIELDS["catalyst_profiles"])
        assert fields_of(store, "catalyst_profiles", saved.id) == expected  # the whole record
        store.conn.execute("DELETE FROM sync_outbox")
        edited = profile("c1", structure="Confluences", themes=("Emploi",), territories=place)
        save_profile(store, edited, gazetteer)
        assert fields_of(store, "catalyst_profiles", saved.id) == {"structure", "themes"}
    finally:
        store.close()


@pytest.fixture
def hub(tmp_path):
    from companion.hub.app import create_app
    from companion.hub.storage import HubStore

    hub_store = HubStore.open(tmp_path / "hub")
    server = LoopbackServer(create_app(hub_store))
    yield hub_store, server.url
    server.stop()
    hub_store.close()


def test_a_network_profile_travels_and_a_private_one_stays(tmp_path, hub, gazetteer):
    hub_store, url = hub
    _alice, alice_token = hub_store.add_member("Alice", "member")
    _bob, bob_token = hub_store.add_member("Bob", "member")
    a, b = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    try:
        shared = catalyst(a, "Pôle Confluences", LYON)
        kept = catalyst(a, "Atelier des Alliances", VILLEURBANNE)
        save_profile(a, profile(shared, metiers=("dialogue", "lieu"), themes=("Emploi",),
                                territories=("epci:200046977",), missions="Réunir."),
                     gazetteer)  # fmt: skip
        save_profile(a, profile(kept, visibility="private", missions="Brouillon"), gazetteer)
        SyncClient(a, url, alice_token).sync()
        SyncClient(b, url, bob_token).sync()
        on_b = {item.name: item for item in catalysts(b)}
        assert on_b["Pôle Confluences"].profile.metiers == ("dialogue", "lieu")
        assert on_b["Pôle Confluences"].profile.territories == ("epci:200046977",)
        assert on_b["Pôle Confluences"].profile.owner == a.member_id
        assert on_b["Atelier des Alliances"].profile is None  # private: never left laptop A
        assert not can_edit(b, on_b["Pôle Confluences"])  # Alice's: read-only for Bob

        # An edit travels field by field; withdrawing the profile hides it on B.
        save_profile(a, profile(shared, metiers=("dialogue", "lieu"), themes=("Emploi",),
                                territories=("epci:200046977",), missions="Réunir et relier."),
                     gazetteer)  # fmt: skip
        SyncClient(a, url, alice_token).sync()
        SyncClient(b, url, bob_token).sync()
        assert get_profile(b, shared).missions == "Réunir et relier."
        save_profile(a, profile(shared, visibility="private"), gazetteer)
        SyncClient(a, url, alice_token).sync()
        SyncClient(b, url, bob_token).sync()
        assert get_profile(b, shared) is None
    finally:
        a.close()
        b.close()


def test_a_profile_written_by_another_member_is_never_the_live_one(tmp_path):
    """A hub that does not check who hangs a profile on an actor (an older one) lets
    Mallory's profile of Bob's catalyst through: laptops keep showing Bob's, although
    Mallory's arrived later (the most recently updated here)."""
    hub = FakeHub()
    seq = iter(range(1, 1000))

    def hub_record(table: str, record_id: str, owner: str, **fields) -> None:
        when = str(Timestamp(physical_ms(), 0, "portable-de-" + owner))
        values = {"owner": owner, "visibility": "network", "deleted": 0, **fields}
        for name, value in values.items():
            hub.state[(table, record_id, name)] = (value, when, next(seq))
        hub.seq = max(key[2] for key in hub.state.values())

    hub_record("actors", "pole-de-bob", "bob", name="Pôle de Bob", kind="catalyseur",
               created_at="2025-01-01")  # fmt: skip
    hub_record("catalyst_profiles", "profil-de-bob", "bob", actor_id="pole-de-bob",
               structure="Celle de Bob", metiers='["lieu"]', themes='["Emploi"]')  # fmt: skip
    store = Store.open(tmp_path / "c.db")
    try:
        SyncClient(store, "https://hub.example.org", hub.token, transport=hub.transport()).sync()
        assert get_profile(store, "pole-de-bob").structure == "Celle de Bob"

        hub_record("catalyst_profiles", "profil-usurpe", "mallory", actor_id="pole-de-bob",
                   structure="Usurpée", metiers='["dialogue"]', themes='["Piratage"]')  # fmt: skip
        SyncClient(store, "https://hub.example.org", hub.token, transport=hub.transport()).sync()
        assert store.conn.execute(
            "SELECT owner FROM catalyst_profiles WHERE id = 'profil-usurpe'"
        ).fetchone() == ("mallory",)  # it arrived, and is newer here
        shown = get_profile(store, "pole-de-bob")
        assert (shown.structure, shown.owner) == ("Celle de Bob", "bob")
        assert themes_in_use(store) == ["Emploi"]
        [insight] = load_catalysts(store.conn)
        assert (insight.structure, insight.profile_owner) == ("Celle de Bob", "bob")
    finally:
        store.close()


# -- the demo network ---------------------------------------------------------------


def test_every_demo_catalyst_has_a_believable_profile(tmp_path, gazetteer):
    first = Store.open(tmp_path / "a.db")
    second = Store.open(tmp_path / "b.db")
    try:
        generate(first, gazetteer, catalysts=6, seed=5)
        generate(second, gazetteer, catalysts=6, seed=5)
        listed = catalysts(first)
        assert len(listed) == 6 and all(item.profile is not None for item in listed)
        for item in listed:
            found = item.profile
            assert 1 <= len(found.metiers) <= 3 and found.visibility == "network"
            assert found.owner == [c for c in listed if c.actor_id == item.actor_id][0].owner
            assert found.territories[0] == f"commune:{item.insee_code}"
            for code in found.territories:
                assert territories.check(code, gazetteer) == code
            assert found.structure and found.themes and found.public_contact.endswith(".example")
            assert "fictif" in found.missions
        dump = "SELECT * FROM catalyst_profiles ORDER BY id"
        strip = [row[1:] for row in first.conn.execute(dump)]  # seq aside
        assert strip == [row[1:] for row in second.conn.execute(dump)]
        assert first.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        first.close()
        second.close()
