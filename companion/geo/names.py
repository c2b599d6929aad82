"""Commune names: official spelling with article, and folded search keys."""

from __future__ import annotations

from companion.text import fold

# INSEE "TNCC" (type_nom): which article precedes the bare name ("nom").
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}
# Abbreviations people type for "Saint"/"Sainte".
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def full_name(bare: str, type_nom: str) -> str:
    """The official spelling of a commune name, e.g. ("Havre", "2") -> "Le Havre".

    Only for communes: département and région names are complete without
    their article ("Ain", not "L'Ain")."""
    return _ARTICLES.get(type_nom, "") + bare


def name_keys(bare: str, type_nom: str) -> set[str]:
    """Folded keys under which a commune is found: with and without its article."""
    keys = {fold(full_name(bare, type_nom)), fold(bare)}
    keys.discard("")
    return keys


def compact_key(key: str) -> str:
    """A folded key without its spaces: "l hay les roses" -> "lhaylesroses"."""
    return key.replace(" ", "")


def query_key(text: str) -> str:
    """Fold a searched name, expanding "st"/"ste" to "saint"/"sainte"."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in fold(text).split())
