"""Personal data (RGPD): what is held about a person, and who is due for review.

- ``export_person`` gathers every record about one person (right of access), and
  ``write_person_export`` writes it as JSON and as a readable text file.
- ``people_to_review`` lists people nobody has met for years (storage limitation).

Erasing a person (right to erasure) also tells the hub: ``app/erasure.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from companion.directory.contact_details import EMAIL, contacts_of, label_name
from companion.directory.validate import format_phone
from companion.domain import INTERACTION_KINDS, LEGAL_BASES, VISIBILITIES, label
from companion.i18n import _
from companion.store import Store
from companion.store.records import now_iso
from companion.store.store import InvalidRecord
from companion.text import fold

REVIEW_YEARS_SETTING = "rgpd.review_years"
DEFAULT_REVIEW_YEARS = 3


def _rows(store: Store, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = store.conn.execute(sql, params)
    columns = [column[0] for column in cursor.description]
    return [
        {k: v for k, v in zip(columns, row, strict=True) if k != "seq"} for row in cursor.fetchall()
    ]


def person_ids(store: Store, person_id: str) -> list[str]:
    """The person and the records merged into it (tombstones pointing at it)."""
    merged = store.conn.execute("SELECT id FROM people WHERE merged_into = ?", (person_id,))
    return [person_id, *(row[0] for row in merged)]


def _marks(ids: list[str]) -> str:
    return ", ".join("?" * len(ids))


# -- right of access ----------------------------------------------------------


def export_person(store: Store, person_id: str) -> dict[str, Any]:
    """Everything held about one person: records, links, exchanges, RGPD fields, ids."""
    found = _rows(store, "SELECT * FROM people WHERE id = ?", (person_id,))
    if not found:
        raise InvalidRecord(_("Fiche introuvable : {id}").format(id=person_id))
    person = found[0]
    ids = person_ids(store, person_id)
    marks = _marks(ids)
    merged = _rows(store, "SELECT * FROM people WHERE merged_into = ? ORDER BY seq", (person_id,))
    affiliations = _rows(
        store,
        "SELECT f.*, a.name AS actor_name FROM affiliations f "
        f"LEFT JOIN actors a ON a.id = f.actor_id WHERE f.person_id IN ({marks}) ORDER BY f.seq",
        ids,
    )
    interactions = _rows(
        store,
        "SELECT i.*, a.name AS actor_name FROM interactions i "
        f"LEFT JOIN actors a ON a.id = i.actor_id WHERE i.person_id IN ({marks}) "
        "ORDER BY i.date, i.seq",
        ids,
    )
    return {
        "exported_at": now_iso(),
        "person": person,
        "rgpd": {
            "legal_basis": person.get("legal_basis"),
            "legal_basis_label": label(LEGAL_BASES, person.get("legal_basis")),
            "collected_on": person.get("collected_on"),
            "collection_source": person.get("collection_source") or "",
        },
        "merged_records": merged,
        "affiliations": affiliations,
        "interactions": interactions,
        "tags": _person_tags(store, ids),
        "record_ids": {
            "people": ids,
            "affiliations": [row["id"] for row in affiliations],
            "interactions": [row["id"] for row in interactions],
        },
    }


def _person_tags(store: Store, ids: list[str]) -> list[str]:
    """People have no tags in the current schema; read them if a later one adds them."""
    tables = {row[0] for row in store.conn.execute("SELECT name FROM sqlite_master")}
    if "person_tags" not in tables:
        return []
    sql = (
        "SELECT DISTINCT t.name FROM person_tags pt JOIN tags t ON t.id = pt.tag_id "
        f"WHERE pt.person_id IN ({_marks(ids)}) ORDER BY t.name"
    )
    return [row[0] for row in store.conn.execute(sql, ids)]


def write_person_export(store: Store, person_id: str, folder: Path | str) -> list[Path]:
    """Write ``export_person`` to ``folder`` as JSON and as French text; return both paths."""
    data = export_person(store, person_id)
    person = data["person"]
    name = f"{person['first_name']} {person['last_name']}".strip()
    stem = "donnees-" + ("-".join(fold(name).split()) or "personne") + f"-{date.today()}"
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    json_path, text_path = _free_paths(folder, stem)
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    text_path.write_text(export_text(data), encoding="utf-8")
    return [json_path, text_path]


def _free_paths(folder: Path, stem: str) -> tuple[Path, Path]:
    number = 1
    while True:
        suffix = "" if number == 1 else f"-{number}"
        paths = folder / f"{stem}{suffix}.json", folder / f"{stem}{suffix}.txt"
        if not any(path.exists() for path in paths):
            return paths
        number += 1


def export_text(data: dict[str, Any]) -> str:
    """The export as a text a person can read (French by default, like the interface)."""
    person = data["person"]
    name = f"{person['first_name']} {person['last_name']}".strip()
    lines = [
        _("Données personnelles détenues sur {name}").format(name=name),
        _("Exportées le {date}").format(date=data["exported_at"][:10]),
        "",
        _("Identité"),
    ]

    def field(title: str, value: Any) -> None:
        if value not in (None, ""):
            lines.append(f"  {title} : {value}")

    field(_("Prénom"), person["first_name"])
    field(_("Nom"), person["last_name"])
    emails, phones = contacts_of(person["email"], person["phone"], person.get("other_contacts"))
    for contact in (*emails, *phones):
        title = _("E-mail") if contact.kind == EMAIL else _("Téléphone")
        if contact.label:
            title = f"{title} ({label_name(contact.label).lower()})"
        field(title, contact.value if contact.kind == EMAIL else format_phone(contact.value))
    field(_("Notes"), person["notes"])
    field(_("Visibilité"), label(VISIBILITIES, person["visibility"]))
    field(_("Fiche créée le"), person["created_at"][:10])
    field(_("Fiche modifiée le"), person["updated_at"][:10])
    lines += ["", _("Données RGPD")]
    field(_("Base légale"), data["rgpd"]["legal_basis_label"] or _("non renseignée"))
    field(_("Date de collecte"), data["rgpd"]["collected_on"] or _("non renseignée"))
    field(_("Source de la collecte"), data["rgpd"]["collection_source"] or _("non renseignée"))
    lines += ["", _("Organisations")]
    for row in data["affiliations"]:
        text = row["actor_name"] or row["actor_id"]
        if row["role"]:
            text += f" — {row['role']}"
        if row["deleted"]:
            text += " " + _("(supprimée)")
        lines.append(f"  - {text}")
    if not data["affiliations"]:
        lines.append("  " + _("aucune"))
    lines += ["", _("Échanges")]
    for row in data["interactions"]:
        parts = [row["date"][:10], label(INTERACTION_KINDS, row["kind"]), row["title"]]
        text = " · ".join(part for part in parts if part)
        if row["actor_name"]:
            text += f" ({row['actor_name']})"
        lines.append(f"  - {text}")
        if row["notes"]:
            lines.append(f"      {row['notes']}")
    if not data["interactions"]:
        lines.append("  " + _("aucun"))
    if data["tags"]:
        lines += ["", _("Étiquettes"), "  " + ", ".join(data["tags"])]
    lines += ["", _("Identifiants des fiches")]
    for table, title in (
        ("people", _("Personne")),
        ("affiliations", _("Affiliation")),
        ("interactions", _("Échange")),
    ):
        for record_id in data["record_ids"][table]:
            lines.append(f"  {title} : {record_id}")
    return "\n".join(lines) + "\n"


# -- storage limitation -------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    person_id: str
    name: str
    last_interaction: str | None  # None: never met
    collected_on: str  # the collection date, or the day the record was created


def review_years(store: Store) -> int:
    """How many years without an exchange before a person is due for review (a setting)."""
    try:
        years = int(store.setting(REVIEW_YEARS_SETTING) or DEFAULT_REVIEW_YEARS)
    except ValueError:
        return DEFAULT_REVIEW_YEARS
    return years if years > 0 else DEFAULT_REVIEW_YEARS


def set_review_years(store: Store, years: int) -> None:
    store.set_setting(REVIEW_YEARS_SETTING, str(max(1, int(years))))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def people_to_review(
    store: Store, years: int | None = None, today: date | None = None
) -> list[ReviewItem]:
    """People with no exchange for ``years`` (or none, collected that long ago), oldest first."""
    years = review_years(store) if years is None else years
    cutoff = _years_before(today or date.today(), years).isoformat()
    sql = """
        SELECT id, trim(first_name || ' ' || last_name), last, collected FROM (
            SELECT p.id, p.first_name, p.last_name,
                   (SELECT max(substr(i.date, 1, 10)) FROM interactions i
                    WHERE i.person_id = p.id AND i.deleted = 0) AS last,
                   coalesce(p.collected_on, substr(p.created_at, 1, 10)) AS collected
            FROM people p WHERE p.deleted = 0)
        WHERE (last IS NOT NULL AND last < :cutoff) OR (last IS NULL AND collected < :cutoff)
        ORDER BY coalesce(last, collected), 2
    """
    return [ReviewItem(*row) for row in store.conn.execute(sql, {"cutoff": cutoff})]
