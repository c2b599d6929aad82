"""The vocabulary of the network: kinds of actors, relations and interactions.

Codes are stored in the database and synced; labels are French, translated at
display time through ``companion.i18n``.
"""

from __future__ import annotations

from companion.i18n import _

ACTOR_KINDS: dict[str, str] = {
    "catalyseur": "Catalyseur",
    "association": "Association",
    "entreprise": "Entreprise",
    "collectivite": "Collectivité",
    "fondation": "Fondation",
    "institution": "Institution publique",
    "reseau": "Réseau / fédération",
    "collectif": "Collectif citoyen",
    "autre": "Autre",
}

RELATION_TYPES: dict[str, str] = {
    "partenariat": "Partenariat",
    "financement": "Financement",
    "adhesion": "Adhésion",
    "co-construction": "Co-construction",
    "prestation": "Prestation",
    "accompagnement": "Accompagnement",
    "autre": "Autre",
}

INTERACTION_KINDS: dict[str, str] = {
    "reunion": "Réunion",
    "appel": "Appel",
    "atelier": "Atelier",
    "courriel": "Courriel",
    "evenement": "Événement",
    "visite": "Visite",
}

VISIBILITIES: dict[str, str] = {
    "private": "Privé",
    "network": "Réseau",
}


def label(vocabulary: dict[str, str], code: str | None) -> str:
    """The translated label of a code, or the code itself when unknown."""
    if not code:
        return ""
    source = vocabulary.get(code)
    return _(source) if source else code
