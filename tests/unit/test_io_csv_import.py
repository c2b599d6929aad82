"""Importing actors from spreadsheets as they are really exported."""

import threading

import pytest

from companion.geo import Gazetteer
from companion.io.actor_import import apply_import, plan_import
from companion.io.import_plan import ImportRefused
from companion.io.textfile import UnreadableFile, detect_format
from tests.french import fr

HEADER = (
    "Nom de la structure;Type;Adresse;Code postal;Ville;E-mail;Téléphone;Étiquettes;"
    "Latitude;Longitude"
)


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


def write_excel_csv(path, lines):
    """French Excel: semicolons, Windows-1252, CRLF."""
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def good_file(tmp_path):
    return write_excel_csv(
        tmp_path / "acteurs.csv",
        [
            HEADER,
            'Épicerie solidaire;Association;"12 rue de l\'Église\r\nBâtiment B";1000;'
            "Bourg-en-Bresse;contact@epicerie.example;04 74 00 00 00;Alimentation, Insertion;;",
            "Garage Étienne;Entreprise;;94120;Fontenay-sous-Bois;;;Mobilité;48,8512;2,4760",
            "Mairie de Lyon;Collectivité;;;Lyon;;;;;",
        ],
    )


def test_french_excel_file_is_read_and_imported(store, gazetteer, tmp_path):
    path = good_file(tmp_path)
    assert detect_format(path).encoding == "cp1252" and detect_format(path).delimiter == ";"

    plan = plan_import(store, gazetteer, path)
    assert plan.problems == []
    assert (plan.creates, plan.updates) == (3, 0)
    assert [a.line for a in plan.actors] == [2, 4, 5]  # the quoted address spans two lines

    report = apply_import(store, plan)
    assert (report.created, report.updated) == (3, 0)
    [epicerie] = store.actors("épicerie")
    assert epicerie.kind == "association"
    assert (epicerie.commune, epicerie.postcode, epicerie.departement) == (
        "Bourg-en-Bresse",
        "01000",
        "01",
    )
    assert epicerie.address == "12 rue de l'Église\r\nBâtiment B"
    assert store.tags_of(epicerie.id) == ["Alimentation", "Insertion"]
    [garage] = store.actors("garage etienne")
    assert (garage.latitude, garage.longitude) == (48.8512, 2.476)  # decimal commas
    [mairie] = store.actors("mairie lyon")
    assert mairie.kind == "collectivite" and mairie.insee_code == "69123"
    assert store.count_actors("mobilite") == 1  # tags are searchable


def test_reimporting_the_same_file_duplicates_nothing(store, gazetteer, tmp_path):
    path = good_file(tmp_path)
    apply_import(store, plan_import(store, gazetteer, path))
    again = plan_import(store, gazetteer, path)
    assert (again.creates, again.updates) == (0, 3)
    apply_import(store, again)
    assert store.count_actors() == 3


def test_problems_are_listed_by_line_and_field_and_nothing_is_written(store, gazetteer, tmp_path):
    path = write_excel_csv(
        tmp_path / "sale.csv",
        [
            HEADER,
            "Bon acteur;Association;;94120;;;;;;",
            "Mauvais courriel;Association;;94120;;pas-une-adresse;;;;",
            "Code inconnu;Association;;9413;;;;;;",
            "Homonyme;Association;;;Saint-Denis;;;;;",
            ";Association;;94120;;;;;;",
            "Hors limites;Vaisseau;;94120;;;;;95,0;2,4",
            "Bon acteur;Association;;94120;;;;;;",
        ],
    )
    plan = plan_import(store, gazetteer, path)
    messages = [str(problem) for problem in plan.problems]
    assert messages[0] == fr("Ligne 3, Courriel : adresse « pas-une-adresse » invalide")
    assert messages[1] == fr("Ligne 4, Commune : code postal « 09413 » inconnu")
    assert messages[2].startswith(fr("Ligne 5, Commune : commune « Saint-Denis » ambiguë"))
    assert "(93)" in messages[2] and "(974)" in messages[2] and "code postal" in messages[2]
    assert messages[3] == fr("Ligne 6, Nom : valeur manquante")
    assert fr("Ligne 7, Type : type d'acteur « Vaisseau » inconnu") in messages
    assert fr("Ligne 7, Latitude : 95,0 est hors limites (-90 à 90)") in messages
    assert messages[-1] == fr("Ligne 8 : doublon de la ligne 2")

    with pytest.raises(ImportRefused, match="problème"):
        apply_import(store, plan)
    assert store.count_actors() == 0


def test_utf8_with_bom_and_commas(store, gazetteer, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeffName,Type,Postcode,City,Email\n"
        '"Coopérative ""La Fourmi""",Entreprise,69001,Lyon,Fourmi@Exemple.example\n'.encode()
    )
    text_format = detect_format(path)
    assert (text_format.encoding, text_format.delimiter) == ("utf-8-sig", ",")
    plan = plan_import(store, gazetteer, path)
    assert plan.problems == []
    apply_import(store, plan)
    [actor] = store.actors()
    assert actor.name == 'Coopérative "La Fourmi"' and actor.email == "fourmi@exemple.example"
    assert actor.commune.startswith("Lyon")


def test_an_accent_far_down_the_file_still_decides_the_encoding(tmp_path):
    lines = ["Nom;Ville"] + [f"Acteur {i};Lyon" for i in range(5000)] + ["Société;Évry"]
    path = write_excel_csv(tmp_path / "long.csv", lines)
    assert detect_format(path).encoding == "cp1252"


def test_cancelling_writes_nothing(store, gazetteer, tmp_path):
    lines = [HEADER] + [f"Acteur {i};Association;;94120;;;;;;" for i in range(2500)]
    plan = plan_import(store, gazetteer, write_excel_csv(tmp_path / "gros.csv", lines))
    cancel = threading.Event()
    with pytest.raises(ImportRefused, match="annulé"):
        apply_import(store, plan, progress=lambda done, total, message: cancel.set(), cancel=cancel)
    assert store.count_actors() == 0
    assert store.conn.execute("SELECT count(*) FROM tags").fetchone()[0] == 0


def test_a_file_without_a_name_column_is_explained(store, gazetteer, tmp_path):
    path = write_excel_csv(tmp_path / "sans-nom.csv", ["Ville;Code postal", "Lyon;69001"])
    [problem] = plan_import(store, gazetteer, path).problems
    assert fr("colonne « Nom »") in str(problem)


def test_unreadable_files_name_the_file(store, gazetteer, tmp_path):
    missing = tmp_path / "absent.csv"
    with pytest.raises(UnreadableFile, match=fr("absent.csv » : fichier introuvable")):
        plan_import(store, gazetteer, missing)
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="vide.csv"):
        plan_import(store, gazetteer, empty)


def test_id_column_matches_existing_actors_and_never_creates_non_uuid_ids(
    store, gazetteer, tmp_path
):
    existing = store.add_actor("Ancien nom", "association")
    path = write_excel_csv(
        tmp_path / "ids.csv",
        [
            "Identifiant;Nom;Type",
            f"{existing.id};Nouveau nom;Fondation",
            "17;Autre acteur;Association",
        ],
    )
    plan = plan_import(store, gazetteer, path)
    apply_import(store, plan)
    assert store.get_actor(existing.id).name == "Nouveau nom"
    assert store.get_actor(existing.id).kind == "fondation"
    [other] = store.actors("autre acteur")
    assert other.id != "17" and len(other.id) == 36


def test_export_then_import_round_trips(store, gazetteer, tmp_path):
    from companion.io.actor_export import export_actors_csv
    from companion.store import Store

    apply_import(store, plan_import(store, gazetteer, good_file(tmp_path)))
    store.add_actor("Réseau « Les Liens »; test", "reseau", visibility="private", latitude=43.3)
    out = tmp_path / "export.csv"
    assert export_actors_csv(store, out) == 4
    assert out.read_bytes().startswith(b"\xef\xbb\xbfIdentifiant;Nom;Type;")

    again = plan_import(store, gazetteer, out)
    assert again.problems == [] and (again.creates, again.updates) == (0, 4)

    fresh = Store.open(tmp_path / "autre.db")
    try:
        apply_import(fresh, plan_import(fresh, gazetteer, out))
        before = {a.id: a for a in store.actors()}
        after = {a.id: a for a in fresh.actors()}
        assert before.keys() == after.keys()  # ids travel in the file
        for actor_id, actor in before.items():
            copy = after[actor_id]
            for name in ("name", "kind", "commune", "postcode", "email", "visibility", "latitude"):
                assert getattr(copy, name) == getattr(actor, name), (actor.name, name)
            assert fresh.tags_of(actor_id) == store.tags_of(actor_id)
    finally:
        fresh.close()


def test_large_files_preload_the_gazetteer_with_the_same_results(
    store, gazetteer, tmp_path, monkeypatch
):
    from companion.io import actor_import

    path = write_excel_csv(
        tmp_path / "mixte.csv",
        [
            HEADER,
            "A;Association;;75011;;;;;;",
            "B;Association;;;Saint-Denis;;;;;",
            "C;Association;;93200;Saint-Denis;;;;;",
            "D;Association;;73440;Saint-Martin-de-Belleville;;;;;",
            "E;Association;;9413;;;;;;",
            "F;Association;;;Évry;;;;;",
            "G;Association;;;Lyon;;;;;",
        ],
    )

    def outcome():
        plan = plan_import(store, gazetteer, path)
        places = [(a.line, a.values.get("insee_code")) for a in plan.actors]
        return places, [str(p) for p in plan.problems]

    by_query = outcome()
    monkeypatch.setattr(actor_import, "PRELOAD_BYTES", 0)
    assert outcome() == by_query
    places, problems = by_query
    assert dict(places)[2] == "75111" and dict(places)[4] == "93066"
    assert len(problems) == 2  # the ambiguous Saint-Denis and the unknown postcode


def test_commune_names_as_people_type_them(store, gazetteer, tmp_path, monkeypatch):
    """An elided article glued on, no apostrophe, hyphens left out: the commune is found,
    by name alone or checked against the postcode, with or without the preloaded index."""
    from companion.io import actor_import

    path = write_excel_csv(
        tmp_path / "communes.csv",
        [
            HEADER,
            "A;Association;;94240;Lhay les Roses;;;;;",
            "B;Association;;;Lisle sur la Sorgue;;;;;",
            "C;Association;;59650;Villeneuve dAscq;;;;;",
            "D;Association;;94130;Nogentsur Marne;;;;;",
        ],
    )

    def places():
        plan = plan_import(store, gazetteer, path)
        assert plan.problems == []
        return [a.values.get("insee_code") for a in plan.actors]

    assert places() == ["94038", "84054", "59009", "94052"]
    monkeypatch.setattr(actor_import, "PRELOAD_BYTES", 0)
    assert places() == ["94038", "84054", "59009", "94052"]


def test_reimport_matches_on_siret_then_email_whatever_the_case(store, gazetteer, tmp_path):
    first = write_excel_csv(
        tmp_path / "v1.csv",
        [
            "Nom;Type;Ville;Code postal;SIRET;E-mail",
            "Garage Solidaire;Entreprise;Lyon;69001;732 829 320 00074;",
            "Épicerie Vrac;Association;Lyon;69001;;Contact@Epicerie.example",
        ],
    )
    apply_import(store, plan_import(store, gazetteer, first))
    # A year later: both renamed and moved, one e-mail typed in capitals.
    second = write_excel_csv(
        tmp_path / "v2.csv",
        [
            "Nom;Type;Ville;Code postal;SIRET;E-mail",
            "Garage Solidaire & Co;Entreprise;Vienne;38200;73282932000074;",
            "L'Épicerie en Vrac;Association;Vienne;38200;;CONTACT@epicerie.example",
        ],
    )
    plan = plan_import(store, gazetteer, second)
    assert [(a.match, a.existing_name) for a in plan.actors] == [
        ("siret", "Garage Solidaire"),
        ("email", "Épicerie Vrac"),
    ]
    apply_import(store, plan)
    assert store.count_actors() == 2
    assert {a.commune for a in store.actors()} == {"Vienne"}


def _actor_indexes(store):
    rows = store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'actors'"
    )
    return sorted(rows)


def test_a_large_import_keeps_every_index_even_when_cancelled(store, gazetteer, tmp_path):
    before = _actor_indexes(store)
    lines = ["Nom;Type;Code postal;Ville"] + [
        f"Structure {n};Association;69001;Lyon" for n in range(1500)
    ]
    path = write_excel_csv(tmp_path / "gros.csv", lines)
    plan = plan_import(store, gazetteer, path)
    cancel = threading.Event()

    def cancel_midway(done, total, _message):
        if done >= 1000:
            cancel.set()

    with pytest.raises(ImportRefused):
        apply_import(store, plan, progress=cancel_midway, cancel=cancel)
    assert _actor_indexes(store) == before and store.count_actors() == 0
    apply_import(store, plan)
    assert _actor_indexes(store) == before and store.count_actors() == 1500
    plan_text = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM actors WHERE kind = 'association' AND deleted = 0 "
        "ORDER BY sort_name"
    ).fetchall()
    assert "actors_by_kind" in str(plan_text)


def test_a_folder_or_a_missing_vcard_is_explained_in_french(tmp_path):
    from companion.io.vcard import VCardError, read_cards

    with pytest.raises(UnreadableFile, match="c'est un dossier, pas un fichier"):
        detect_format(tmp_path)
    with pytest.raises(VCardError, match="fichier introuvable"):
        read_cards(tmp_path / "contacts.vcf")
