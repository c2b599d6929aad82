"""Invented words and names for the demo network: plainly fictional, never a real organisation."""

from __future__ import annotations

import random

_ONSETS = ["br", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "tr", "cl", "gr"]
_VOWELS = ["a", "e", "i", "o", "u", "ou", "au", "é"]
_CODAS = ["", "", "n", "l", "r", "s", "m"]
_ENDINGS = ["ane", "ille", "ouse", "ac", "in", "elle", "ot", "ure", "ette", "ande"]

FIRST_NAMES = [
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgan",
    "Lou",
    "Maxime",
    "Charlie",
    "Andréa",
    "Noa",
    "Élie",
    "Jade",
    "Léo",
    "Inès",
    "Yanis",
    "Chloé",
    "Hugo",
    "Manon",
    "Karim",
    "Sofia",
    "Malik",
    "Lucie",
    "Théo",
    "Awa",
    "Nathan",
    "Zoé",
    "Mathis",
    "Lina",
    "Hélène",
]

THEMES = [
    "Alimentation",
    "Mobilité",
    "Emploi",
    "Transition écologique",
    "Numérique",
    "Culture",
    "Santé",
    "Économie circulaire",
    "Insertion",
    "Jeunesse",
    "Logement",
    "Énergie",
    "Éducation",
    "Sport",
    "Tourisme",
    "Agriculture",
]

ACTOR_PATTERNS: dict[str, list[str]] = {
    "association": [
        "Association {word}",
        "Les Amis de {word}",
        "{word} Solidaire",
        "Collectif associatif {word}",
    ],
    "entreprise": ["{word} SARL", "Établissements {word}", "{word} Conseil", "Coopérative {word}"],
    "collectivite": ["Communauté de communes fictive {word}", "Syndicat mixte {word}"],
    "fondation": ["Fondation {word}", "Fonds de dotation {word}"],
    "institution": ["Agence publique {word}", "Maison des services {word}"],
    "reseau": ["Réseau {word}", "Fédération {word}"],
    "collectif": ["Collectif citoyen {word}", "Habitants de {word}"],
    "autre": ["Tiers-lieu {word}", "Atelier {word}"],
}

THEME_ACTIVITY = {
    "Alimentation": "un projet alimentaire de territoire",
    "Mobilité": "des solutions de mobilité partagée",
    "Emploi": "l'accès à l'emploi des jeunes",
    "Transition écologique": "la rénovation énergétique de l'habitat",
    "Numérique": "l'inclusion numérique",
    "Culture": "une programmation culturelle itinérante",
    "Santé": "l'accès aux soins en zone rurale",
    "Économie circulaire": "une ressourcerie",
    "Insertion": "un chantier d'insertion",
    "Jeunesse": "l'engagement des jeunes",
    "Logement": "l'habitat inclusif",
    "Énergie": "une centrale villageoise solaire",
    "Éducation": "le soutien scolaire",
    "Sport": "le sport pour tous",
    "Tourisme": "le tourisme durable",
    "Agriculture": "l'installation de jeunes agriculteurs",
}

ROLES: dict[str, list[str]] = {
    "association": ["Présidente", "Président", "Coordinatrice", "Bénévole", "Trésorier"],
    "entreprise": ["Gérante", "Directeur", "Responsable RSE", "Chargée de mission"],
    "collectivite": [
        "Élue à la transition",
        "Directeur général des services",
        "Chargée de développement",
    ],
    "fondation": ["Déléguée générale", "Chargé de programmes"],
    "institution": ["Directrice", "Chargé de mission territoire"],
    "reseau": ["Animatrice", "Délégué régional"],
    "collectif": ["Membre fondateur", "Porte-parole"],
    "autre": ["Responsable", "Animateur"],
    "catalyseur": ["Catalyseuse territoriale", "Catalyseur territorial"],
}

INTERACTION_TITLES = {
    "reunion": ["Réunion de lancement", "Comité de pilotage", "Point d'étape"],
    "appel": ["Appel de prise de contact", "Appel de suivi"],
    "atelier": ["Atelier de co-construction", "Atelier diagnostic partagé"],
    "courriel": ["Envoi du compte rendu", "Invitation à la rencontre"],
    "evenement": ["Rencontre des acteurs du territoire", "Forum des alliances"],
    "visite": ["Visite du site", "Visite de terrain"],
}


def invented_word(rng: random.Random) -> str:
    """A pronounceable word that belongs to no real organisation, e.g. "Bravelune"."""
    syllables = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        for _ in range(rng.randint(1, 2))
    )
    return (syllables + rng.choice(_ENDINGS)).capitalize()


def last_name(rng: random.Random) -> str:
    return invented_word(rng)
