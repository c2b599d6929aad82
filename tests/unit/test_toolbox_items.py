"""Item files: front matter parsed and checked, files known by SHA-256, the bundle readable."""

import hashlib

import pytest
from toolbox_samples import IDS, front_matter, make_toolbox, write_item

from companion.errors import CompanionError
from companion.toolbox import items
from companion.toolbox.items import ItemError, parse_item
from tests.french import fr


def test_an_item_file_becomes_a_dataclass(tmp_path):
    root = make_toolbox(tmp_path)
    item = items.read_item(root, "items/guide-carte.md")
    data = (root / "items" / "guide-carte.md").read_bytes()
    assert item.id == IDS["guide-carte"]
    assert item.slug == "guide-carte"
    assert item.title == "Cartographier son écosystème"
    assert (item.theme, item.type) == ("cartographie", "guide")
    assert item.audience == ("catalyseurs",)
    assert item.date == "2026-03-01"
    assert item.related == ("fiche-elus",)
    assert item.duration is None and item.level is None
    assert item.body.startswith("# Cartographier")
    assert item.sha256 == hashlib.sha256(data).hexdigest()


def test_item_files_are_the_item_and_its_images_with_their_hashes(tmp_path):
    root = make_toolbox(tmp_path)
    item = items.read_item(root, "items/guide-carte.md")
    files = items.item_files(root, item)
    assert [f.path for f in files] == ["items/guide-carte.md", "images/familles.svg"]
    image = (root / "images" / "familles.svg").read_bytes()
    assert files[1].sha256 == hashlib.sha256(image).hexdigest()
    assert files[1].size == len(image)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": None}, "« title » est obligatoire"),
        ({"theme": "jardinage"}, "« theme » doit être l'une des valeurs"),
        ({"type": "roman"}, "« type » doit être l'une des valeurs"),
        ({"id": "pas-un-uuid"}, "« id » doit être un identifiant UUID"),
        ({"audience": "catalyseurs"}, "« audience » doit être une liste de textes"),
        ({"date": '"hier"'}, "« date » doit être une date"),
    ],
)
def test_bad_keys_are_named_in_french(tmp_path, fields, expected):
    path = write_item(tmp_path, "mauvais", "Texte.\n", **fields)
    with pytest.raises(ItemError) as error:
        items.read_item(tmp_path, "items/mauvais.md")
    assert isinstance(error.value, CompanionError)
    assert "items/mauvais.md" in str(error.value)
    assert fr(expected) in str(error.value)
    assert path.exists()


def test_missing_or_broken_front_matter_is_explained():
    with pytest.raises(ItemError, match=fr("« \\+\\+\\+ » manque au début")):
        parse_item(b"# Pas d'en-tete\n", "items/x.md")
    with pytest.raises(ItemError, match="ferme l'en-tête"):
        parse_item(b"+++\ntitle = 'x'\n", "items/x.md")
    with pytest.raises(ItemError, match="TOML illisible"):
        parse_item(b"+++\ntitle = \n+++\n", "items/x.md")
    with pytest.raises(ItemError, match="UTF-8"):
        parse_item("+++\ntitle = 'é'\n+++\n".encode("latin-1"), "items/x.md")


def test_version_numbers_compare_as_numbers():
    assert items.is_newer("1.10", "1.9")
    assert items.is_newer("2", "1.9.9")
    assert not items.is_newer("1.0", "1.0")
    assert not items.is_newer("1.2", "1.10")


def test_references_resolve_inside_the_root_only():
    assert items.resolve("items/a.md", "../images/x.svg") == "images/x.svg"
    assert items.resolve("items/a.md", "../../secret.txt") is None
    assert items.resolve("items/a.md", "https://example.org/x.png") is None
    assert items.resolve("items/a.md", "/etc/passwd") is None
    assert items.linked_slug("autre-fiche.md#etapes") == "autre-fiche"
    assert items.linked_slug("companion://action/presentation") is None
    body = "![a](../images/a.svg) [b](b.md) ![c](https://x.org/c.png)"
    assert items.image_targets(body) == ["../images/a.svg", "https://x.org/c.png"]
    assert items.link_targets(body) == ["b.md"]


def test_a_crlf_file_with_bom_parses():
    text = front_matter("guide-carte", title="Titre") + "Corps.\n"
    data = ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")
    item = parse_item(data, "items/guide-carte.md")
    assert item.title == "Titre"
    assert item.body.strip() == "Corps."


def test_bundled_items_of_a_root(tmp_path):
    root = make_toolbox(tmp_path)
    assert [item.slug for item in items.bundled_items(root)] == sorted(
        ["guide-carte", "fiche-elus", "modele-convention", "modele-grille"]
    )


def test_the_shipped_bundle_is_complete_and_consistent():
    root = items.bundle_root()
    bundled = items.bundled_items()
    slugs = {item.slug for item in bundled}
    assert len(bundled) >= 15
    assert {item.type for item in bundled} == set(items.TYPES)
    assert len({item.id for item in bundled}) == len(bundled)
    problems = []
    for item in bundled:
        for target in items.link_targets(item.body):
            slug = items.linked_slug(target)
            if slug is not None and slug not in slugs:
                problems.append(f"{item.slug}: lien vers {target}")
            elif items.is_local(target) and slug is None:
                problems.append(f"{item.slug}: lien local {target}")
        for path in items.image_paths(item):
            if not (root / path).is_file():
                problems.append(f"{item.slug}: image {path}")
        problems += [f"{item.slug}: related {s}" for s in item.related if s not in slugs]
    assert problems == []
