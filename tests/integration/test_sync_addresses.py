"""Address files through a real hub on loopback: published with ``companion-hub addresses
add``, fetched by a sync for the départements chosen, once, resumed after a cut."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from ban_files import ban_bytes, ban_file, nogent_rows
from loopback import LoopbackServer

from companion.geo.address_files import indexed_departements
from companion.hub import cli
from companion.hub.app import create_app
from companion.hub.storage import HubStore
from companion.protocol.messages import PROTOCOL, PROTOCOL_HEADER
from companion.store import Store
from companion.sync.address_sync import choose_departements, hub_addresses, sync_addresses
from companion.sync.client import SyncClient, SyncError
from companion.sync.hubapi import HubApi

FILES = "/v1/addresses/files/"
ROWS = 20_000


class Wire(httpx.BaseTransport):
    """The real HTTP transport, logging each request (path, Range). ``cut``: the next
    file answer brings that many bytes, then the connection breaks; ``down``: file
    requests get no answer at all."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[tuple[str, str | None]] = []
        self.cut: int | None = None
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.path, request.headers.get("Range")))
        if not request.url.path.startswith(FILES):
            return self.inner.handle_request(request)
        if self.down:
            raise httpx.ConnectError("no route to host")
        response = self.inner.handle_request(request)
        if self.cut is None:
            return response
        body = response.read()[: self.cut]
        response.close()
        self.cut = None
        return httpx.Response(response.status_code, headers=response.headers, stream=_Cut(body))

    def files(self) -> list[tuple[str, str | None]]:
        return [(p, r) for p, r in self.requests if p.startswith(FILES)]

    def close(self) -> None:
        self.inner.close()


class _Cut(httpx.SyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):
        yield self.data
        raise httpx.ReadError("connection lost")


@pytest.fixture
def hub(tmp_path):
    hub_store = HubStore.open(tmp_path / "hub")
    server = LoopbackServer(create_app(hub_store))
    _member, token = hub_store.add_member("Alice", "member")
    yield hub_store, server.url, token
    server.stop()
    hub_store.close()


@pytest.fixture
def wire():
    transport = Wire()
    yield transport
    transport.close()


@pytest.fixture
def laptop(tmp_path):
    (tmp_path / "poste").mkdir()
    store = Store.open(tmp_path / "poste" / "companion.db")
    yield store
    store.close()


@pytest.fixture
def published(tmp_path) -> bytes:
    """Val-de-Marne's file, published by the admin on the command line."""
    data = ban_bytes(nogent_rows(ROWS))
    path = tmp_path / "adresses-94.csv.gz"
    path.write_bytes(data)
    assert cli.main(["addresses", "add", str(path), "--data", str(tmp_path / "hub")]) == 0
    return data


def sync(store: Store, hub, wire: Wire, waits: list[float] | None = None):
    _hub_store, url, token = hub
    sleep = waits.append if waits is not None else None
    return SyncClient(store, url, token, transport=wire, sleep=sleep).sync()


def test_the_chosen_departements_are_fetched_once_and_indexed(laptop, hub, wire, published):
    assert sync(laptop, hub, wire).addresses == 0  # none chosen: nothing asked
    assert not any("addresses" in path for path, _range in wire.requests)

    choose_departements(laptop, ["94"])
    assert sync(laptop, hub, wire).addresses == 1
    assert wire.files() == [(FILES + "94", None)]
    [indexed] = indexed_departements(laptop.path.parent)
    assert (indexed.code, indexed.addresses) == ("94", ROWS)
    assert indexed.sha256 == hashlib.sha256(published).hexdigest()
    assert list(laptop.path.parent.glob("*.part")) == []

    wire.requests.clear()
    assert sync(laptop, hub, wire).addresses == 0
    assert wire.files() == []  # the same file is never fetched twice
    assert ("/v1/addresses/manifest", None) in wire.requests


def test_a_cut_download_resumes_from_its_part_at_the_next_sync(laptop, hub, wire, published):
    choose_departements(laptop, ["94"])
    wire.cut = 100_000
    waits: list[float] = []
    original = wire.handle_request

    def then_down(request):  # the link drops for good after the cut
        answer = original(request)
        if request.url.path.startswith(FILES):
            wire.down = True
        return answer

    wire.handle_request = then_down
    with pytest.raises(SyncError):
        sync(laptop, hub, wire, waits)
    [part] = laptop.path.parent.glob("adresses-94.*.part")
    assert part.stat().st_size == 100_000
    assert indexed_departements(laptop.path.parent) == []

    wire.handle_request = original
    wire.down = False
    wire.requests.clear()
    assert sync(laptop, hub, wire).addresses == 1
    assert wire.files() == [(FILES + "94", "bytes=100000-")]
    assert indexed_departements(laptop.path.parent)[0].addresses == ROWS
    assert not part.exists()


def test_the_dialog_path_lists_the_hub_and_brings_one(laptop, hub, wire, published, tmp_path):
    _hub_store, url, token = hub
    api = HubApi(url, token, transport=wire)
    try:
        offered = hub_addresses(api)
        assert [(o.departement, o.name, o.size) for o in offered] == [
            ("94", "adresses-94.csv.gz", len(published))
        ]
        result = sync_addresses(tmp_path / "poste", api, ["94", "13"])
    finally:
        api.close()
    assert result.imported == [("94", ROWS)] and result.missing == ["13"]


def headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL), **extra}


def test_the_hub_refuses_bad_input_and_serves_ranges(hub, published):
    _hub_store, url, token = hub
    with httpx.Client(base_url=url, headers=headers(token)) as client:
        for path in ("94x", "20", "..%2Fhub.db", "9"):
            answer = client.get(FILES + path)
            assert answer.status_code in (400, 404), (path, answer.status_code)
            assert answer.json()["error"] in ("invalid", "not_found")
        assert client.get(FILES + "2A").status_code == 404  # a département, not published
        assert client.get(FILES + "abc").status_code == 400
        bad = client.get("/v1/addresses/manifest", params={"departements": "94,zz"})
        assert bad.status_code == 400 and "departements" in bad.json()["message"]
        assert client.get("/v1/addresses/manifest", params={"departements": ""}).status_code == 400
        listed = client.get("/v1/addresses/manifest", params={"departements": "94,75"}).json()
        assert [d["departement"] for d in listed["departements"]] == ["94"]
        part = client.get(FILES + "94", headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == published[1000:2000]
        beyond = client.get(FILES + "94", headers={"Range": f"bytes={len(published)}-"})
        assert beyond.status_code == 416
    with httpx.Client(base_url=url) as anonymous:
        assert anonymous.get(FILES + "94", headers={PROTOCOL_HEADER: "1"}).status_code == 401


def test_the_hub_command_line_checks_lists_and_removes(tmp_path, capsys, published):
    folder = ["--data", str(tmp_path / "hub")]
    bad = tmp_path / "adresses-13.csv.gz"
    bad.write_bytes(b"\x1f\x8b not really gzip")
    assert cli.main(["addresses", "add", str(bad), *folder]) != 0
    assert "BAN" in capsys.readouterr().err

    again = ban_file(tmp_path / "copie.csv.gz", nogent_rows(ROWS))
    assert cli.main(["addresses", "add", str(again), *folder]) == 0
    assert "déjà publiées" in capsys.readouterr().out
    assert cli.main(["addresses", "list", *folder]) == 0
    assert capsys.readouterr().out.startswith("94\tadresses-94.csv.gz\t")
    assert cli.main(["addresses", "remove", "94", *folder]) == 0
    assert cli.main(["addresses", "remove", "zz", *folder]) != 0
    assert "n'est pas un numéro de département" in capsys.readouterr().err
    assert cli.main(["addresses", "list", *folder]) == 0
    assert capsys.readouterr().out == ""
