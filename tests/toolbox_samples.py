"""Toolbox items written into a temporary folder, laid out like resources/toolbox."""

from __future__ import annotations

import uuid
from pathlib import Path

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'

IDS = {
    "guide-carte": str(uuid.UUID(int=1, version=4)),
    "fiche-elus": str(uuid.UUID(int=2, version=4)),
    "modele-convention": str(uuid.UUID(int=3, version=4)),
    "modele-grille": str(uuid.UUID(int=4, version=4)),
}


def front_matter(slug: str, **overrides: object) -> str:
    fields: dict[str, object] = {
        "id": IDS.get(slug, str(uuid.uuid4())),
        "title": "Titre",
        "summary": "Résumé.",
        "theme": "cartographie",
        "type": "guide",
        "audience": ["catalyseurs"],
        "version": "1.0",
        "date": "2026-03-01",
        "authors": ["Réseau des catalyseurs"],
        "license": "CC BY-SA 4.0",
    }
    fields.update(overrides)
    lines = []
    for key, value in fields.items():
        if value is None:
            continue
        if key == "date":
            lines.append(f"date = {value}")
        elif isinstance(value, list):
            lines.append(f"{key} = [" + ", ".join(f'"{v}"' for v in value) + "]")
        else:
            lines.append(f'{key} = "{value}"')
    return "+++\n" + "\n".join(lines) + "\n+++\n"


ITEMS = {
    "guide-carte": (
        {
            "title": "Cartographier son écosystème",
            "summary": "Recenser les acteurs d'un territoire et leurs relations.",
            "related": ["fiche-elus"],
        },
        "# Cartographier son écosystème\n\n"
        "La carte montre qui travaille avec qui, et **qui ne travaille avec personne**.\n\n"
        "![Les familles d'acteurs](../images/familles.svg)\n\n"
        "## Étape 1 : recenser\n\n"
        "Recensez les associations, les entreprises et les collectivités.\n\n"
        "Voir aussi la [fiche élus](fiche-elus.md).\n",
    ),
    "fiche-elus": (
        {
            "title": "Rencontrer les élus",
            "summary": "Préparer un premier rendez-vous en mairie.",
            "theme": "relations-elus",
            "type": "fiche",
        },
        "Un rendez-vous avec une élue se prépare : présentez la démarche de coopération.\n",
    ),
    "modele-convention": (
        {
            "title": "Convention de partenariat",
            "summary": "Une convention type entre deux structures.",
            "theme": "alliance",
            "type": "modele",
        },
        "# Convention de partenariat\n\n"
        "## Article 1 : objet\n\n"
        "La présente convention a pour objet **la coopération** entre les *parties*.\n\n"
        "- premier engagement\n- second engagement\n\n"
        "1. signer\n2. archiver\n\n"
        "| Partie | Représentant |\n|---|---|\n| Association | Présidente |\n",
    ),
    "modele-grille": (
        {
            "title": "Grille de suivi des engagements",
            "summary": "Suivre qui fait quoi, pour quand.",
            "theme": "gouvernance",
            "type": "modele",
        },
        "| Engagement | Responsable | Échéance | État |\n"
        "|---|---|---|---|\n"
        "| Organiser l'atelier | Catalyseur | 15/04 | à faire |\n"
        "| Envoyer le compte rendu | Mairie | 30/04 | à faire |\n"
        "| Publier la carte | Association | 15/05 | en cours |\n",
    ),
}


def write_item(root: Path, slug: str, body: str, **fields: object) -> Path:
    path = root / "items" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front_matter(slug, **fields) + body, encoding="utf-8")
    return path


def make_toolbox(root: Path) -> Path:
    """A toolbox root with the sample items and their image."""
    for slug, (fields, body) in ITEMS.items():
        write_item(root, slug, body, **fields)
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "images" / "familles.svg").write_text(SVG, encoding="utf-8")
    return root
