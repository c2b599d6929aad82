"""The records of the directory, as plain dataclasses built from database rows."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")


def new_id() -> str:
    """A new UUID: offline users creating records at once never collide."""
    import uuid  # here, not at the top: uuid imports platform, 3 ms of every start-up

    return str(uuid.uuid4())


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_row(cls: type[T], row: dict[str, Any]) -> T:
    """Build a record from a row, ignoring columns the dataclass does not know."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(frozen=True, kw_only=True)
class SyncedRecord:
    """What every synced record carries: who owns it, who may see it, when, and if deleted."""

    owner: str = ""
    visibility: str = "network"  # "private" never leaves this laptop
    created_at: str = ""
    updated_at: str = ""
    deleted: int = 0  # a tombstone: deletions sync too


@dataclass(frozen=True)
class Actor(SyncedRecord):
    id: str
    name: str
    kind: str
    description: str = ""
    insee_code: str | None = None
    commune: str | None = None
    departement: str | None = None
    postcode: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    siren: str | None = None
    siret: str | None = None
    rna: str | None = None
    merged_into: str | None = None


@dataclass(frozen=True)
class Person(SyncedRecord):
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    notes: str = ""
    legal_basis: str | None = None  # a code of domain.LEGAL_BASES
    collected_on: str | None = None  # ISO date
    collection_source: str = ""
    merged_into: str | None = None
    other_contacts: str | None = None  # JSON: directory/contact_details.py

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Affiliation(SyncedRecord):
    id: str
    person_id: str
    actor_id: str
    role: str = ""
    start_date: str | None = None
    end_date: str | None = None


@dataclass(frozen=True)
class Relation(SyncedRecord):
    id: str
    source_id: str
    target_id: str
    type: str
    start_date: str | None = None
    end_date: str | None = None
    strength: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class Interaction(SyncedRecord):
    id: str
    kind: str
    date: str
    actor_id: str | None = None
    person_id: str | None = None
    title: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Membership:
    """A person seen from an actor's card: who, and in what role."""

    person: Person
    role: str


@dataclass(frozen=True)
class RelationView:
    """A relation seen from one actor: the other actor's name and the direction."""

    relation: Relation
    other_id: str
    other_name: str
    outgoing: bool
