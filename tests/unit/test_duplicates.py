"""Likely duplicates: exact keys, fuzzy names within blocks, dismissed pairs, cancel."""

from __future__ import annotations

import pytest

from companion.directory.duplicates import (
    DEFAULT_THRESHOLD,
    MIN_SCORE,
    ScanCancelled,
    dismiss,
    find_duplicates,
    name_tokens,
    set_threshold,
    threshold,
)

LYON = {"commune": "Lyon", "insee_code": "69123", "departement": "69"}
LYON_POINT = {"latitude": 45.76, "longitude": 4.84}
BREST_POINT = {"latitude": 48.39, "longitude": -4.49}


def pairs_of(store, table="actors"):
    return {frozenset((p.left_id, p.right_id)): p for p in find_duplicates(store, table)}


def test_same_siret_is_the_surest_pair_even_with_other_names(store):
    a = store.add_actor("Ressourcerie du Plateau", "association", siret="73282932000074")
    b = store.add_actor("La Recyclerie", "association", siret="732 829 320 00074")
    store.add_actor("Fablab Voisin", "association", siret="55208131766522")
    pairs = pairs_of(store)
    assert list(pairs) == [frozenset((a.id, b.id))]
    assert pairs[frozenset((a.id, b.id))].reason == "même SIRET"
    assert pairs[frozenset((a.id, b.id))].score >= 85


def test_same_email_and_phone_in_other_forms(store):
    a = store.add_actor("Atelier Vélo", "association", email="Contact@Velo.example")
    b = store.add_actor("Atelier du vélo", "association", email="contact@velo.example")
    c = store.add_actor("Garage Solidaire", "association", phone="+33199001234")
    d = store.add_actor("Garage solidaire du Nord", "association", phone="01 99 00 12 34")
    pairs = pairs_of(store)
    assert pairs[frozenset((a.id, b.id))].reason.startswith("même e-mail")
    assert pairs[frozenset((c.id, d.id))].reason.startswith("même téléphone")


def test_same_website_host_but_not_a_shared_platform(store):
    a = store.add_actor("Fablab", "association", website="https://www.fablab.example/contact")
    b = store.add_actor("Le Fablab", "association", website="http://fablab.example")
    c = store.add_actor("Amap Une", "association", website="https://facebook.com/amapune")
    d = store.add_actor("Amap Deux", "association", website="https://www.facebook.com/amapdeux")
    pairs = pairs_of(store)
    assert "même site web" in pairs[frozenset((a.id, b.id))].reason
    assert frozenset((c.id, d.id)) not in pairs


def test_abbreviations_and_typos_in_the_same_commune(store):
    place = {"commune": "Lyon", "insee_code": "69123", "departement": "69"}
    a = store.add_actor("Association Les Jardins de Bravelune", "association", **place)
    b = store.add_actor("Asso. Jardins Bravelune", "association", **place)
    c = store.add_actor("Ressourcerie Tramolin", "association", **place)
    d = store.add_actor("Ressourcerie Tramolni", "association", **place)
    store.add_actor("Ressourcerie Pulrulac", "association", **place)
    pairs = pairs_of(store)
    assert pairs[frozenset((a.id, b.id))].reasons == ("noms proches (100 %)", "même commune")
    assert pairs[frozenset((c.id, d.id))].reason.startswith("noms proches (")
    assert len(pairs) == 2  # a shared generic word ("Ressourcerie") is not enough


def test_far_apart_only_the_very_same_words_count(store):
    a = store.add_actor("Jardins de Bravelune", "association", commune="Lyon", departement="69")
    b = store.add_actor("Les Jardins Bravelune", "association", commune="Brest", departement="29")
    c = store.add_actor("Jardins de Bravelone", "association", commune="Nice", departement="06")
    pairs = pairs_of(store)
    assert frozenset((a.id, b.id)) in pairs
    assert frozenset((a.id, c.id)) not in pairs  # a typo across the country: a homonym


def test_numbered_names_are_different_records(store):
    store.add_actor("École 12 Jean Jaurès", "institution", commune="Lyon", insee_code="69123")
    store.add_actor("École 14 Jean Jaurès", "institution", commune="Lyon", insee_code="69123")
    assert pairs_of(store) == {}


def test_deleted_records_are_ignored(store):
    a = store.add_actor("Fablab", "association", email="fab@lab.example")
    b = store.add_actor("Fablab bis", "association", email="fab@lab.example")
    store.delete_actor(b.id)
    assert pairs_of(store) == {}
    assert a.id


def test_dismissed_pairs_are_not_proposed_again(store):
    a = store.add_actor("Atelier Vélo", "association", email="velo@atelier.example")
    b = store.add_actor("Atelier Vélo Nord", "association", email="velo@atelier.example")
    c = store.add_actor("Atelier Vélo Sud", "association", email="velo@atelier.example")
    assert len(pairs_of(store)) == 3
    dismiss(store, b.id, a.id)
    assert frozenset((a.id, b.id)) not in pairs_of(store)
    assert len(pairs_of(store)) == 2
    assert frozenset((a.id, c.id)) in pairs_of(store)


def test_people_by_email_phone_and_name_within_an_actor(store):
    actor = store.add_actor("Fablab", "association")
    a = store.add_person("Léa", "Martin", email="lea.martin@example.org")
    b = store.add_person("Lea", "MARTIN", email="LEA.MARTIN@example.org")
    c = store.add_person("Karim", "Benali", phone="06 39 98 12 34")
    d = store.add_person("K.", "Benali", phone="+33639981234")
    e = store.add_person("Jean-Pierre", "Durand")
    f = store.add_person("Jean Pierre", "Durant")
    for person in (e, f):
        store.add_affiliation(person.id, actor.id)
    store.add_person("Jean", "Durand")
    pairs = pairs_of(store, "people")
    assert pairs[frozenset((a.id, b.id))].reason == "même e-mail, noms proches (100 %)"
    assert pairs[frozenset((c.id, d.id))].reason.startswith("même téléphone")
    assert pairs[frozenset((e.id, f.id))].reason.endswith("même structure")
    assert len(pairs) == 3


def test_pairs_are_sorted_by_score(store):
    store.add_actor("Un", "association", siret="73282932000074")
    store.add_actor("Deux", "association", siret="73282932000074")
    store.add_actor("Atelier Vélo", "association", commune="Pau", insee_code="64445")
    store.add_actor("Atelier Velo", "association", commune="Pau", insee_code="64445")
    scores = [p.score for p in find_duplicates(store)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 2


def test_progress_is_reported_and_cancel_stops_the_scan(store):
    for n in range(30):
        store.add_actor(f"Atelier {n} Bravelune", "association", commune="Pau")
    seen = []
    find_duplicates(store, progress=lambda done, total, message: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0
    with pytest.raises(ScanCancelled):
        find_duplicates(store, cancelled=lambda: True)


def test_an_oversized_block_is_compared_in_overlapping_windows(monkeypatch):
    from companion.directory import duplicates

    monkeypatch.setattr(duplicates, "BLOCK_LIMIT", 10)
    names = [f"mot{n * 37 % 95:03d}" for n in range(95)]
    windows = list(duplicates._windows(list(range(95)), names))
    assert all(len(window) <= 10 for window in windows)
    assert set().union(*windows) == set(range(95))
    ordered = sorted(range(95), key=names.__getitem__)
    for a, b in zip(ordered, ordered[1:], strict=False):  # neighbours by name share a window
        assert any(a in window and b in window for window in windows)


def test_name_tokens_drop_stop_words_and_legal_forms():
    assert name_tokens("Asso. Les Amis de la Terre") == ("amis", "terre")
    assert name_tokens("Association") == ("association",)
    assert name_tokens("Ets Martin SARL") == ("martin",)


# -- reasons, penalties and the threshold ---------------------------------------


def test_each_pair_lists_all_its_reasons(store):
    a = store.add_actor("Atelier Vélo Bravelune", "association", email="velo@bravelune.example",
                        siret="73282932000074", phone="+33199001234", **LYON)  # fmt: skip
    b = store.add_actor("Atelier Velo Bravelune", "association", email="VELO@bravelune.example",
                        siret="732 829 320 00074", phone="01 99 00 12 34", **LYON)  # fmt: skip
    c = store.add_actor("Tramolin", "association", rna="W691234567")
    d = store.add_actor("Pulrulac", "association", rna="w691234567 ")
    e = store.add_actor("Garage Une", "association", siret="55208131700012")
    f = store.add_actor("Garage Deux", "association", siret="55208131700020")
    g = store.add_actor("Fablab", "association", website="https://fablab.example")
    h = store.add_actor("Le Fablab", "association", website="http://www.fablab.example/x")
    pairs = pairs_of(store)
    assert pairs[frozenset((a.id, b.id))].reasons == (
        "même SIRET", "même e-mail", "même téléphone", "noms proches (100 %)", "même commune",
    )  # fmt: skip
    assert pairs[frozenset((c.id, d.id))].reasons == ("même numéro RNA",)
    assert pairs[frozenset((e.id, f.id))].reasons == ("même SIREN",)
    assert pairs[frozenset((g.id, h.id))].reasons == ("même site web", "noms proches (100 %)")
    assert pairs[frozenset((a.id, b.id))].reason.startswith("même SIRET, même e-mail, ")


def test_other_kinds_need_whole_names_and_lose_points(store):
    a = store.add_actor("Ressourcerie Bravelune", "association", **LYON)
    b = store.add_actor("Bravelune SARL", "entreprise", **LYON)  # a word, not an identity
    c = store.add_actor("Association Jardins Tramolin", "association", **LYON)
    d = store.add_actor("Asso. Jardins Tramolin", "collectif", **LYON)  # typed differently
    e = store.add_actor("Jardins Tramolin", "association", **LYON)
    pairs = pairs_of(store)
    assert frozenset((a.id, b.id)) not in pairs
    retyped, same_kind = pairs[frozenset((c.id, d.id))], pairs[frozenset((c.id, e.id))]
    assert retyped.reasons == ("noms proches (100 %)", "même commune", "types différents")
    assert same_kind.reasons == ("noms proches (100 %)", "même commune")
    assert retyped.score == same_kind.score - 15
    assert retyped.score >= DEFAULT_THRESHOLD


def test_distance_from_coordinates_or_commune_centres(store):
    email = {"email": "contact@reseau.example"}
    a = store.add_actor("Bravelune", "association", **email, **LYON_POINT)
    b = store.add_actor("Pulrulac", "association", **email, **BREST_POINT)
    c = store.add_actor("Tramolin", "association", **email, **LYON)  # Lyon's centre
    pairs = pairs_of(store)
    far, near = pairs[frozenset((a.id, b.id))], pairs[frozenset((a.id, c.id))]
    assert far.reasons[0] == "même e-mail" and far.reasons[-1].startswith("à ")
    assert (
        700
        < int(far.reasons[-1].removeprefix("à ").removesuffix(" km").replace("\u202f", ""))
        < 800
    )
    assert near.reasons == ("même e-mail",)  # a few km: no penalty
    assert far.score == near.score - 25 < DEFAULT_THRESHOLD <= near.score
    # a shared generic address between unlike names, far apart: no longer enough
    assert far.score < DEFAULT_THRESHOLD


def test_siret_and_rna_outweigh_every_penalty(store):
    a = store.add_actor("Recyclerie", "association", siret="73282932000074", **LYON_POINT)
    b = store.add_actor("Plateau SAS", "entreprise", siret="73282932000074", **BREST_POINT)
    c = store.add_actor("Jardins Bravelune", "association", **LYON_POINT)
    d = store.add_actor("Jardins Bravelune", "fondation", **BREST_POINT)
    pairs = pairs_of(store)
    sure = pairs[frozenset((a.id, b.id))]
    assert sure.score == 100
    assert sure.reasons[:2] == ("même SIRET", "types différents")
    assert sure.reasons[2].startswith("à ")
    homonyms = pairs[frozenset((c.id, d.id))]  # same words, other kind, far: a homonym
    assert homonyms.reasons[1:] == ("types différents", homonyms.reasons[2])
    assert homonyms.score < DEFAULT_THRESHOLD


def test_the_threshold_is_a_remembered_setting_and_filters_the_scan(store):
    assert threshold(store) == DEFAULT_THRESHOLD
    set_threshold(store, 85)
    assert threshold(store) == 85
    set_threshold(store, 5)
    assert threshold(store) == MIN_SCORE  # clamped
    store.set_setting("duplicates.threshold", "beaucoup")
    assert threshold(store) == DEFAULT_THRESHOLD
    store.add_actor("Jardins Bravelune", "association", **LYON_POINT)
    store.add_actor("Jardins Bravelune", "association", **BREST_POINT)
    store.add_actor("Recyclerie", "association", siret="73282932000074")
    store.add_actor("Plateau", "association", siret="73282932000074")
    scores = [p.score for p in find_duplicates(store)]
    assert scores[0] == 100 and MIN_SCORE <= scores[1] < DEFAULT_THRESHOLD
    assert [p.score for p in find_duplicates(store, min_score=DEFAULT_THRESHOLD)] == [100]


def test_the_distance_penalty_starts_at_100_km_and_grows(store):
    phone = {"phone": "+33199001234"}
    a = store.add_actor("Bravelune", "association", **phone, latitude=45.76, longitude=4.84)
    b = store.add_actor("Bravelune", "association", **phone, latitude=45.76, longitude=6.04)
    c = store.add_actor("Bravelune", "association", **phone, latitude=45.76, longitude=6.29)
    pairs = pairs_of(store)
    near, far = pairs[frozenset((a.id, b.id))], pairs[frozenset((a.id, c.id))]
    assert near.reasons == ("même téléphone", "noms proches (100 %)")  # 93 km
    assert far.reasons == ("même téléphone", "noms proches (100 %)", "à 112 km")
    assert far.score == near.score - 11  # 10 at 100 km, one more every 10 km
