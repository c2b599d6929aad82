"""The demo catalysts' public profiles: structures, métiers, territories, themes, missions.

Drawn from a generator of their own (seeded from the demo's seed), so adding
profiles changed nothing else the demo draws; the same seed gives the same
profiles. Territories lie around the catalyst's commune: the commune itself,
often its intercommunalité, some neighbouring communes, sometimes the département.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from typing import Any

from companion.demo import names
from companion.geo import Commune

# Where catalysts come from: local authorities, associations, companies, foundations, research.
STRUCTURES = [
    "Association {word} Initiatives",
    "Communauté de communes fictive {word}",
    "Coopérative {word}",
    "Fondation {word}",
    "Laboratoire {word} (université fictive)",
    "Maison de l'emploi {word}",
    "Tiers-lieu {word}",
    "Agence de développement {word}",
    "Chambre consulaire fictive {word}",
]
METIER_WEIGHTS = {"dialogue": 5, "experimentation": 3, "accompagnement": 4, "lieu": 2}
MISSIONS = {
    "dialogue": (
        "Réunit les acteurs {around} pour qu'ils se connaissent, partage la connaissance du "
        "territoire et met en relation ceux qui gagnent à travailler ensemble."
    ),
    "experimentation": (
        "Identifie avec eux les besoins communs et co-pilote des expérimentations sur {theme}, "
        "puis en évalue les résultats."
    ),
    "accompagnement": (
        "Accompagne les porteurs de projets et les partenariats naissants, forme aux pratiques "
        "de coopération et diffuse ce qui marche vers d'autres territoires."
    ),
    "lieu": (
        "Anime {place}, lieu de rencontre, de travail partagé et de démonstration ouvert aux "
        "habitants, associations et entreprises."
    ),
}
PLACES = ["un tiers-lieu", "un espace de coworking", "un fab lab", "une maison des alliances"]
THEME_WORDS = {
    "Alimentation": "l'alimentation locale",
    "Mobilité": "la mobilité",
    "Emploi": "l'emploi",
    "Transition écologique": "la transition écologique",
    "Numérique": "l'inclusion numérique",
    "Culture": "la culture",
    "Santé": "l'accès aux soins",
}


def profile_rng(seed: int) -> random.Random:
    """The profiles' own generator: the rest of the demo draws from another."""
    return random.Random(f"profils-{seed}")


def profile_row(
    rng: random.Random,
    catalyst: dict[str, Any],
    home: Commune,
    neighbours: list[Commune],
    epoch: Any,
) -> dict[str, Any]:
    """A complete ``catalyst_profiles`` row for a demo catalyst, owned like its actor."""
    metiers = _metiers(rng)
    themes = rng.sample(names.THEMES, rng.randint(2, 4))
    if rng.random() < 0.6:  # the themes the network names most often come first
        themes[0] = rng.choice(list(THEME_WORDS))
    themes = list(dict.fromkeys(themes))
    created = (epoch + timedelta(minutes=rng.randrange(0, 60 * 24 * 900))).isoformat(
        timespec="milliseconds"
    )
    created = created.replace("+00:00", "Z")
    word = names.invented_word(rng)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor_id": catalyst["id"],
        "owner": catalyst["owner"],
        "visibility": "network",
        "created_at": created,
        "updated_at": created,
        "deleted": 0,
        "structure": rng.choice(STRUCTURES).format(word=word),
        "metiers": json.dumps(metiers),
        "territories": json.dumps(_territories(rng, home, neighbours)),
        "themes": json.dumps(themes, ensure_ascii=False),
        "public_contact": catalyst.get("email") or "",
        "missions": _missions(rng, metiers, home, themes),
    }


def _metiers(rng: random.Random) -> list[str]:
    count = rng.choices([1, 2, 3], weights=[4, 5, 2])[0]
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(rng.choices(list(METIER_WEIGHTS), weights=list(METIER_WEIGHTS.values()))[0])
    return [code for code in METIER_WEIGHTS if code in chosen]


def _territories(rng: random.Random, home: Commune, neighbours: list[Commune]) -> list[str]:
    found = [f"commune:{home.insee}"]
    if home.epci and rng.random() < 0.7:
        found.append(f"epci:{home.epci}")
    others = [c for c in neighbours if c.insee != home.insee]
    for commune in rng.sample(others, min(len(others), rng.randint(0, 3))):
        found.append(f"commune:{commune.insee}")
    if rng.random() < 0.25:
        found.append(f"departement:{home.departement}")
    return found


def _missions(rng: random.Random, metiers: list[str], home: Commune, themes: list[str]) -> str:
    theme = THEME_WORDS.get(themes[0], themes[0].lower())
    sentences = [
        MISSIONS[code].format(around=_around(home.name), theme=theme, place=rng.choice(PLACES))
        for code in metiers
    ]
    return " ".join(sentences) + " Profil fictif (données de démonstration)."


_ARTICLES = (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'"))


def _around(name: str) -> str:
    """ "autour de Lyon", "autour du Havre", "autour des Mureaux", "autour de la Rochelle"."""
    for article, contracted in _ARTICLES:
        if name.startswith(article):
            return "autour " + contracted + name[len(article) :]
    return "autour de " + name
