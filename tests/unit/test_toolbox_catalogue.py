"""The local catalogue: bundle installation, hub items, search, facets, personal lists."""

import hashlib

import pytest
from toolbox_samples import IDS, ITEMS, make_toolbox, write_item

from companion.toolbox import catalogue, personal, search
from companion.toolbox.catalogue import StagedFile, install_bundled, install_item
from companion.toolbox.items import ItemFile, ToolboxError, parse_item


@pytest.fixture
def root(tmp_path):
    return make_toolbox(tmp_path / "toolbox")


def titles(hits):
    return [hit.title for hit in hits]


def test_install_is_idempotent_and_cheap_when_nothing_changed(store, root):
    first = install_bundled(store, root)
    assert (first.installed, first.updated, first.problems) == (4, 0, ())
    again = install_bundled(store, root)
    assert again.up_to_date
    forced = install_bundled(store, root, force=True)
    assert (forced.installed, forced.updated, forced.unchanged) == (0, 0, 4)
    count = store.conn.execute("SELECT count(*) FROM toolbox_items").fetchone()[0]
    assert count == 4
    files = store.conn.execute(
        "SELECT path FROM toolbox_files WHERE item_id = ? ORDER BY path", (IDS["guide-carte"],)
    ).fetchall()
    assert files == [("images/familles.svg",), ("items/guide-carte.md",)]


def test_a_new_version_updates_the_item_and_keeps_notes_and_favourites(store, root):
    install_bundled(store, root)
    item_id = IDS["fiche-elus"]
    personal.set_note(store, item_id, "Appeler la mairie mardi.")
    personal.set_favourite(store, item_id)
    fields, _body = ITEMS["fiche-elus"]
    write_item(
        root,
        "fiche-elus",
        "Nouveau texte sur les conseillères municipales.\n",
        **{**fields, "version": "1.1"},
    )

    report = install_bundled(store, root)

    assert (report.installed, report.updated, report.unchanged) == (0, 1, 3)
    assert store.conn.execute(
        "SELECT version FROM toolbox_items WHERE id = ?", (item_id,)
    ).fetchone() == ("1.1",)
    assert personal.note(store.conn, item_id) == "Appeler la mairie mardi."
    assert [e.id for e in personal.favourites(store.conn)] == [item_id]
    assert titles(search.search(store.conn, "conseilleres")) == ["Rencontrer les élus"]
    assert search.search(store.conn, "demarche") == []  # the old text left the index


def test_a_changed_image_updates_the_files(store, root):
    install_bundled(store, root)
    (root / "images" / "familles.svg").write_text("<svg/>", encoding="utf-8")
    report = install_bundled(store, root)
    assert report.updated == 1
    sha = store.conn.execute(
        "SELECT sha256 FROM toolbox_files WHERE path = 'images/familles.svg'"
    ).fetchone()[0]
    assert sha == hashlib.sha256(b"<svg/>").hexdigest()


def test_withdrawn_and_broken_items(store, root):
    install_bundled(store, root)
    personal.set_note(store, IDS["modele-grille"], "À garder")
    (root / "items" / "modele-grille.md").unlink()
    (root / "items" / "casse.md").write_text("pas d'en-tête", encoding="utf-8")
    report = install_bundled(store, root)
    assert report.removed == 1
    assert len(report.problems) == 1 and "casse.md" in report.problems[0]
    assert "Grille de suivi des engagements" not in [e.title for e in search.catalogue(store.conn)]
    assert personal.note(store.conn, IDS["modele-grille"]) == "À garder"


def test_search_ignores_accents_and_highlights_matches(store, root):
    install_bundled(store, root)
    for text in ("ecosysteme", "écosystème", "ÉCOSYST", "eco"):
        assert titles(search.search(store.conn, text))[0] == "Cartographier son écosystème"
    [hit] = search.search(store.conn, "elue cooperation")
    assert hit.title == "Rencontrer les élus"
    highlighted = [text for text, marked in hit.snippet if marked]
    assert highlighted == ["élue", "coopération"]
    assert "".join(text for text, _marked in hit.snippet).startswith("Un rendez-vous")


def test_title_matches_rank_first_and_are_highlighted(store, root):
    install_bundled(store, root)
    hits = search.search(store.conn, "convention")
    assert titles(hits) == ["Convention de partenariat"]
    assert hits[0].title_segments == (("Convention", True), (" de partenariat", False))
    write_item(
        root,
        "fiche-mention",
        "On cite une convention en passant, une seule fois.\n",
        title="Une fiche",
        summary="Rien à voir.",
    )
    install_bundled(store, root)
    assert titles(search.search(store.conn, "convention"))[0] == "Convention de partenariat"


def test_search_filters_and_never_reads_link_targets(store, root):
    install_bundled(store, root)
    assert titles(search.search(store.conn, "associations", theme="alliance")) == []
    assert titles(search.search(store.conn, "associations", type="guide")) == [
        "Cartographier son écosystème"
    ]
    assert search.search(store.conn, "familles svg") == []  # image path, not text
    assert search.search(store.conn, '"*') == []
    assert search.count_matches(store.conn, "engagement") == 2


def test_catalogue_and_facets(store, root):
    install_bundled(store, root)
    entries = search.catalogue(store.conn)
    assert [e.title for e in entries] == [
        "Cartographier son écosystème",
        "Convention de partenariat",
        "Grille de suivi des engagements",
        "Rencontrer les élus",
    ]
    assert [e.title for e in search.catalogue(store.conn, type="modele")] == [
        "Convention de partenariat",
        "Grille de suivi des engagements",
    ]
    facets = search.facets(store.conn)
    assert facets.types == {"guide": 1, "fiche": 1, "modele": 2}
    assert facets.themes == {
        "cartographie": 1,
        "relations-elus": 1,
        "alliance": 1,
        "gouvernance": 1,
    }
    assert search.facets(store.conn, type="modele").themes == {"alliance": 1, "gouvernance": 1}
    assert search.facets(store.conn, text="engagement").types == {"modele": 2}


def test_favourites_recent_and_notes(store, root):
    install_bundled(store, root)
    a, b, c = IDS["guide-carte"], IDS["fiche-elus"], IDS["modele-grille"]
    for item_id in (a, b, c, a):
        personal.mark_opened(store, item_id)
    assert [e.id for e in personal.recent(store.conn)] == [a, c, b]
    personal.set_favourite(store, b)
    personal.set_favourite(store, b)
    assert personal.is_favourite(store.conn, b)
    personal.set_favourite(store, b, False)
    assert personal.favourites(store.conn) == []
    personal.set_note(store, a, "Note")
    personal.set_note(store, a, "  ")
    assert personal.note(store.conn, a) == ""


def staged(tmp_path, path, data, sha=None):
    file = tmp_path / "downloads" / path.replace("/", "_")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    return StagedFile(ItemFile(path, sha or hashlib.sha256(data).hexdigest(), len(data)), file)


def hub_item(slug, version, body):
    from toolbox_samples import front_matter

    fields, _ = ITEMS[slug]
    data = (front_matter(slug, **{**fields, "version": version}) + body).encode()
    return parse_item(data, f"items/{slug}.md"), data


def test_a_newer_hub_version_replaces_the_bundled_one(store, root, tmp_path):
    install_bundled(store, root)
    personal.set_favourite(store, IDS["guide-carte"])
    item, data = hub_item("guide-carte", "2.0", "Version du réseau ![x](../images/neuve.svg)\n")
    files = [
        staged(tmp_path, item.path, data),
        staged(tmp_path, "images/neuve.svg", b"<svg/>"),
    ]
    assert install_item(store, item, files)

    installed = catalogue.get_item(store, item.id)
    assert (installed.source, installed.item.version) == ("hub", "2.0")
    assert installed.root == store.path.parent / "boiteaoutils"
    assert (installed.root / "images" / "neuve.svg").read_bytes() == b"<svg/>"
    assert titles(search.search(store.conn, "version reseau")) == ["Cartographier son écosystème"]
    assert personal.is_favourite(store.conn, item.id)
    # The bundle, even reinstalled, does not bring the older version back.
    assert install_bundled(store, root, force=True).updated == 0
    assert catalogue.get_item(store, item.id).item.version == "2.0"


def test_hub_files_are_checked_before_anything_moves(store, root, tmp_path):
    install_bundled(store, root)
    item, data = hub_item("guide-carte", "2.0", "Corps.\n")
    bad = [staged(tmp_path, item.path, data), staged(tmp_path, "images/x.svg", b"a", "0" * 64)]
    with pytest.raises(ToolboxError, match="SHA-256"):
        install_item(store, item, bad)
    assert not (store.path.parent / "boiteaoutils").exists()
    assert catalogue.get_item(store, item.id).item.version == "1.0"

    for path in ("../evil.svg", "images\\..\\..\\evil.svg", "C:/evil.svg", "/tmp/evil.svg"):
        escaping = [staged(tmp_path, item.path, data), staged(tmp_path, path, b"a")]
        with pytest.raises(ToolboxError, match="Chemin de fichier refusé"):
            install_item(store, item, escaping)


def test_an_older_hub_version_is_not_installed(store, root, tmp_path):
    install_bundled(store, root)
    item, data = hub_item("guide-carte", "0.9", "Ancien.\n")
    assert not install_item(store, item, [staged(tmp_path, item.path, data)])
    assert catalogue.get_item(store, item.id).source == "bundled"


def test_the_toolbox_core_is_qt_free_and_light_to_import():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import companion.toolbox.catalogue, companion.toolbox.search\n"
        "import companion.toolbox.personal\n"
        "heavy = ('PySide6', 'shiboken6', 'markdown', 'docx', 'openpyxl', 'sqlite_utils')\n"
        "light = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "import companion.toolbox.render, companion.toolbox.templates\n"
        "import companion.toolbox.docx_export, companion.toolbox.xlsx_export\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(light), '|', ','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "|"


def test_snippets_fold_accents_and_respect_word_starts():
    from companion.toolbox.snippets import highlight, query_terms, snippet

    terms = query_terms("elu ETIENNE")
    assert highlight("L’élue de Saint-Étienne, pas Télus", terms) == (
        ("L’", False),
        ("élue", True),
        (" de Saint-", False),
        ("Étienne", True),
        (", pas Télus", False),
    )
    text = "Début. " + "mot " * 200 + "la coopération des élus " + "fin " * 200
    passage = snippet(text, query_terms("cooperation elus"))
    assert passage[0] == ("…", False) and passage[-1] == ("…", False)
    assert [part for part, marked in passage if marked] == ["coopération", "élus"]
    assert len("".join(part for part, _marked in passage)) < 200
    assert snippet("rien ici", terms) == ()
