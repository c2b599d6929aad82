"""Imports check e-mails, phones, SIREN, SIRET and RNA as the actor form does; exports keep them."""

import pytest

from companion.geo import Gazetteer
from companion.io.actor_fields import guess_mapping
from companion.io.actor_import import apply_import, plan_import
from tests.french import fr


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def write_csv(path, lines):
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def test_legal_identifier_headers_are_recognised():
    headers = ["Nom", "N° SIRET", "Numéro SIREN", "n° RNA", "Téléphone"]
    assert guess_mapping(headers) == {0: "name", 1: "siret", 2: "siren", 3: "rna", 4: "phone"}
    assert guess_mapping(["siret", "numero rna", "SIREN"]) == {0: "siret", 1: "rna", 2: "siren"}


def test_bad_values_are_problems_by_line_and_field(store, gazetteer, tmp_path):
    path = write_csv(
        tmp_path / "acteurs.csv",
        [
            "Nom;Code postal;Téléphone;SIREN;SIRET;RNA;Courriel",
            "Bon;69001;06 12 34 56 78;;732 829 320 00074;w751234567;Contact@Bon.example",
            "Téléphone faux;69001;12;;;;",
            "SIREN court;69001;;12345;;;",
            "SIRET faux;69001;;;73282932000075;;",
            "Incohérent;69001;;356000000;73282932000074;;",
            "RNA faux;69001;;;;751234567;",
            "Courriel faux;69001;;;;;pas-une-adresse",
        ],
    )
    plan = plan_import(store, gazetteer, path)
    messages = [str(problem) for problem in plan.problems]
    assert messages[0].startswith(
        fr("Ligne 3, Téléphone : « 12 » n'est pas un numéro de téléphone")
    )
    assert messages[1] == fr("Ligne 4, SIREN : Le SIREN « 12345 » doit compter 9 chiffres.")
    assert messages[2].startswith(fr("Ligne 5, SIRET : Le SIRET « 73282932000075 » est invalide"))
    assert messages[3].startswith(
        fr("Ligne 6, SIRET : Le SIRET « 73282932000074 » n'appartient pas")
    )
    assert messages[4].startswith(fr("Ligne 7, RNA : Le numéro RNA « 751234567 »"))
    assert messages[5] == fr("Ligne 8, Courriel : adresse « pas-une-adresse » invalide")
    assert len(messages) == 6

    [good] = plan.actors
    assert good.values["phone"] == "+33612345678"
    assert (good.values["siren"], good.values["siret"]) == ("732829320", "73282932000074")
    assert good.values["rna"] == "W751234567"
    assert good.values["email"] == "contact@bon.example"


def test_export_keeps_the_identifiers_and_imports_back(store, gazetteer, tmp_path):
    from companion.io.actor_export import HEADER, export_actors_csv
    from companion.store import Store

    store.add_actor(
        "Coopérative",
        "entreprise",
        phone="+33612345678",
        siren="732829320",
        siret="73282932000074",
        rna="W751234567",
    )
    store.add_actor("Belge", "association", phone="+3221234567")
    out = tmp_path / "export.csv"
    export_actors_csv(store, out)
    assert {"SIREN", "SIRET", "RNA"} <= set(HEADER)
    text = out.read_text(encoding="utf-8-sig")
    # Spaced, so that a spreadsheet keeps them as text.
    assert "06 12 34 56 78" in text and "+32 2 123 45 67" in text
    assert "732 829 320;732 829 320 00074;W751234567" in text

    fresh = Store.open(tmp_path / "autre.db")
    try:
        plan = plan_import(fresh, gazetteer, out)
        assert plan.problems == []
        apply_import(fresh, plan)
        [copy] = fresh.actors("cooperative")
        assert (copy.phone, copy.siren, copy.siret, copy.rna) == (
            "+33612345678",
            "732829320",
            "73282932000074",
            "W751234567",
        )
        assert fresh.actors("belge")[0].phone == "+3221234567"
    finally:
        fresh.close()
