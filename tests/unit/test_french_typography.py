"""French typography in the translation layer: punctuation bound to its word."""

import pytest

from companion.i18n import NBSP, NNBSP, _, french_typography, ngettext, set_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("« {name} »", f"«{NBSP}{{name}}{NBSP}»"),
        ("Fichier : {path}", f"Fichier{NBSP}: {{path}}"),
        ("Supprimer ?", f"Supprimer{NNBSP}?"),
        ("Attention ! Tout ; rien", f"Attention{NNBSP}! Tout{NNBSP}; rien"),
        ("« Quoi ? »", f"«{NBSP}Quoi{NNBSP}?{NBSP}»"),
        # Nothing else moves: no space added, URLs, times and format specs untouched.
        ("https://hub.example:8443/?q=1", "https://hub.example:8443/?q=1"),
        ("{ratio:.1f} à 10:30", "{ratio:.1f} à 10:30"),
        ("«déjà collé»", "«déjà collé»"),
        ("a  :  b", f"a{NBSP}:  b"),
    ],
)
def test_the_rules(text, expected):
    assert french_typography(text) == expected


def test_french_strings_come_back_typographic_and_values_are_left_alone():
    assert _("Vue inconnue : « {name} »").format(name="ma vue : 1 »") == (
        f"Vue inconnue{NBSP}: «{NBSP}ma vue : 1 »{NBSP}»"
    )
    assert ngettext("{n} acteur ?", "{n} acteurs ?", 2) == f"{{n}} acteurs{NNBSP}?"


def test_other_languages_are_left_as_their_catalog_writes_them():
    try:
        set_language("en")
        assert NBSP not in _("Vue inconnue : « {name} »")
    finally:
        set_language("fr")
