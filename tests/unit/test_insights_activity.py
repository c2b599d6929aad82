"""The activity report of the first quarter of 2025, with exchanges and relations in and out."""

from __future__ import annotations

import json
from datetime import date
from html import escape as html_escape

import pytest

from companion.geo import Gazetteer
from companion.i18n import _
from companion.insights.activity import (
    BY_DEPARTEMENT_NOTE,
    BY_METIER_NOTE,
    FIGURE_NOTES,
    activity_report,
)
from companion.insights.places import find_territory
from companion.insights.report_html import activity_report_html
from companion.insights.report_period import (
    CUSTOM,
    LAST_QUARTER,
    THIS_QUARTER,
    Period,
    opening_period,
    quarter_period,
)
from companion.store.records import new_id, now_iso

CHAMONIX, ANNECY = "74056", "74010"
VALLEY = "200023372"


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def set_column(store, table, record_id, **values):
    for column, value in values.items():
        store.conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, record_id))


@pytest.fixture
def quarter(store, gazetteer):
    def add(name, kind, insee):
        commune = gazetteer.by_insee(insee)
        return store.add_actor(
            name, kind, insee_code=insee, commune=commune.name, departement=commune.departement
        ).id

    ids = {
        "a1": add("Association du Mont", "association", CHAMONIX),
        "a2": add("Lumiplast", "entreprise", CHAMONIX),
        "a3": add("Lac et Partage", "association", ANNECY),
        "k1": add("Pôle de catalyse Chamonix", "catalyseur", CHAMONIX),
        "k2": add("Pôle de catalyse Annecy", "catalyseur", ANNECY),
    }
    for actor, metiers in (("k1", ["dialogue", "lieu"]), ("k2", ["accompagnement"])):
        store.db["catalyst_profiles"].insert({
            "id": new_id(), "actor_id": ids[actor], "metiers": json.dumps(metiers),
            "owner": store.member_id if actor == "k1" else "other-member",
            "created_at": now_iso(), "updated_at": now_iso(),
        })  # fmt: skip
    set_column(store, "actors", ids["k2"], owner="other-member")  # the other's catalyst
    person = store.add_person("Camille", "Secrète", email="camille@exemple.example").id
    meet = store.add_interaction
    meet("atelier", "2025-01-15", actor_id=ids["a1"], title="Atelier diagnostic")
    meet("reunion", "2025-02-10", actor_id=ids["a2"], title="Comité de pilotage")
    meet("appel", "2025-02-20", actor_id=ids["a3"], person_id=person, notes="Note privée")
    meet("reunion", "2025-03-31", actor_id=ids["a1"], title="Point d'étape")  # last day: in
    meet("atelier", "2024-12-31", actor_id=ids["a1"])  # before
    meet("evenement", "2025-04-01", actor_id=ids["a2"])  # after
    gone = meet("atelier", "2025-02-01", actor_id=ids["a1"])
    store.delete_record("interactions", gone.id)
    # An exchange recorded by the other member, with its catalyst: the accompagnement métier.
    theirs = meet("visite", "2025-03-05", actor_id=ids["k2"], title="Visite du lieu")
    set_column(store, "interactions", theirs.id, owner="other-member")

    relate = store.add_relation
    relate(ids["a1"], ids["a2"], "partenariat", start_date="2025-02-01")  # created, active
    relate(ids["a2"], ids["a3"], "financement", start_date="2024-06-01")  # active
    relate(ids["a1"], ids["a3"], "adhesion", start_date="2023-01-01", end_date="2024-12-31")
    undated = relate(ids["a3"], ids["k2"], "accompagnement")  # created when recorded
    set_column(store, "relations", undated.id, created_at="2025-03-10T10:00:00.000Z")
    later = relate(ids["k1"], ids["a1"], "co-construction")
    set_column(store, "relations", later.id, created_at="2025-05-02T10:00:00.000Z")
    gone = relate(ids["a2"], ids["a1"], "prestation", start_date="2025-01-10")
    store.delete_record("relations", gone.id)
    return ids


def test_exchanges_of_the_period_by_month_and_kind(store, gazetteer, quarter):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    assert report.months == ["2025-01", "2025-02", "2025-03"]
    assert report.by_month == {
        "2025-01": {"atelier": 1},
        "2025-02": {"reunion": 1, "appel": 1},
        "2025-03": {"reunion": 1, "visite": 1},
    }
    assert report.by_kind == {"reunion": 2, "atelier": 1, "appel": 1, "visite": 1}
    assert report.exchange_count == 5
    assert report.actors_convened == 4  # a1, a2, a3, k2
    assert report.convened_by_kind == {"association": 2, "entreprise": 1, "catalyseur": 1}
    assert report.people_convened == 1


def test_alliances_created_and_active_in_the_period(store, gazetteer, quarter):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    assert report.created == {"partenariat": 1, "accompagnement": 1}
    assert report.active == {"partenariat": 1, "financement": 1, "accompagnement": 1}


def test_breakdowns_by_metier_and_departement(store, gazetteer, quarter):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    # This member's catalyst (dialogue, lieu) recorded four exchanges and three relations.
    dialogue = report.by_metier["dialogue"]
    assert (dialogue.exchanges, len(dialogue.actors), dialogue.created, dialogue.active) == (
        4, 3, 2, 3,
    )  # fmt: skip
    assert report.by_metier["lieu"] == dialogue
    # The other catalyst: its own visit, and the relation it is part of.
    accompagnement = report.by_metier["accompagnement"]
    assert (accompagnement.exchanges, accompagnement.created, accompagnement.active) == (1, 1, 1)
    assert set(report.by_metier) == {"dialogue", "lieu", "accompagnement"}
    haute_savoie = report.by_departement["74"]
    assert (haute_savoie.exchanges, haute_savoie.created, haute_savoie.active) == (5, 2, 3)
    assert report.departement_names == {"74": "Haute-Savoie"}


def test_a_territory_keeps_what_happened_there(store, gazetteer, quarter):
    valley = find_territory(gazetteer, "epci", VALLEY)
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31", valley)
    assert report.by_kind == {"atelier": 1, "reunion": 2}  # Annecy's call and visit left out
    assert report.actors_convened == 2
    assert report.created == {"partenariat": 1}
    assert report.active == {"partenariat": 1, "financement": 1}  # one end in the valley
    assert report.territory == valley


def test_personal_data_is_left_out_unless_asked_for(store, gazetteer, quarter):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    assert report.people == [] and not report.include_personal
    assert all(e.person == "" and e.notes == "" for e in report.exchanges)
    assert "Secrète" not in repr(report) and "Note privée" not in repr(report)
    personal = activity_report(
        store.conn, gazetteer, "2025-01-01", "2025-03-31", include_personal=True
    )
    assert personal.people == ["Camille Secrète"]
    call = next(e for e in personal.exchanges if e.kind == "appel")
    assert (call.person, call.notes) == ("Camille Secrète", "Note privée")


def test_exchanges_are_listed_in_date_order(store, gazetteer, quarter):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    assert [e.date for e in report.exchanges] == [
        "2025-01-15", "2025-02-10", "2025-02-20", "2025-03-05", "2025-03-31",
    ]  # fmt: skip
    assert report.exchanges[0].actor_name == "Association du Mont"


def test_a_relation_across_two_departements_counts_in_each_and_the_report_says_so(
    store, gazetteer, quarter
):
    lyon = gazetteer.by_insee("69123")
    far = store.add_actor(
        "Atelier lyonnais", "association", insee_code=lyon.insee, commune=lyon.name,
        departement=lyon.departement,
    ).id  # fmt: skip
    store.add_relation(quarter["a1"], far, "partenariat", start_date="2025-03-01")
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    assert sum(report.active.values()) == 4
    assert report.by_departement["74"].active == 4 and report.by_departement["69"].active == 1
    assert sum(part.active for part in report.by_departement.values()) == 5  # > 4, as said
    html = activity_report_html(report)
    assert _(BY_DEPARTEMENT_NOTE) in html and _(BY_METIER_NOTE) in html
    for name, meaning in FIGURE_NOTES:
        assert f"<b>{_(name)}</b> : {html_escape(_(meaning))}" in html
    assert "Alliances en cours" in html and "Alliances actives" not in html


def test_the_report_opens_on_the_latest_quarter_that_has_something(store):
    today = date(2026, 12, 7)
    assert opening_period(store.conn, today) == (LAST_QUARTER, quarter_period(2026, 3))
    store.add_interaction("atelier", "2026-05-18", title="Atelier")
    store.add_interaction("atelier", "2024-02-01", title="Plus ancien")
    assert opening_period(store.conn, today) == (CUSTOM, quarter_period(2026, 2))
    store.add_interaction("reunion", "2026-12-01", title="Ce trimestre")
    assert opening_period(store.conn, today) == (THIS_QUARTER, Period(date(2026, 10, 1), today))
    store.add_interaction("appel", "2026-08-30", title="Le trimestre dernier")
    assert opening_period(store.conn, today) == (LAST_QUARTER, quarter_period(2026, 3))
