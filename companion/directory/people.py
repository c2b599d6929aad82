"""People in the directory: pages of the people list, one person's details, the person form.

Qt-free: the people table model, the person card and the form call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from companion.directory.contact_details import EMAIL, PHONE, Contact, checked, stored_contacts
from companion.directory.validate import InvalidValue, check_email, check_phone
from companion.domain import LEGAL_BASES, VISIBILITIES
from companion.errors import CompanionError
from companion.i18n import _
from companion.store import Person, Store
from companion.store.records import from_row
from companion.store.search import PERSON_RANK, match_expression

# Organisations (names of the actors a person is affiliated with) and the last
# exchange, computed per row: a page costs what its rows cost.
_ORGANISATIONS = (
    "(SELECT group_concat(name, ', ') FROM (SELECT a.name FROM affiliations f "
    "JOIN actors a ON a.id = f.actor_id WHERE f.person_id = p.id AND f.deleted = 0 "
    "AND a.deleted = 0 ORDER BY a.sort_name))"
)
_LAST_INTERACTION = (
    "(SELECT max(i.date) FROM interactions i WHERE i.person_id = p.id AND i.deleted = 0)"
)
SORT_COLUMNS = {
    "name": "p.last_name {d}, p.first_name {d}",
    "organisations": "organisations IS NULL, organisations {d}",
    "email": "p.email IS NULL, p.email {d}",
    "phone": "p.phone IS NULL, p.phone {d}",
    "last_interaction": "last_interaction IS NULL, last_interaction {d}",
    "visibility": "p.visibility {d}",
}
_SELECT = (
    "SELECT p.id, p.first_name, p.last_name, p.email, p.phone, p.visibility, "
    f"{_ORGANISATIONS} AS organisations, {_LAST_INTERACTION} AS last_interaction "
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class PersonRow:
    """One line of the people list."""

    id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    visibility: str
    organisations: str  # actor names, comma separated
    last_interaction: str | None  # ISO date of the latest exchange with this person

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class AffiliationView:
    """An affiliation seen from a person: the actor's name and the role."""

    id: str
    actor_id: str
    actor_name: str
    role: str
    start_date: str | None
    end_date: str | None


def _in_batch(batch: str) -> tuple[str, list[Any]]:
    """A condition on ``p``: one of the people an import wrote (``io/import_batches.py``)."""
    return (
        "p.id IN (SELECT record_id FROM import_batch_records WHERE batch_id = ? "
        "AND tbl = 'people') AND p.deleted = 0",
        [batch],
    )


def count_people(store: Store, query: str = "", batch: str | None = None) -> int:
    """Live people, all or those matching every word of ``query`` (as prefixes);
    ``batch``: only those an import wrote."""
    if batch is not None:
        condition, params = _in_batch(batch)
        expression = match_expression(query) if query.strip() else None
        if query.strip() and expression is None:
            return 0
        if expression:
            condition += " AND p.seq IN (SELECT rowid FROM people_fts WHERE people_fts MATCH ?)"
            params.append(expression)
        sql = f"SELECT count(*) FROM people p WHERE {condition}"
        return int(store.conn.execute(sql, params).fetchone()[0])
    if not query.strip():
        return int(
            store.conn.execute("SELECT count(*) FROM people WHERE deleted = 0").fetchone()[0]
        )
    expression = match_expression(query)
    if expression is None:
        return 0
    sql = "SELECT count(*) FROM people_fts WHERE people_fts MATCH ?"
    return int(store.conn.execute(sql, (expression,)).fetchone()[0])


def people_page(
    store: Store,
    query: str = "",
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    batch: str | None = None,
) -> list[PersonRow]:
    """A page of people; sort "rank" (when searching) is best match first; ``batch``:
    only those an import wrote."""
    expression = match_expression(query) if query.strip() else None
    if query.strip() and expression is None:
        return []
    direction = "DESC" if descending else "ASC"
    if sort == "rank" and expression and batch is None:
        order = f"{PERSON_RANK}, p.seq"
    else:
        column = SORT_COLUMNS.get(sort, SORT_COLUMNS["name"]).format(d=direction)
        order = f"{column}, p.last_name, p.first_name, p.seq"
    if batch is not None:
        condition, listed = _in_batch(batch)
        if expression:
            condition += " AND p.seq IN (SELECT rowid FROM people_fts WHERE people_fts MATCH ?)"
            listed.append(expression)
        sql = f"{_SELECT} FROM people p WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?"
        params: tuple[Any, ...] = (*listed, limit, offset)
    elif expression:
        sql = (
            f"{_SELECT} FROM people_fts JOIN people p ON p.seq = people_fts.rowid "
            f"WHERE people_fts MATCH ? ORDER BY {order} LIMIT ? OFFSET ?"
        )
        params = (expression, limit, offset)
    else:
        sql = f"{_SELECT} FROM people p WHERE p.deleted = 0 ORDER BY {order} LIMIT ? OFFSET ?"
        params = (limit, offset)
    cursor = store.conn.execute(sql, params)
    return [
        PersonRow(*row[:6], organisations=row[6] or "", last_interaction=row[7])
        for row in cursor.fetchall()
    ]


def all_person_ids(store: Store, query: str = "") -> list[str]:
    """The ids of every person listed for ``query`` (a "select all" in the table)."""
    expression = match_expression(query) if query.strip() else None
    if query.strip() and expression is None:
        return []
    if expression:
        sql = (
            "SELECT p.id FROM people_fts JOIN people p ON p.seq = people_fts.rowid "
            "WHERE people_fts MATCH ?"
        )
        return [row[0] for row in store.conn.execute(sql, (expression,))]
    return [row[0] for row in store.conn.execute("SELECT id FROM people WHERE deleted = 0")]


def affiliations_of(store: Store, person_id: str) -> list[AffiliationView]:
    """The live affiliations of a person, by actor name."""
    sql = (
        "SELECT f.id, f.actor_id, a.name, f.role, f.start_date, f.end_date "
        "FROM affiliations f JOIN actors a ON a.id = f.actor_id "
        "WHERE f.person_id = ? AND f.deleted = 0 AND a.deleted = 0 ORDER BY a.sort_name"
    )
    return [AffiliationView(*row) for row in store.conn.execute(sql, (person_id,))]


def last_interaction_of(store: Store, person_id: str) -> str | None:
    sql = "SELECT max(date) FROM interactions WHERE person_id = ? AND deleted = 0"
    return store.conn.execute(sql, (person_id,)).fetchone()[0]


# -- the person form ----------------------------------------------------------


class FieldError(CompanionError):
    """A value of the person form was refused; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(_("{field} : {message}").format(field=field_label(field), message=message))


def field_label(field: str) -> str:
    """The form's name of a field; "emails:1" is the second e-mail (« E-mail 2 »)."""
    kind, _sep, index = field.partition(":")
    if index.isdigit() and kind in ("emails", "phones"):
        name = _("E-mail") if kind == "emails" else _("Téléphone")
        return name if index == "0" else f"{name} {int(index) + 1}"
    labels = {
        "first_name": _("Prénom"),
        "last_name": _("Nom"),
        "email": _("E-mail"),
        "phone": _("Téléphone"),
        "notes": _("Notes"),
        "visibility": _("Visibilité"),
        "legal_basis": _("Base légale"),
        "collected_on": _("Date de collecte"),
        "collection_source": _("Source de la collecte"),
    }
    return labels.get(field, field)


def check_person_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The person form's values in their stored form, or ``FieldError`` naming the field."""
    first = str(values.get("first_name") or "").strip()
    last = str(values.get("last_name") or "").strip()
    if not (first or last):
        raise FieldError("last_name", _("une personne doit avoir un prénom ou un nom."))
    fields: dict[str, Any] = {"first_name": first, "last_name": last}
    if "emails" in values or "phones" in values:
        fields.update(_checked_contacts(values))
    for name, check in (("email", check_email), ("phone", check_phone)):
        if name in fields:
            continue
        try:
            fields[name] = check(values.get(name))
        except InvalidValue as error:
            raise FieldError(name, str(error)) from error
    visibility = values.get("visibility") or "network"
    if visibility not in VISIBILITIES:
        raise FieldError("visibility", _("choisissez privé ou réseau."))
    basis = values.get("legal_basis") or None
    if basis is not None and basis not in LEGAL_BASES:
        raise FieldError("legal_basis", _("base légale inconnue « {value} ».").format(value=basis))
    collected = str(values.get("collected_on") or "").strip() or None
    if collected is not None:
        if not _ISO_DATE.match(collected):
            raise FieldError("collected_on", _("attendu au format AAAA-MM-JJ."))
        try:
            day = date.fromisoformat(collected)
        except ValueError as error:
            raise FieldError("collected_on", _("cette date n'existe pas.")) from error
        if day > date.today():
            raise FieldError("collected_on", _("la date ne peut pas être dans le futur."))
    fields.update(
        notes=str(values.get("notes") or "").strip(),
        visibility=visibility,
        legal_basis=basis,
        collected_on=collected,
        collection_source=str(values.get("collection_source") or "").strip(),
    )
    return fields


def _checked_contacts(values: dict[str, Any]) -> dict[str, Any]:
    """``values["emails"]`` and ``values["phones"]`` (lists of (label, text) as typed, the
    first one primary) as the stored columns; ``FieldError`` names the row at fault."""
    contacts: list[Contact] = []
    for key, kind in (("emails", EMAIL), ("phones", PHONE)):
        for index, (label, text) in enumerate(values.get(key) or []):
            if not str(text or "").strip():
                continue
            try:
                contacts.append(checked(Contact(kind, label or "", str(text))))
            except InvalidValue as error:
                raise FieldError(f"{key}:{index}", str(error)) from error
    return stored_contacts(contacts)


def save_person(store: Store, values: dict[str, Any], person_id: str | None = None) -> Person:
    """Create (no ``person_id``) or update a person from the form, as one undo step.

    Raises ``FieldError`` and writes nothing when a value is refused.
    """
    fields = check_person_fields(values)
    name = f"{fields['first_name']} {fields['last_name']}".strip()
    if person_id is None:
        with store.undoable(_("Ajouter {name}").format(name=name)):
            return store.add_person(**fields)
    with store.undoable(_("Modifier {name}").format(name=name)):
        row = store.update_record("people", person_id, **fields)
    return from_row(Person, row)
