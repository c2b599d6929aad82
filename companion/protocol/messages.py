"""The wire format between the app and the hub (JSON over HTTPS), version ``PROTOCOL``.

See docs/SYNC.md for the rules. These types are shared by the client
(companion/sync) and the hub (companion/hub); both validate what they receive.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from companion.protocol import fields

PROTOCOL = 1
PROTOCOL_HEADER = "X-Companion-Protocol"

# The synced tables and the fields that travel (everything but the local
# ``seq``, the record ``id`` and the derived ``sort_name``). ``owner`` travels
# once, with the record's creation, and never changes.
SYNCED_FIELDS: dict[str, tuple[str, ...]] = {
    "actors": (
        "owner", "visibility", "created_at", "deleted", "name", "kind", "description",
        "insee_code", "commune", "departement", "postcode", "address", "latitude",
        "longitude", "website", "email", "phone", "siren", "siret", "rna", "merged_into",
    ),
    "people": (
        "owner", "visibility", "created_at", "deleted", "first_name", "last_name", "email",
        "phone", "notes", "legal_basis", "collected_on", "collection_source", "merged_into",
        "other_contacts",
    ),
    "affiliations": (
        "owner", "visibility", "created_at", "deleted", "person_id", "actor_id", "role",
        "start_date", "end_date",
    ),
    "relations": (
        "owner", "visibility", "created_at", "deleted", "source_id", "target_id", "type",
        "start_date", "end_date", "strength", "notes",
    ),
    "interactions": (
        "owner", "visibility", "created_at", "deleted", "actor_id", "person_id", "kind",
        "date", "title", "notes",
    ),
    "tags": ("owner", "visibility", "created_at", "deleted", "name"),
    "map_views": (
        "owner", "visibility", "created_at", "deleted", "name", "title", "filter", "south",
        "west", "north", "east", "position", "steps",
    ),
    "catalyst_profiles": (
        "owner", "visibility", "created_at", "deleted", "actor_id", "structure", "metiers",
        "territories", "themes", "public_contact", "missions",
    ),
}  # fmt: skip
# actor_tags links travel as a field of the actor: "tags" = sorted list of tag ids.
LINK_FIELDS = {"actors": "tags"}
# Records that hang on others (docs/SYNC.md, "Records that hang on others"): table ->
# {link field: the table it points into}. Such a record may be created, or a link of it
# changed, only by an admin or by the owner of one of the records it hangs on (any one:
# an alliance belongs to either of its two actors). Other links only point.
HANGS_ON: dict[str, dict[str, str]] = {
    "catalyst_profiles": {"actor_id": "actors"},
    "affiliations": {"person_id": "people"},
    "relations": {"source_id": "actors", "target_id": "actors"},
}

MAX_BATCH_CHANGES = 5_000
MAX_REQUEST_BYTES = 8 * 1024 * 1024

# An erasure (app/erasure.erase_person, docs/SYNC.md "Erasure"): what it leaves
# in the personal fields of the records it erases, and the tables an erasure notice may
# name; the hub holds an erased record's fields to these values.
ERASED_NAME = "(effacé)"  # data that syncs: the same in every language
ERASED_VALUES: dict[str, dict[str, Any]] = {
    "people": {
        "first_name": "", "last_name": ERASED_NAME, "email": None, "phone": None, "notes": "",
        "legal_basis": None, "collected_on": None, "collection_source": "", "deleted": 1,
        "other_contacts": None,
    },
    "affiliations": {"role": "", "start_date": None, "end_date": None, "deleted": 1},
    "interactions": {"title": "", "notes": "", "deleted": 1},
}  # fmt: skip
MAX_ERASED = 1_000  # records named by one erasure notice


@dataclass(slots=True)
class Change:
    """One field of one record, as its author last set it. Treated as a value, never
    changed once made (not frozen only because a first sync makes 440,000 of them,
    and a frozen dataclass takes four times as long to build)."""

    table: str
    id: str
    field: str
    value: Any  # JSON: str, int, float, None, or a list of ids for link fields
    hlc: str  # companion.protocol.hlc.Timestamp as text
    seq: int | None = None  # the hub's sequence number (in pulls only)
    # In pushes: the stamp of the value this edit replaced on its laptop (None for a
    # whole new record, or when not known): the hub finds edits that overwrite a
    # value their author never saw.
    base: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for optional in ("seq", "base"):
            if data[optional] is None:
                del data[optional]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """A change read from JSON; ProtocolError (French, naming the field) unless it
        follows the protocol and the field schema (``fields.py``)."""
        change = cls(
            table=data["table"],
            id=data["id"],
            field=data["field"],
            value=data.get("value"),
            hlc=data.get("hlc"),
            seq=data.get("seq"),
            base=data.get("base"),
        )
        check_change(change)
        return change


class ProtocolError(ValueError):
    """A message that does not follow the protocol (the text says what is wrong)."""


def check_change(change: Change) -> None:
    """Raise ProtocolError unless ``change`` names a synced field of a record and holds
    a value the field schema takes, with valid stamps (the message names the field,
    never the value)."""
    for where, name in (("table", change.table), ("id", change.id), ("field", change.field)):
        problem = fields.name_problem(name, empty=False)
        if problem:
            raise ProtocolError(fields.must(where, problem))
    problem = fields.value_problem(change.table, change.field, change.value)
    if problem:
        raise ProtocolError(problem)
    for where, stamp in (("hlc", change.hlc), ("base", change.base)):
        problem = fields.stamp_problem(stamp) if stamp is not None or where == "hlc" else None
        if problem:
            raise ProtocolError(fields.must(f"{change.table}.{change.field} ({where})", problem))


@dataclass(frozen=True)
class PushRequest:
    """POST /v1/push: a batch of the outbox, idempotent by ``batch_id``."""

    site: str
    batch_id: str
    changes: list[Change]
    # An erasure notice: (table, id) of records erased on the pushing laptop, whose
    # values the hub then scrubs from everything it keeps (docs/SYNC.md, "Erasure").
    erased: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Rejection:
    """A change the hub refused (403 scope, drift...): kept on the client for the user."""

    table: str
    id: str
    field: str
    reason: str  # a code: "forbidden", "drift", "invalid"
    # What the network holds instead (the field's value at the hub, or the record's
    # withdrawal): the refusing laptop takes it, so it shows what everyone else does.
    current: Change | None = None
    # For an "invalid" change: what the field takes, in French, naming it (never the value).
    message: str | None = None


@dataclass(frozen=True)
class PushResponse:
    accepted: int
    rejected: list[Rejection]
    superseded: list[Change]  # the hub already held a later value for these fields
    epoch: str
    hub_seq: int
    server_time_ms: int
    # Values of other laptops these changes replaced without having seen them: the
    # pusher keeps them as conflicts (docs/SYNC.md, "Merge").
    overwritten: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class PullResponse:
    """GET /v1/pull?since=N&limit=M: current values changed after ``since``, by hub seq."""

    changes: list[Change]
    next: int  # the cursor to store once these are committed locally
    more: bool
    epoch: str
    server_time_ms: int


@dataclass(frozen=True)
class ManifestFile:
    path: str  # relative to the item's folder
    sha256: str
    size: int


@dataclass(frozen=True)
class ManifestItem:
    id: str
    slug: str
    version: str
    sha256: str
    files: list[ManifestFile] = field(default_factory=list)
