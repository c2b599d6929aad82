"""Town halls: the gazetteer's ``mairie`` table (real built data) and the actor made of it."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from companion.directory.town_halls import (
    TownHallExists,
    add_town_hall,
    existing_town_hall,
    town_hall_fields,
    town_hall_name,
)
from companion.geo import Gazetteer
from companion.geo.gazetteer import haversine_km
from tests.french import fr


@pytest.fixture(scope="module")
def gazetteer():
    gazetteer = Gazetteer.open()
    yield gazetteer
    gazetteer.close()


def test_the_build_stores_nogent_sur_marnes_town_hall(gazetteer):
    commune = gazetteer.by_insee("94052")
    town_hall = gazetteer.town_hall(commune)
    assert town_hall.address == "Place Roland-Nungesser"
    assert town_hall.postcode == "94130"
    assert town_hall.phone == "0143246200"
    assert town_hall.email == "lesite@ville-nogentsurmarne.fr"
    assert town_hall.website == "ville-nogentsurmarne.com"
    assert town_hall.hours[0] == (1, 4, (("08:30", "12:00"), ("13:00", "17:30")))
    assert town_hall.hours[-1] == (6, 6, (("08:30", "12:00"),))
    # The commune's position is its town-hall point (place Roland-Nungesser).
    assert haversine_km(commune.latitude, commune.longitude, 48.8371, 2.4880) < 0.05


def test_paris_has_no_town_hall_in_the_data(gazetteer):
    assert gazetteer.town_hall(gazetteer.by_insee("75056")) is None


def test_names_follow_french_contractions():
    assert town_hall_name("Nogent-sur-Marne") == "Mairie de Nogent-sur-Marne"
    assert town_hall_name("Le Havre") == "Mairie du Havre"
    assert town_hall_name("Les Lilas") == "Mairie des Lilas"
    assert town_hall_name("La Rochelle") == "Mairie de La Rochelle"
    assert town_hall_name("Orly") == "Mairie d'Orly"
    assert town_hall_name("L'Haÿ-les-Roses") == "Mairie de L'Haÿ-les-Roses"


def test_the_actor_has_the_town_halls_fields(store, gazetteer):
    commune = gazetteer.by_insee("94052")
    actor = add_town_hall(store, gazetteer, commune)
    assert (actor.name, actor.kind) == ("Mairie de Nogent-sur-Marne", "collectivite")
    assert actor.address == "Place Roland-Nungesser"
    assert (actor.postcode, actor.commune, actor.insee_code, actor.departement) == (
        "94130",
        "Nogent-sur-Marne",
        "94052",
        "94",
    )
    assert (actor.latitude, actor.longitude) == (commune.latitude, commune.longitude)
    assert actor.phone == "+33143246200"
    assert actor.email == "lesite@ville-nogentsurmarne.fr"
    assert actor.website == "https://ville-nogentsurmarne.com"
    assert actor.description.splitlines() == [
        fr("Horaires d'ouverture :"),
        fr("du lundi au jeudi : 8 h 30 – 12 h, 13 h – 17 h 30"),
        fr("vendredi : 8 h 30 – 12 h, 13 h – 17 h"),
        fr("samedi : 8 h 30 – 12 h"),
    ]


def test_a_second_town_hall_for_the_commune_is_refused(store, gazetteer):
    commune = gazetteer.by_insee("94052")
    first = add_town_hall(store, gazetteer, commune)
    with pytest.raises(TownHallExists) as refused:
        add_town_hall(store, gazetteer, commune)
    assert refused.value.actor.id == first.id
    assert "déjà dans l'annuaire" in str(refused.value)
    assert store.count_actors() == 1
    # One typed by hand counts too; another commune's does not.
    store.delete_actor(first.id)
    store.add_actor("Hôtel de ville", "collectivite", insee_code="94052")
    assert existing_town_hall(store, commune).name == "Hôtel de ville"
    assert existing_town_hall(store, gazetteer.by_insee("94080")) is None


def test_invalid_values_are_left_out_and_logged_without_them(gazetteer, caplog):
    commune = gazetteer.by_insee("94052")
    broken = dataclasses.replace(
        gazetteer.town_hall(commune),
        phone="12",
        email="pas une adresse",
        website="mairie@orange.fr",
    )
    with caplog.at_level(logging.WARNING):
        fields = town_hall_fields(commune, broken)
    assert "phone" not in fields and "email" not in fields and "website" not in fields
    assert fields["address"] == "Place Roland-Nungesser"
    assert "Nogent-sur-Marne" in caplog.text
    assert "pas une adresse" not in caplog.text and "orange" not in caplog.text


def test_a_commune_without_details_still_gets_its_town_hall_at_its_place(store, gazetteer):
    paris = gazetteer.by_insee("75056")
    actor = add_town_hall(store, gazetteer, paris)
    assert actor.name == "Mairie de Paris"
    assert (actor.latitude, actor.longitude) == (paris.latitude, paris.longitude)
    assert actor.phone is None and actor.description == ""
