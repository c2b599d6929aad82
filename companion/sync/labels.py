"""Synced records and fields in words: what the Conflicts view and the rejections show.

Qt-free. A record is named the way the directory names it; a value is shown the
way a form shows it (vocabulary labels, tag names, a linked record's name).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from companion import domain
from companion.i18n import N_, _

MAX_VALUE_CHARS = 200

FIELD_LABELS: dict[str, str] = {
    "*": N_("Fiche entière"),
    "owner": N_("Propriétaire"),
    "visibility": N_("Visibilité"),
    "created_at": N_("Date de création"),
    "deleted": N_("Suppression"),
    "name": N_("Nom"),
    "kind": N_("Type"),
    "description": N_("Description"),
    "insee_code": N_("Code INSEE"),
    "commune": N_("Commune"),
    "departement": N_("Département"),
    "postcode": N_("Code postal"),
    "address": N_("Adresse"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "website": N_("Site web"),
    "email": N_("E-mail"),
    "phone": N_("Téléphone"),
    "siren": N_("SIREN"),
    "siret": N_("SIRET"),
    "rna": N_("Numéro RNA"),
    "merged_into": N_("Fusionné dans"),
    "first_name": N_("Prénom"),
    "last_name": N_("Nom"),
    "notes": N_("Notes"),
    "legal_basis": N_("Base légale"),
    "collected_on": N_("Date de collecte"),
    "collection_source": N_("Source de la collecte"),
    "person_id": N_("Personne"),
    "actor_id": N_("Acteur"),
    "role": N_("Rôle"),
    "start_date": N_("Début"),
    "end_date": N_("Fin"),
    "source_id": N_("Acteur source"),
    "target_id": N_("Acteur cible"),
    "type": N_("Type"),
    "strength": N_("Intensité"),
    "date": N_("Date"),
    "title": N_("Titre"),
    "filter": N_("Filtre"),
    "south": N_("Emprise"),
    "west": N_("Emprise"),
    "north": N_("Emprise"),
    "east": N_("Emprise"),
    "position": N_("Position"),
    "steps": N_("Étapes du récit"),
    "other_contacts": N_("Autres e-mails et téléphones"),
    "tags": N_("Étiquettes"),
    "structure": N_("Structure"),
    "metiers": N_("Métiers"),
    "territories": N_("Territoire d'action"),
    "themes": N_("Thèmes"),
    "public_contact": N_("Contact public"),
    "missions": N_("Missions"),
}

# What a record of each table is, for records that are not actors.
TABLE_LABELS: dict[str, str] = {
    "actors": N_("acteur"),
    "people": N_("personne"),
    "affiliations": N_("rattachement"),
    "relations": N_("relation"),
    "interactions": N_("échange"),
    "tags": N_("étiquette"),
    "map_views": N_("vue de carte"),
    "catalyst_profiles": N_("profil de catalyseur"),
}

REJECTION_REASONS: dict[str, str] = {
    "forbidden": N_("fiche d'un autre membre"),
    "drift": N_("horloge de cet ordinateur décalée"),
    "invalid": N_("valeur invalide"),
    "malformed": N_("fiche reçue illisible"),
    "private": N_("fiche privée"),
}

_VOCABULARIES: dict[tuple[str, str], dict[str, str]] = {
    ("actors", "kind"): domain.ACTOR_KINDS,
    ("relations", "type"): domain.RELATION_TYPES,
    ("interactions", "kind"): domain.INTERACTION_KINDS,
    ("people", "legal_basis"): domain.LEGAL_BASES,
}
_LINKS = {
    "person_id": "people",
    "actor_id": "actors",
    "source_id": "actors",
    "target_id": "actors",
}


def field_label(field: str) -> str:
    return domain.label(FIELD_LABELS, field)


def rejection_reason(reason: str) -> str:
    return domain.label(REJECTION_REASONS, reason)


def record_name(conn: sqlite3.Connection, table: str, record_id: str) -> str:
    """ "Atelier Vélo", "Alice Martin (personne)", "A → B (relation)"; the id if unknown."""
    name = _bare_name(conn, table, record_id)
    if not name:
        return record_id
    if table == "actors":
        return name
    return _("{name} ({kind})").format(name=name, kind=domain.label(TABLE_LABELS, table))


def _bare_name(conn: sqlite3.Connection, table: str, record_id: str) -> str:
    if table in ("actors", "tags", "map_views"):
        return _one(conn, f"SELECT name FROM {table} WHERE id = ?", record_id)
    if table == "people":
        return _one(
            conn, "SELECT trim(first_name || ' ' || last_name) FROM people WHERE id = ?", record_id
        )
    if table == "interactions":
        return _one(conn, "SELECT coalesce(nullif(title, ''), date) FROM interactions "
                    "WHERE id = ?", record_id)  # fmt: skip
    if table == "catalyst_profiles":
        row = conn.execute(
            "SELECT actor_id FROM catalyst_profiles WHERE id = ?", (record_id,)
        ).fetchone()
        return _bare_name(conn, "actors", row[0]) if row else ""
    if table == "affiliations":
        row = conn.execute(
            "SELECT person_id, actor_id FROM affiliations WHERE id = ?", (record_id,)
        ).fetchone()
        if row is None:
            return ""
        return f"{_bare_name(conn, 'people', row[0])} — {_bare_name(conn, 'actors', row[1])}"
    if table == "relations":
        row = conn.execute(
            "SELECT source_id, target_id FROM relations WHERE id = ?", (record_id,)
        ).fetchone()
        return " → ".join(_bare_name(conn, "actors", i) for i in row or ())
    return ""


def _one(conn: sqlite3.Connection, sql: str, record_id: str) -> str:
    row = conn.execute(sql, (record_id,)).fetchone()
    return str(row[0]) if row and row[0] is not None else ""


def _contacts_text(value: str) -> str:
    """A person's other e-mails and phones on one line: « Mobile : +33612345678, … »
    (directory/contact_details.py's format; its primary-label markers left out)."""
    try:
        items = json.loads(value)
    except (ValueError, RecursionError):
        items = None
    if type(items) is not list:
        return " ".join(value.split())[:MAX_VALUE_CHARS]
    parts = [
        (f"{domain.label(domain.CONTACT_LABELS, str(item.get('label')))} : "
         if item.get("label") else "") + str(item.get("value"))
        for item in items
        if type(item) is dict and item.get("primary") is not True
    ]  # fmt: skip
    text = ", ".join(parts) or _("(vide)")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def value_text(conn: sqlite3.Connection, table: str, field: str, value: Any) -> str:
    """A field's value as a form would show it, on one line."""
    if value is None or value == "" or value == []:
        return _("(vide)")
    if field == "deleted":
        return _("fiche supprimée") if value else _("fiche présente")
    if field == "visibility":
        return domain.label(domain.VISIBILITIES, str(value))
    if field == "other_contacts" and isinstance(value, str):
        return _contacts_text(value)
    if field == "tags" and isinstance(value, list):
        names = [_one(conn, "SELECT name FROM tags WHERE id = ?", str(tag)) for tag in value]
        return ", ".join(name or str(tag) for name, tag in zip(names, value, strict=True))
    vocabulary = _VOCABULARIES.get((table, field))
    if vocabulary is not None:
        return domain.label(vocabulary, str(value))
    linked = table if field == "merged_into" else _LINKS.get(field)
    if linked is not None:
        return _bare_name(conn, linked, str(value)) or str(value)
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
