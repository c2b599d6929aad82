"""The vocabulary of the network: kinds of actors, relations and interactions.

Codes are stored in the database and synced; labels are French, translated at
display time through ``companion.i18n``.
"""

from __future__ import annotations

from companion.i18n import N_, _

ACTOR_KINDS: dict[str, str] = {
    "catalyseur": N_("Catalyseur"),
    "association": N_("Association"),
    "entreprise": N_("Entreprise"),
    "collectivite": N_("Collectivité"),
    "fondation": N_("Fondation"),
    "institution": N_("Institution publique"),
    "reseau": N_("Réseau / fédération"),
    "collectif": N_("Collectif citoyen"),
    "autre": N_("Autre"),
}

RELATION_TYPES: dict[str, str] = {
    "partenariat": N_("Partenariat"),
    "financement": N_("Financement"),
    "adhesion": N_("Adhésion"),
    "co-construction": N_("Co-construction"),
    "prestation": N_("Prestation"),
    "accompagnement": N_("Accompagnement"),
    "autre": N_("Autre"),
}

# The map's colour for each kind of actor (markers, legends, charts, the uMap export).
KIND_COLOURS: dict[str, str] = {
    "catalyseur": "#c0392b",
    "association": "#2e86c1",
    "entreprise": "#e67e22",
    "collectivite": "#27ae60",
    "fondation": "#8e44ad",
    "institution": "#6d4c41",
    "reseau": "#d81b60",
    "collectif": "#00a5a8",
    "autre": "#7f8c8d",
}

# The map's line for each type of relation: colour, dash pattern ("" for a solid line)
RELATION_STYLES: dict[str, tuple[str, str]] = {
    "partenariat": ("#2e86c1", ""),
    "financement": ("#27ae60", ""),
    "adhesion": ("#8e44ad", "4 4"),
    "co-construction": ("#e67e22", ""),
    "prestation": ("#6d4c41", "2 5"),
    "accompagnement": ("#00a5a8", "7 4"),
    "autre": ("#7f8c8d", "1 4"),
}

INTERACTION_KINDS: dict[str, str] = {
    "reunion": N_("Réunion"),
    "appel": N_("Appel"),
    "atelier": N_("Atelier"),
    "courriel": N_("Courriel"),
    "evenement": N_("Événement"),
    "visite": N_("Visite"),
}

# The legal bases of the RGPD (article 6) a catalyst may rely on to keep a contact.
LEGAL_BASES: dict[str, str] = {
    "consentement": N_("Consentement"),
    "interet_legitime": N_("Intérêt légitime"),
    "contrat": N_("Contrat"),
    "obligation_legale": N_("Obligation légale"),
    "mission_publique": N_("Mission d'intérêt public"),
    "interet_vital": N_("Intérêts vitaux"),
}

# The four métiers the network groups its catalysts' missions into; a catalyst
# practises one or several (stored as a JSON list in catalyst_profiles.metiers).
METIERS: dict[str, str] = {
    "dialogue": N_("Dialogue territorial"),
    "experimentation": N_("Expérimentations collectives"),
    "accompagnement": N_("Accompagnement"),
    "lieu": N_("Gestion d'un lieu"),
}

VISIBILITIES: dict[str, str] = {
    "private": N_("Privé"),
    "network": N_("Réseau"),
}

# Labels of a person's phones and e-mails (directory/contact_details.py); open: a
# newer version may add codes, shown as they are.
CONTACT_LABELS: dict[str, str] = {
    "travail": N_("Travail"),
    "mobile": N_("Mobile"),
    "domicile": N_("Domicile"),
    "autre": N_("Autre"),
}


def label(vocabulary: dict[str, str], code: str | None) -> str:
    """The translated label of a code, or the code itself when unknown."""
    if not code:
        return ""
    source = vocabulary.get(code)
    return _(source) if source else code
