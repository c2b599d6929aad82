"""JSON for the protocol's dataclasses (companion/protocol/messages.py), both ways.

The hub validates what it receives (docs/SYNC.md, "Validation"): a malformed request
raises ``ProtocolError`` (HTTP 400); a single change that breaks the field schema
(``companion/protocol/fields.py``) inside a well-formed batch only becomes an ``invalid``
rejection, so the rest of the batch still goes through.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from companion.i18n import _
from companion.protocol import fields as schema
from companion.protocol.messages import (
    ERASED_VALUES,
    MAX_BATCH_CHANGES,
    MAX_ERASED,
    Change,
    ManifestFile,
    ManifestItem,
    ProtocolError,
    PullResponse,
    PushRequest,
    PushResponse,
    Rejection,
)

MAX_ID_CHARS = schema.MAX_NAME_CHARS  # a record id is a UUID; anything much longer is not one


class _NonFinite:
    """What ``NaN``, ``Infinity`` and ``-Infinity`` read as (they are not JSON numbers):
    no field takes it, so a change holding one is refused like any wrong type."""

    def __repr__(self) -> str:
        return "<not a JSON number>"


NON_FINITE = _NonFinite()


def parse_json(body: bytes | str) -> Any:
    """A request body as strict JSON: ``NaN``/``Infinity`` read as :data:`NON_FINITE`
    (refused by the field schema wherever they are); nesting past Python's recursion
    limit, bad UTF-8 or an integer of thousands of digits raise ProtocolError."""
    try:
        return json.loads(body, parse_constant=lambda _name: NON_FINITE)
    except RecursionError:
        raise ProtocolError(_("JSON imbriqué trop profondément")) from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise ProtocolError(_("le corps n'est pas du JSON valide")) from None


def push_request_from_json(data: Any) -> tuple[PushRequest, list[Rejection]]:
    """The request's valid changes, and a rejection for each invalid one.

    ProtocolError (French, naming the part at fault, never repeating a value) for a
    request that is malformed, or holds a change that cannot even be named (its
    table, id or field not a short valid text): answered 400 as a whole.
    """
    if not isinstance(data, dict):
        raise ProtocolError(_("le corps doit être un objet JSON"))
    site, batch_id, raw_changes = data.get("site"), data.get("batch_id"), data.get("changes")
    for where, text in (("site", site), ("batch_id", batch_id)):
        problem = schema.name_problem(text, MAX_ID_CHARS, empty=False)
        if problem:
            raise ProtocolError(schema.must(where, problem))
    if not isinstance(raw_changes, list):
        raise ProtocolError(schema.must("changes", _("une liste")))
    if len(raw_changes) > MAX_BATCH_CHANGES:
        raise ProtocolError(
            _("changes : au plus {count} modifications par lot").format(count=MAX_BATCH_CHANGES)
        )
    changes: list[Change] = []
    invalid: list[Rejection] = []
    for index, raw in enumerate(raw_changes):
        if not isinstance(raw, dict):
            raise ProtocolError(schema.must(f"changes[{index}]", _("un objet")))
        for key in ("table", "id", "field"):
            problem = schema.name_problem(raw.get(key), MAX_ID_CHARS)
            if problem:
                raise ProtocolError(schema.must(f"changes[{index}].{key}", problem))
        try:
            change = Change.from_json({**raw, "seq": None})
        except ProtocolError as problem:  # the message names the field, never the value
            names = raw["table"], raw["id"], raw["field"]
            invalid.append(Rejection(*names, "invalid", message=str(problem)))
            continue
        changes.append(change)
    erased = erased_from_json(data.get("erased", []))
    return PushRequest(site=site, batch_id=batch_id, changes=changes, erased=erased), invalid


def erased_from_json(data: Any) -> list[tuple[str, str]]:
    """An erasure notice's records, ``[{"table", "id"}]``; ProtocolError if malformed."""
    if not isinstance(data, list) or len(data) > MAX_ERASED:
        raise ProtocolError(f"erased: a list of at most {MAX_ERASED} records is required")
    records = []
    for item in data:
        table = item.get("table") if isinstance(item, dict) else None
        record_id = item.get("id") if isinstance(item, dict) else None
        if table not in ERASED_VALUES:
            raise ProtocolError(f"erased: no erasure in table {table!r}")
        if not isinstance(record_id, str) or not record_id or len(record_id) > MAX_ID_CHARS:
            raise ProtocolError("erased: each record needs an id")
        records.append((table, record_id))
    return records


def change_to_json(change: Change) -> dict[str, Any]:
    """``Change.to_json`` without ``asdict`` (five times faster: a pull page is 5,000)."""
    data = {
        "table": change.table,
        "id": change.id,
        "field": change.field,
        "value": change.value,
        "hlc": change.hlc,
    }
    if change.seq is not None:
        data["seq"] = change.seq
    if change.base is not None:
        data["base"] = change.base
    return data


def push_request_to_json(request: PushRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site": request.site,
        "batch_id": request.batch_id,
        "changes": [change_to_json(change) for change in request.changes],
    }
    if request.erased:
        data["erased"] = [{"table": table, "id": record_id} for table, record_id in request.erased]
    return data


def rejection_to_json(rejection: Rejection) -> dict[str, Any]:
    data: dict[str, Any] = {
        "table": rejection.table, "id": rejection.id, "field": rejection.field,
        "reason": rejection.reason,
    }  # fmt: skip
    if rejection.current is not None:
        data["current"] = change_to_json(rejection.current)
    if rejection.message is not None:
        data["message"] = rejection.message
    return data


def _answered_change(data: dict[str, Any]) -> Change:
    """A change of a push answer, read back as written: the hub replays the answers it
    stored, some by an older version whose values the field schema now refuses."""
    return Change(
        str(data["table"]), str(data["id"]), str(data["field"]), data.get("value"),
        str(data["hlc"]), data.get("seq"), data.get("base"),
    )  # fmt: skip


def rejection_from_json(data: dict[str, Any]) -> Rejection:
    current, message = data.get("current"), data.get("message")
    return Rejection(
        str(data["table"]), str(data["id"]), str(data["field"]), str(data["reason"]),
        _answered_change(current) if isinstance(current, dict) else None,
        message if isinstance(message, str) else None,
    )  # fmt: skip


def push_response_to_json(response: PushResponse) -> dict[str, Any]:
    return {
        "accepted": response.accepted,
        "rejected": [rejection_to_json(rejection) for rejection in response.rejected],
        "superseded": [change_to_json(change) for change in response.superseded],
        "overwritten": [change_to_json(change) for change in response.overwritten],
        "epoch": response.epoch,
        "hub_seq": response.hub_seq,
        "server_time_ms": response.server_time_ms,
    }


def push_response_from_json(data: dict[str, Any]) -> PushResponse:
    return PushResponse(
        accepted=int(data["accepted"]),
        rejected=[rejection_from_json(rejection) for rejection in data["rejected"]],
        superseded=[_answered_change(change) for change in data["superseded"]],
        epoch=str(data["epoch"]),
        hub_seq=int(data["hub_seq"]),
        server_time_ms=int(data["server_time_ms"]),
        overwritten=[_answered_change(change) for change in data.get("overwritten", [])],
    )


def pull_response_to_json(response: PullResponse) -> dict[str, Any]:
    return {
        "changes": [change_to_json(change) for change in response.changes],
        "next": response.next,
        "more": response.more,
        "epoch": response.epoch,
        "server_time_ms": response.server_time_ms,
    }


@dataclass(frozen=True)
class PullPage:
    """A pull answer as the hub stores it: rows ``(table, id, field, value as JSON text,
    hlc, seq)``."""

    rows: list[tuple[Any, ...]]
    next: int
    more: bool
    epoch: str


def pull_page_to_json_text(page: PullPage, server_time_ms: int, grouped: bool = False) -> str:
    """The JSON of :func:`pull_response_to_json` for ``page``, written without decoding
    the stored values and encoding them again.

    ``grouped`` (``GET /v1/pull?format=records``) sends the page's changes by record
    instead: ``"records": [{"table", "id", "hlc": the stamp most of its fields share,
    "fields": {name: value}, "stamps": {name: stamp} for the others}]`` — a first sync's
    pages are a sixth of the size, and read as fast.
    """
    text = encode_basestring
    if grouped:
        key, body = "records", _records_json(page.rows)
    else:
        key = "changes"
        body = ",".join(
            f'{{"table":{text(table)},"id":{text(record_id)},"field":{text(name)},'
            f'"value":{value},"hlc":{text(stamp)},"seq":{int(seq)}}}'
            for table, record_id, name, value, stamp, seq in page.rows
        )
    return (
        f'{{"{key}":[{body}],"next":{int(page.next)},"more":{json.dumps(page.more)},'
        f'"epoch":{text(page.epoch)},"server_time_ms":{int(server_time_ms)}}}'
    )


def _records_json(rows: list[tuple[Any, ...]]) -> str:
    text = encode_basestring
    records: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for table, record_id, name, value, stamp, _seq in rows:
        records.setdefault((table, record_id), []).append((name, value, stamp))
    parts = []
    for (table, record_id), fields in records.items():
        common = Counter(stamp for _name, _value, stamp in fields).most_common(1)[0][0]
        values = ",".join(f"{text(name)}:{value}" for name, value, _stamp in fields)
        others = ",".join(
            f"{text(name)}:{text(stamp)}" for name, _value, stamp in fields if stamp != common
        )
        parts.append(
            f'{{"table":{text(table)},"id":{text(record_id)},"hlc":{text(common)},'
            f'"fields":{{{values}}},"stamps":{{{others}}}}}'
        )
    return ",".join(parts)


def pull_response_from_json(data: dict[str, Any]) -> PullResponse:
    return PullResponse(
        changes=[Change.from_json(change) for change in data["changes"]],
        next=int(data["next"]),
        more=bool(data["more"]),
        epoch=str(data["epoch"]),
        server_time_ms=int(data["server_time_ms"]),
    )


def manifest_item_to_json(item: ManifestItem) -> dict[str, Any]:
    return asdict(item)


def manifest_item_from_json(data: dict[str, Any]) -> ManifestItem:
    return ManifestItem(
        id=str(data["id"]),
        slug=str(data["slug"]),
        version=str(data["version"]),
        sha256=str(data["sha256"]),
        files=[
            ManifestFile(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in data["files"]
        ],
    )
