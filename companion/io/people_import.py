"""Importing people from an address book (vCard), with their organisation as an affiliation.

A person already in the directory (same vCard UID kept as id, or same e-mail, or
same name) is updated, not duplicated; an organisation is matched to an actor of
the same name, or created. Everything is written in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from companion.io.vcard import Card, read_cards
from companion.store import Store
from companion.store.records import new_id, now_iso
from companion.text import fold


@dataclass(frozen=True)
class PeopleReport:
    created: int
    updated: int
    organisations_created: int


def import_vcards(store: Store, path: Path) -> PeopleReport:
    """Read every card of ``path`` (refused whole if unreadable) and write them at once."""
    return import_cards(store, read_cards(path))


def import_cards(store: Store, cards: list[Card]) -> PeopleReport:
    """Write people (from vCards or a contacts CSV) in one transaction."""
    matcher = _Matcher(store)
    now = now_iso()
    created = updated = organisations = 0
    with store.db.atomic():
        for card in cards:
            if not (card.first_name or card.last_name or card.formatted_name):
                continue
            person_id, exists = matcher.person(card)
            values = _person_values(card)
            if exists:
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
            matcher.remember(person_id, card)
            if card.organisation:
                actor_id, new = matcher.organisation(card.organisation, now)
                organisations += new
                _affiliate(store, person_id, actor_id, card.title, now)
    return PeopleReport(created, updated, organisations)


def _person_values(card: Card) -> dict[str, str | None]:
    first, last = card.first_name, card.last_name
    if not (first or last):
        first, _space, last = card.formatted_name.partition(" ")
    return {
        "first_name": first,
        "last_name": last,
        "email": card.emails[0].lower() if card.emails else None,
        "phone": card.phones[0] if card.phones else None,
        "notes": card.note,
    }


def _affiliate(store: Store, person_id: str, actor_id: str, role: str, now: str) -> None:
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
        return
    store.db["affiliations"].insert(
        {
            "id": new_id(),
            "person_id": person_id,
            "actor_id": actor_id,
            "role": role,
            "owner": store.member_id,
            "visibility": "private",
            "created_at": now,
            "updated_at": now,
        }
    )


class _Matcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.ids: set[str] = set()
        self.emails: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for person_id, email, first, last in store.conn.execute(
            "SELECT id, email, first_name, last_name FROM people WHERE deleted = 0"
        ):
            self.ids.add(person_id)
            if email:
                self.emails[email.lower()] = person_id
            self.names.setdefault(fold(f"{first} {last}"), person_id)
        self.actors = {
            sort_name: actor_id
            for actor_id, sort_name in store.conn.execute(
                "SELECT id, sort_name FROM actors WHERE deleted = 0"
            )
        }

    def person(self, card: Card) -> tuple[str, bool]:
        uid = _as_uuid(card.uid)
        if uid and uid in self.ids:
            return uid, True
        for email in card.emails:
            if email.lower() in self.emails:
                return self.emails[email.lower()], True
        values = _person_values(card)
        by_name = self.names.get(fold(f"{values['first_name']} {values['last_name']}"))
        if by_name:
            return by_name, True
        return uid or new_id(), False

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
