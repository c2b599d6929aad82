"""Each import remembered as a batch: listed, shown alone, undone as one step."""

import pytest

from companion.app.importing import ImportRequest, check_with, write_checked
from companion.io import sources
from companion.io.import_batches import (
    BatchGone,
    batch_actor_ids,
    changed_since,
    list_batches,
    undo_batch,
)


def excel_csv(path, lines):
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def imported(store, path):
    return write_checked(store, check_with(store, ImportRequest(path, sources.TABLE)))


def test_an_import_is_a_batch_that_lists_its_records_and_undoes_as_one(store, tmp_path):
    kept = store.add_actor("Déjà là", "association", commune="Lyon", email="avant@ex.example")
    before = imported(
        store, excel_csv(tmp_path / "avant.csv", ["Nom;Code postal", "Hors import;94120"])
    )
    path = excel_csv(
        tmp_path / "acteurs.csv",
        [
            "Identifiant;Nom;Code postal;Commune;Courriel",
            ";Jardin partagé;94120;Fontenay-sous-Bois;",
            ";Atelier vélo;94120;Fontenay-sous-Bois;",
            f"{kept.id};Déjà là;69001;Lyon;apres@ex.example",
        ],
    )
    report = imported(store, path)
    assert report.batch_id and (report.created, report.updated) == (2, 1)
    [latest, first] = list_batches(store.conn)
    assert (latest.id, latest.source, latest.created, latest.updated) == (
        report.batch_id, "acteurs.csv", 2, 1,
    )  # fmt: skip
    assert first.id == before.batch_id
    names = sorted(actor.name for actor in store.actors(batch=report.batch_id))
    assert names == ["Atelier vélo", "Déjà là", "Jardin partagé"]
    assert store.count_actors(batch=report.batch_id) == 3
    assert [a.name for a in store.actors("vélo", batch=report.batch_id)] == ["Atelier vélo"]
    assert store.count_actors("hors", batch=report.batch_id) == 0
    assert len(batch_actor_ids(store.conn, report.batch_id)) == 3

    [garden] = [a for a in store.actors() if a.name == "Jardin partagé"]
    store.update_actor(garden.id, description="modifié après l'import")
    assert changed_since(store.conn, latest) == 1

    undone = undo_batch(store, report.batch_id)
    assert (undone.removed, undone.restored, undone.changed_since) == (2, 1, 1)
    assert sorted(actor.name for actor in store.actors()) == ["Déjà là", "Hors import"]
    again = store.get_actor(kept.id)
    assert (again.email, again.commune) == ("avant@ex.example", "Lyon")
    assert again.updated_at > kept.updated_at  # an undo is a new edit, for sync
    assert store.count_actors(batch=report.batch_id) == 1  # the restored one is still its
    with pytest.raises(BatchGone):
        undo_batch(store, report.batch_id)
    assert list_batches(store.conn)[0].undone_at is not None


def test_batches_stay_on_the_laptop(store):
    """No trigger captures them for sync."""
    triggers = store.conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
        "AND (tbl_name LIKE 'import_batch%' OR sql LIKE '%import_batch%')"
    ).fetchone()[0]
    assert triggers == 0


def test_a_refused_import_leaves_no_batch(store, tmp_path):
    path = excel_csv(tmp_path / "sale.csv", ["Nom;Courriel", "A;pas-un-courriel"])
    checked = check_with(store, ImportRequest(path, sources.TABLE))
    with pytest.raises(Exception, match="n'est pas importé"):
        write_checked(store, checked)
    assert list_batches(store.conn) == []


def test_a_contacts_import_is_a_batch_too(store, tmp_path):
    """People created and updated, their new organisation and affiliation: listed together,
    undone together."""
    from companion.directory.people import count_people, people_page

    known = store.add_person("Jérôme", "Martin", email="jerome@exemple.fr")
    path = tmp_path / "contacts.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Durand;Camille;;;\r\nFN:Camille Durand\r\n"
        "ORG:Atelier des Possibles\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Martin;Jérôme;;;\r\nFN:Jérôme Martin\r\n"
        "EMAIL:jerome@exemple.fr\r\nNOTE:Vu au forum\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    report = write_checked(store, check_with(store, ImportRequest(path, sources.VCARD)))
    assert report.batch_id and (report.created, report.updated) == (1, 1)
    assert count_people(store, batch=report.batch_id) == 2
    assert {row.last_name for row in people_page(store, batch=report.batch_id)} == {
        "Durand", "Martin",
    }  # fmt: skip
    assert count_people(store, "camille", batch=report.batch_id) == 1
    [organisation] = [a for a in store.actors() if a.name == "Atelier des Possibles"]
    assert list_batches(store.conn)[0].source == "contacts.vcf"

    undone = undo_batch(store, report.batch_id)
    assert (undone.removed, undone.restored) == (2, 1)  # Camille and the organisation
    assert [a.name for a in store.actors()] == []
    assert [p.last_name for p in people_page(store)] == ["Martin"]
    assert (
        store.conn.execute("SELECT count(*) FROM affiliations WHERE deleted = 0").fetchone()[0] == 0
    )
    assert store.conn.execute("SELECT notes FROM people WHERE id = ?", (known.id,)).fetchone()[
        0
    ] in (None, "")  # the note the import added is gone
    assert organisation.id


def test_the_zones_a_map_brought_go_with_its_undo(store, tmp_path):
    import json

    from companion.store.zones import list_zones

    square = [[[4.83, 45.75], [4.84, 45.75], [4.84, 45.76], [4.83, 45.76], [4.83, 45.75]]]
    features = [
        {"type": "Feature", "properties": {"name": "Quartier des Pentes"},
         "geometry": {"type": "Polygon", "coordinates": square}},
        {"type": "Feature", "properties": {"name": "Mairie du 1er"},
         "geometry": {"type": "Point", "coordinates": [4.835, 45.755]}},
    ]  # fmt: skip
    path = tmp_path / "carte.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    report = write_checked(store, check_with(store, ImportRequest(path, sources.GEOJSON)))
    assert (report.created, report.zones) == (1, 1)
    assert [zone.name for zone in list_zones(store.conn)] == ["Quartier des Pentes"]
    undo_batch(store, report.batch_id)
    assert list_zones(store.conn) == [] and store.count_actors() == 0
