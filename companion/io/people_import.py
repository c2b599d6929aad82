"""Importing people from an address book (vCard), with their organisation as an affiliation.

A person already in the directory (same vCard UID kept as id, or same e-mail, or
same name) is updated, not duplicated; an organisation is matched to an actor of
the same name, or created. Everything is written in one transaction.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from companion.directory.contact_details import (
    EMAIL,
    PHONE,
    Contact,
    label_from_types,
    normalised,
    stored_contacts,
)
from companion.i18n import _
from companion.io.import_batches import previous_rows, record_batch
from companion.io.import_plan import ImportRefused
from companion.io.vcard import Card, read_cards
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold

PROGRESS_CARDS = 200


@dataclass(frozen=True)
class PeopleReport:
    created: int
    updated: int
    organisations_created: int
    batch_id: str = ""  # what it wrote, remembered (``io/import_batches.py``)
    person_ids: tuple[str, ...] = ()  # the people it created


@dataclass(frozen=True)
class PersonMatch:
    line: int
    name: str  # as in the file
    existing_name: str  # as in the directory
    match: str  # "id", "email" or "name"


@dataclass
class PeoplePlan:
    """What importing these cards would do (nothing is written to make it)."""

    cards: list[Card]
    creates: int = 0
    updates: int = 0
    matches: list[PersonMatch] = field(default_factory=list)


def import_vcards(store: Store, path: Path) -> PeopleReport:
    """Read every card of ``path`` (refused whole if unreadable) and write them at once."""
    return import_cards(store, read_cards(path), source=path)


def plan_people(store: Store, cards: list[Card]) -> PeoplePlan:
    """Count the people the cards would create and name those they would update."""
    matcher = _Matcher(store)
    plan = PeoplePlan([card for card in cards if _has_name(card)])
    for card in plan.cards:
        person_id, match = matcher.person(card)
        # A second card of the same person in the file updates it too, as the import will.
        if match:
            plan.updates += 1
        else:
            plan.creates += 1
        existing = matcher.names_by_id.get(person_id)
        if match and existing is not None:
            plan.matches.append(PersonMatch(card.line, card.display_name, existing, match))
        matcher.remember(person_id, card)
    return plan


def _has_name(card: Card) -> bool:
    return bool(card.first_name or card.last_name or card.formatted_name)


def import_cards(
    store: Store,
    cards: list[Card],
    progress: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
    source: Path | str = "",
) -> PeopleReport:
    """Write people (from vCards or a contacts CSV) in one transaction, remembered as a
    batch named after ``source``; cancelling writes nothing (``ImportRefused``)."""
    matcher = _Matcher(store)
    now = now_iso()
    created = updated = organisations = 0
    made: list[str] = []  # people created
    previous: dict[str, str] = {}  # people updated -> their rows before
    came_along: list[tuple[str, str]] = []  # organisations and affiliations created
    with store.db.atomic():
        for number, card in enumerate(cards, start=1):
            if number % PROGRESS_CARDS == 0:
                if cancel is not None and cancel.is_set():
                    raise ImportRefused(_("Import annulé : rien n'a été enregistré."))
                if progress:
                    progress(
                        number,
                        len(cards),
                        _("{done} / {total} fiches").format(done=number, total=len(cards)),
                    )
            if not _has_name(card):
                continue
            person_id, match = matcher.person(card)
            values = _person_values(card)
            if match:
                if person_id not in previous:
                    previous.update(previous_rows(store, [person_id], "people"))
                assignments = ", ".join(f"{key} = :{key}" for key in values)
                store.db.execute(
                    f"UPDATE people SET {assignments}, updated_at = :now WHERE id = :id",
                    {**values, "now": now, "id": person_id},
                )
                updated += 1
            else:
                store.db["people"].insert(
                    {
                        "id": person_id,
                        "owner": store.member_id,
                        "visibility": "private",
                        "created_at": now,
                        "updated_at": now,
                        **values,
                    }
                )
                created += 1
                made.append(person_id)
            matcher.remember(person_id, card)
            if card.organisation:
                actor_id, new = matcher.organisation(card.organisation, now)
                organisations += new
                if new:
                    came_along.append(("actors", actor_id))
                affiliation = _affiliate(store, person_id, actor_id, card.title, now)
                if affiliation:
                    came_along.append(("affiliations", affiliation))
        if cancel is not None and cancel.is_set():
            raise ImportRefused(_("Import annulé : rien n'a été enregistré."))
        batch_id = record_batch(
            store, source, made, previous, table="people", also_created=came_along
        )
    return PeopleReport(created, updated, organisations, batch_id, tuple(made))


def _person_values(card: Card) -> dict[str, str | None]:
    first, last = card.first_name, card.last_name
    if not (first or last):
        first, _space, last = card.formatted_name.partition(" ")
    return {
        "first_name": first,
        "last_name": last,
        **card_contacts(card),
        "notes": card.note,
    }


def card_contacts(card: Card) -> dict[str, str | None]:
    """A card's e-mails and phones as the columns ``email``, ``phone`` and
    ``other_contacts``: the first (or pref) of each primary, the others labelled from
    their types, repeats collapsed; valid phones in E.164, e-mails in lower case."""
    contacts = [
        Contact(kind, label_from_types(kind, card.types.get((kind, value), ())), stored)
        for kind, values in ((EMAIL, card.emails), (PHONE, card.phones))
        for value in values
        if (stored := value.strip().lower() if kind == EMAIL else normalised(kind, value))
    ]
    return stored_contacts(contacts)


def _affiliate(store: Store, person_id: str, actor_id: str, role: str, now: str) -> str:
    """Link the person to the organisation; the new affiliation's id ("" if it existed)."""
    found = store.conn.execute(
        "SELECT id FROM affiliations WHERE person_id = ? AND actor_id = ? AND deleted = 0",
        (person_id, actor_id),
    ).fetchone()
    if found:
        if role:
            store.db.execute(
                "UPDATE affiliations SET role = ?, updated_at = ? WHERE id = ?",
                (role, now, found[0]),
            )
        return ""
    affiliation = new_id()
    store.db["affiliations"].insert(
        {
            "id": affiliation,
            "person_id": person_id,
            "actor_id": actor_id,
            "role": role,
            "owner": store.member_id,
            "visibility": "private",
            "created_at": now,
            "updated_at": now,
        }
    )
    return affiliation


class _Matcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.ids: set[str] = set()
        self.emails: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.names_by_id: dict[str, str] = {}  # the people already in the directory
        for person_id, email, first, last in store.conn.execute(
            "SELECT id, email, first_name, last_name FROM people WHERE deleted = 0"
        ):
            self.ids.add(person_id)
            self.names_by_id[person_id] = f"{first} {last}".strip()
            if email:
                self.emails[email.lower()] = person_id
            self.names.setdefault(fold(f"{first} {last}"), person_id)
        self.actors = {
            sort_name: actor_id
            for actor_id, sort_name in store.conn.execute(
                "SELECT id, sort_name FROM actors WHERE deleted = 0"
            )
        }

    def person(self, card: Card) -> tuple[str, str]:
        """The person's id and what matched ("id", "email", "name"; "" for a new person)."""
        uid = _as_uuid(card.uid)
        if uid and uid in self.ids:
            return uid, "id"
        for email in card.emails:
            if email.lower() in self.emails:
                return self.emails[email.lower()], "email"
        values = _person_values(card)
        by_name = self.names.get(fold(f"{values['first_name']} {values['last_name']}"))
        if by_name:
            return by_name, "name"
        return uid or new_id(), ""

    def remember(self, person_id: str, card: Card) -> None:
        self.ids.add(person_id)
        for email in card.emails:
            self.emails.setdefault(email.lower(), person_id)
        values = _person_values(card)
        self.names.setdefault(fold(f"{values['first_name']} {values['last_name']}"), person_id)

    def organisation(self, name: str, now: str) -> tuple[str, int]:
        key = fold(name)
        if key in self.actors:
            return self.actors[key], 0
        actor_id = new_id()
        self.store.db["actors"].insert(
            {
                "id": actor_id,
                "name": name,
                "sort_name": key,
                "kind": "autre",
                "owner": self.store.member_id,
                "visibility": "private",
                "created_at": now,
                "updated_at": now,
            }
        )
        self.actors[key] = actor_id
        return actor_id, 1


def _as_uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return ""
