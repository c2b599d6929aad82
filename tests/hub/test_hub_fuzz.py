"""Whatever a client sends, the hub answers 4xx JSON, never 5xx (issue #14, item 1).

A property test on a real hub on loopback, on SQLite and PostgreSQL: generated JSON of
every shape (huge integers, NaN and Infinity written raw, lone surrogates, NUL, deep
nesting, invalid UTF-8), push bodies that look right with random field values, random
pull queries, the other endpoints, random paths and methods. Every answer is below
500 and JSON; afterwards a fresh laptop pulls everything the hub accepted without
error. Example counts are kept moderate: the module runs in seconds per engine.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from loopback import serving
from sync_helpers import transport

from companion.hub.app import create_app
from companion.hub.limits import Limits
from companion.hub.storage import HubStore
from companion.protocol import fields
from companion.protocol.hlc import MAX_DRIFT_MS, Timestamp, physical_ms
from companion.store import Store
from companion.sync import state
from companion.sync.client import SyncClient, rejected

from .helpers import client

SITE = "f0f0f0f0f0f0f0f0"
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates and NUL included
CLEAN_CHARACTER = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
RUN = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 2, max_value=2**80)
    | st.integers(min_value=-(2**80), max_value=-(2**63) + 1)
    | st.floats()  # NaN and the infinities included: json.dumps writes them raw
    | st.text(ANY_CHARACTER, max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(ANY_CHARACTER, max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def encoded(value: Any, ascii_only: bool) -> bytes:
    """JSON text as a careless client writes it: NaN raw, surrogates escaped or raw."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


deep_text = st.integers(min_value=100, max_value=200_000).map(
    lambda depth: ("[" * depth + "]" * depth).encode()
)
raw_bodies = st.one_of(
    st.builds(encoded, json_values, st.booleans()),
    deep_text,
    st.builds(lambda value, cut: encoded(value, True)[:cut], json_values, st.integers(0, 50)),
    st.binary(max_size=64),
)


def valid_value(spec: fields.Field) -> st.SearchStrategy[Any]:
    """Values the field schema takes for ``spec`` (what a legitimate laptop sends)."""
    if spec.kind == fields.INTEGER:
        found = st.integers(int(spec.low), int(spec.high))
    elif spec.kind == fields.FLOAT:
        found = st.floats(spec.low, spec.high) | st.integers(int(spec.low), int(spec.high))
    elif spec.kind == fields.ENUM and not spec.open:
        found = st.sampled_from(spec.choices)
    elif spec.kind == fields.ID_LIST:
        found = st.lists(st.uuids().map(str), max_size=3)
    elif spec.kind == fields.JSON_TEXT and spec.shape == "object":
        found = st.dictionaries(st.text(max_size=5), st.text(max_size=5)).map(json.dumps)
    elif spec.kind == fields.JSON_TEXT:
        found = st.lists(st.text(CLEAN_CHARACTER, max_size=20), max_size=3).map(json.dumps)
    else:
        size = min(spec.limit, 30)
        found = st.text(CLEAN_CHARACTER, min_size=1 if spec.nonempty else 0, max_size=size)
    return found | st.none() if spec.nullable else found


def stamps() -> st.SearchStrategy[str]:
    now = st.builds(lambda n: str(Timestamp(physical_ms(), n, SITE)), st.integers(0, 99_999))
    ahead = st.just(0).map(lambda _n: str(Timestamp(physical_ms() + 2 * MAX_DRIFT_MS, 0, SITE)))
    return st.one_of(now, now, now, ahead, st.text(ANY_CHARACTER, max_size=30))


@st.composite
def push_bodies(draw, owner: str, record_ids: list[str]) -> dict[str, Any]:
    """A push that looks like a laptop's: whole records, most values valid, some not."""
    changes: list[dict[str, Any]] = []
    for _record in range(draw(st.integers(0, 4))):
        table = draw(st.sampled_from(sorted(fields.SCHEMA)) | st.text(ANY_CHARACTER, max_size=9))
        record_id = draw(st.sampled_from(record_ids) | st.text(ANY_CHARACTER, max_size=40))
        specs = fields.SCHEMA.get(table, {})
        names = draw(
            st.lists(st.sampled_from(sorted(specs)), unique=True) if specs else st.just([])
        ) + draw(st.lists(st.text(ANY_CHARACTER, max_size=12), max_size=1))
        when = draw(stamps())
        for name in names:
            spec = specs.get(name)
            value: Any
            if name == "owner":
                value = draw(st.sampled_from([owner, owner, owner]) | json_values)
            elif name == "visibility":
                value = draw(st.sampled_from(["network"] * 5 + ["private"]) | json_values)
            elif spec is not None and draw(st.integers(0, 4)):
                value = draw(valid_value(spec))
            else:
                value = draw(json_values)
            change = {"table": table, "id": record_id, "field": name, "value": value,
                      "hlc": when}  # fmt: skip
            if draw(st.integers(0, 5)) == 0:
                change["base"] = draw(stamps() | json_values)
            changes.append(change)
    body: dict[str, Any] = {"site": SITE, "batch_id": str(uuid.uuid4()), "changes": changes}
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.sampled_from(["site", "batch_id", "changes"]))] = draw(json_values)
    return body


queries = st.one_of(
    st.dictionaries(
        st.sampled_from(["since", "limit", "format"]) | st.text(max_size=5),
        st.integers(-(2**70), 2**70).map(str)
        | st.sampled_from(["records", "", "0", "1", str(2**63 - 1), str(2**63)])
        | st.text(ANY_CHARACTER.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=12),
        max_size=3,
    ).map(lambda params: "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40),
)
paths = st.one_of(
    st.sampled_from(["/v1/status", "/v1/push", "/v1/pull", "/v1/toolbox/manifest", "/", "/v1"]),
    st.text(max_size=70).map(lambda text: "/v1/toolbox/files/" + quote(text, safe="")),
    st.text(ANY_CHARACTER.filter(lambda c: not 0xD800 <= ord(c) <= 0xDFFF), max_size=30).map(
        lambda text: "/" + quote(text)
    ),
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30).map(
    str.strip  # what an HTTP client can send at all
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "X-Companion-Protocol": header_text | st.sampled_from(["1", "01", "2", ""]),
        "Authorization": header_text.map(lambda token: f"Bearer {token}".strip()) | header_text,
        "Range": header_text.map(lambda text: "bytes=" + text),
    },
)


def check(answer) -> None:
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])
    if answer.request.method != "HEAD" and answer.status_code != 206:
        assert isinstance(answer.json(), dict)


@dataclass
class FuzzedHub:
    url: str
    store: HubStore


@pytest.fixture
def fuzzed(hub_store):
    """A hub without rate limits, served with TCP_NODELAY (loopback.serving): some
    500 requests do not wait 40 ms each for a delayed ACK."""
    app = create_app(hub_store, Limits(push_burst=10**9, push_rate=10**9))
    member, token = hub_store.add_member("Fuzz", "member")
    with serving(app) as url, client(url, token) as member_client:
        yield FuzzedHub(url, hub_store), member.id, member_client


def test_no_request_makes_the_hub_fail_and_laptops_take_what_it_accepted(fuzzed, tmp_path):
    hub, owner, client = fuzzed
    record_ids = [str(uuid.uuid4()) for _ in range(12)]
    json_type = {"Content-Type": "application/json"}

    @RUN
    @given(raw_bodies)
    @example(b"[" * 100_000 + b"]" * 100_000)
    @example(b'{"site": NaN, "batch_id": Infinity, "changes": [-Infinity]}')
    @example(b'{"site": "a", "batch_id": "\\ud800", "changes": []}')
    @example(b'{"site": "a", "batch_id": "b\\u0000", "changes": []}')
    @example(b'{"site": "a", "batch_id": "b", "changes": [' + b"9" * 5000 + b"]}")
    def raw_pushes(body: bytes) -> None:
        check(client.post("/v1/push", content=body, headers=json_type))

    @RUN
    @given(push_bodies(owner, record_ids), st.booleans())
    def pushes(body: dict[str, Any], ascii_only: bool) -> None:
        check(client.post("/v1/push", content=encoded(body, ascii_only), headers=json_type))

    @settings(RUN, max_examples=80)
    @given(queries)
    @example(f"since={2**63}")
    @example(f"limit={2**64}&since=-0")
    def pulls(query: str) -> None:
        check(client.get("/v1/pull?" + query))

    @settings(RUN, max_examples=100)
    @given(methods, paths, st.binary(max_size=40) | raw_bodies, headers)
    @example("GET", "/v1/status/", b"", {})
    @example("GET", "/v1/toolbox/files/" + "0" * 64, b"", {})
    def anything(method: str, path: str, body: bytes, extra: dict[str, str]) -> None:
        content = body if method not in ("GET", "HEAD") else None
        check(client.request(method, path, content=content, headers=extra))

    for run in (raw_pushes, pushes, pulls, anything):
        run()
    assert hub.store.state().seq > 0  # some pushes were accepted

    _reader, token = hub.store.add_member("Lecteur", "member")
    laptop = Store.open(tmp_path / "lecteur.db")
    try:
        report = SyncClient(laptop, hub.url, token, transport=transport()).sync()
        assert state.cursor(laptop.conn) == hub.store.state().seq
        assert report.pulled == hub_rows(hub)
        held = {
            (table, record_id, name)
            for table, record_id, name in laptop.conn.execute(
                "SELECT tbl, id, field FROM sync_field_clocks"
            )
        }
        refused = {(r.table, r.record_id) for r in rejected(laptop)}
        for table, record_id, name in network_fields(hub):
            assert (
                (table, record_id, name) in held
                or (table, record_id, "*") in held
                or (table, record_id) in refused
            ), (table, record_id, name)
    finally:
        laptop.close()


def hub_rows(hub) -> int:
    with hub.store.backend.transaction() as tx:
        return int(tx.one("SELECT count(*) FROM field_state")[0])


def network_fields(hub) -> list[tuple[str, str, str]]:
    with hub.store.backend.transaction() as tx:
        return tx.rows(
            "SELECT f.tbl, f.id, f.field FROM field_state f JOIN records r"
            " ON r.tbl = f.tbl AND r.id = f.id WHERE r.visibility = 'network'"
        )
