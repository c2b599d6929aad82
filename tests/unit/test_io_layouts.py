"""Column mappings remembered per file layout (the wizard and the command line share them)."""

import json

import pytest

from companion.io import layouts
from companion.io.layouts import (
    LayoutError,
    apply_layout,
    find_layout,
    mapping_by_headers,
    proposed_mapping,
    remember_layout,
    saved_layouts,
    signature,
)
from tests.french import fr

HEADERS = ["Raison", "CP", "Mél", "Notes internes"]


def test_the_signature_ignores_case_accents_spaces_and_trailing_blank_columns():
    assert signature(["Raison", "Code postal"]) == signature([" RAISON", "code  postal", "", ""])
    assert signature(["Raison", "Code postal"]) != signature(["Code postal", "Raison"])
    assert len(signature(HEADERS)) == 40


def test_a_remembered_mapping_is_proposed_for_the_same_layout(store):
    guessed, layout = proposed_mapping(store, HEADERS)
    assert layout is None and guessed == {1: "postcode"}  # only what the synonyms know

    remember_layout(store, HEADERS, {0: "name", 1: "postcode", 2: "email"}, "Adhérents 2024")
    mapping, layout = proposed_mapping(store, ["raison", "cp", "MÉL", "Notes Internes"])
    assert mapping == {0: "name", 1: "postcode", 2: "email"}
    assert layout.name == "Adhérents 2024" and layout.used_on
    key = layouts.PREFIX + signature(HEADERS)
    assert json.loads(store.setting(key))["mapping"] == {"0": "name", "1": "postcode", "2": "email"}


def test_remembering_again_replaces_the_mapping_and_keeps_the_name(store):
    remember_layout(store, HEADERS, {0: "name"}, "Adhérents")
    remember_layout(store, HEADERS, {0: "name", 1: "postcode"})
    [layout] = saved_layouts(store)
    assert layout.name == "Adhérents" and layout.mapping == {0: "name", 1: "postcode"}


def test_a_layout_is_found_by_name_or_signature_and_applied_to_other_columns(store):
    saved = remember_layout(store, HEADERS, {0: "name", 1: "postcode"}, "Adhérents")
    assert find_layout(store, "adherents") == saved
    assert find_layout(store, saved.signature[:8]) == saved
    assert find_layout(store, "inconnue") is None

    other = ["Date", "CP", "Raison"]
    assert apply_layout(saved, other) == {2: "name", 1: "postcode"}
    with pytest.raises(LayoutError, match=fr("colonne\\(s\\) absente\\(s\\) du fichier : CP")):
        apply_layout(saved, ["Raison", "Ville"])


def test_unknown_fields_are_refused_and_retired_fields_forgotten(store):
    with pytest.raises(LayoutError, match=fr("champ\\(s\\) inconnu\\(s\\) : nom_inconnu")):
        mapping_by_headers({"Raison": "nom_inconnu"}, HEADERS, "m.json")
    store.set_setting(
        layouts.PREFIX + signature(HEADERS),
        json.dumps({"name": "Vieux", "headers": HEADERS, "mapping": {"0": "name", "1": "retire"}}),
    )
    assert proposed_mapping(store, HEADERS)[0] == {0: "name"}
    store.set_setting(layouts.PREFIX + "abimee", "{pas du json")
    assert [layout.name for layout in saved_layouts(store)] == ["Vieux"]
