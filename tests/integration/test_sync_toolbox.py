"""Toolbox distribution through the real hub: publish, sync, resume, verify, reuse."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable

import httpx
import pytest
from loopback import LoopbackServer
from toolbox_samples import SVG, write_item

from companion.hub import cli
from companion.hub.app import create_app
from companion.hub.storage import HubStore
from companion.store import Store
from companion.sync import state
from companion.sync.client import SyncClient, SyncError
from companion.sync.toolbox_sync import partial_folder
from companion.toolbox import catalogue
from companion.toolbox.items import bundle_root

ITEM = "guide-etapes-alliance"  # a bundled item with an image
ITEM_ID = "ef54d73f-4a46-461b-ba38-44e3bd9bba20"
FILES = "/v1/toolbox/files/"
BIG_ID = "5d1c7a52-3c1e-4f43-9a8e-2b7f0c6d9e11"


class _Cut(bytes):
    """Bytes that arrive, then the connection breaks."""


class Wire(httpx.BaseTransport):
    """The real HTTP transport, logging each request. ``alter(sha256, body)`` may change
    a file's answer: other bytes, a ``_Cut`` body, or an exception (no answer at all)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        self.alter: Callable[[str, bytes], bytes | Exception] | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.path, request.headers.get("Range")))
        response = self.inner.handle_request(request)
        if self.alter is None or not request.url.path.startswith(FILES):
            return response
        body = response.read()
        response.close()
        altered = self.alter(request.url.path.removeprefix(FILES), body)
        if isinstance(altered, Exception):
            raise altered
        return httpx.Response(response.status_code, headers=response.headers, stream=_Body(altered))

    def files(self) -> list[tuple[str, str | None]]:
        return [(p.removeprefix(FILES), r) for p, r in self.requests if p.startswith(FILES)]

    def close(self) -> None:
        self.inner.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):
        yield bytes(self.data)
        if isinstance(self.data, _Cut):
            raise httpx.ReadError("connection lost")


@pytest.fixture
def hub(tmp_path):
    hub_store = HubStore.open(tmp_path / "hub")
    server = LoopbackServer(create_app(hub_store))
    _admin, admin_token = hub_store.add_member("Coordination", "admin")
    _member, token = hub_store.add_member("Alice", "member")
    yield hub_store, server.url, token
    server.stop()
    hub_store.close()


@pytest.fixture
def wire():
    transport = Wire()
    yield transport
    transport.close()


def publish(tmp_path, path) -> None:
    """The admin publishes with ``companion-hub toolbox publish``."""
    assert cli.main(["toolbox", "publish", str(path), "--data", str(tmp_path / "hub")]) == 0


def sync(store: Store, hub, wire: Wire, waits: list[float] | None = None):
    _hub_store, url, token = hub
    sleep = waits.append if waits is not None else None
    return SyncClient(store, url, token, transport=wire, sleep=sleep).sync()


def bundle_copy(tmp_path):
    root = tmp_path / "boite"
    shutil.copytree(bundle_root(), root)
    return root


def big_item(tmp_path, version: str = "1.0", image_bytes: int = 300_000):
    """An item with a large image, so that its download can be cut several times."""
    root = tmp_path / "grosse-boite"
    body = "# Grande carte\n\n![La carte](../images/grande-carte.svg)\n"
    path = write_item(root, "grande-carte", body, id=BIG_ID, version=version, title="Grande carte")
    (root / "images").mkdir(exist_ok=True)
    filler = "".join(f"<!-- ligne {n:07d} du remplissage -->\n" for n in range(image_bytes // 36))
    image = (SVG.replace("<rect/>", "<rect/>\n" + filler)).encode()
    (root / "images" / "grande-carte.svg").write_bytes(image)
    return path, image


def test_a_published_item_reaches_the_laptop_with_its_image_and_only_once(
    tmp_path, store, hub, wire
):
    publish(tmp_path, bundle_copy(tmp_path) / "items" / f"{ITEM}.md")
    report = sync(store, hub, wire)
    assert report.toolbox == 1
    installed = catalogue.get_item(store, ITEM_ID)
    assert installed.source == "hub" and installed.item.version == "1.0"
    assert installed.root == store.path.parent / "boiteaoutils"
    for name in (f"items/{ITEM}.md", "images/etapes-alliance.svg"):
        assert (installed.root / name).read_bytes() == (bundle_root() / name).read_bytes()
    assert len(wire.files()) == 2 and all(r is None for _s, r in wire.files())
    assert list(partial_folder(store).iterdir()) == []

    wire.requests.clear()
    report = sync(store, hub, wire)
    assert report.toolbox == 0
    assert wire.files() == []  # nothing fetched again
    assert [p for p, _r in wire.requests if "toolbox" in p] == ["/v1/toolbox/manifest"]


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path, store, hub, wire):
    path, image = big_item(tmp_path)
    publish(tmp_path, path)
    image_sha = hashlib.sha256(image).hexdigest()
    cuts = {"left": 4}

    def alter(sha256: str, body: bytes) -> bytes:
        if sha256 != image_sha or cuts["left"] == 0:
            return body
        cuts["left"] -= 1
        return _Cut(body[:50_000])  # 50 kB arrive, then the connection breaks

    wire.alter = alter
    waits: list[float] = []
    assert sync(store, hub, wire, waits).toolbox == 1
    ranges = [r for s, r in wire.files() if s == image_sha]
    assert ranges == [None, "bytes=50000-", "bytes=100000-", "bytes=150000-", "bytes=200000-"]
    assert waits == []  # every cut brought bytes: resumed at once
    installed = catalogue.get_item_by_slug(store, "grande-carte")
    assert (installed.root / "images" / "grande-carte.svg").read_bytes() == image
    assert list(partial_folder(store).iterdir()) == []


def test_a_download_cut_by_a_failed_sync_resumes_at_the_next_one(tmp_path, store, hub, wire):
    path, image = big_item(tmp_path)
    publish(tmp_path, path)
    image_sha = hashlib.sha256(image).hexdigest()

    def alter(sha256: str, body: bytes):
        if sha256 != image_sha:
            return body
        if not any(s == image_sha for s, _r in wire.files()[:-1]):
            return _Cut(body[:70_000])  # the first answer breaks after 70 kB...
        return httpx.ReadError("hub gone")  # ...then the hub stops answering

    wire.alter = alter
    waits: list[float] = []
    with pytest.raises(SyncError, match="Le hub ne répond pas"):
        sync(store, hub, wire, waits)
    assert len(waits) == 4  # backed off between attempts that brought nothing
    assert (partial_folder(store) / image_sha).stat().st_size == 70_000
    assert catalogue.get_item_by_slug(store, "grande-carte") is None

    wire.alter = None
    wire.requests.clear()
    assert sync(store, hub, wire).toolbox == 1
    assert [r for s, r in wire.files() if s == image_sha] == ["bytes=70000-"]
    installed = catalogue.get_item_by_slug(store, "grande-carte")
    assert (installed.root / "images" / "grande-carte.svg").read_bytes() == image


def test_a_corrupted_file_is_fetched_again_then_refused(tmp_path, store, hub, wire):
    path, image = big_item(tmp_path, image_bytes=20_000)
    publish(tmp_path, path)
    image_sha = hashlib.sha256(image).hexdigest()
    corrupt = {"left": 1}

    def alter(sha256: str, body: bytes) -> bytes:
        if sha256 != image_sha or corrupt["left"] == 0:
            return body
        corrupt["left"] -= 1
        return body[:1000] + bytes([body[1000] ^ 0x01]) + body[1001:]  # one bit flipped

    wire.alter = alter
    assert sync(store, hub, wire).toolbox == 1
    assert [r for s, r in wire.files() if s == image_sha] == [None, None]  # fetched whole again
    installed = catalogue.get_item_by_slug(store, "grande-carte")
    assert (installed.root / "images" / "grande-carte.svg").read_bytes() == image

    # Always corrupted: the item is refused, with a message that says why.
    path, image = big_item(tmp_path, version="2.0", image_bytes=30_000)
    publish(tmp_path, path)
    image_sha = hashlib.sha256(image).hexdigest()
    corrupt["left"] = 10
    wire.requests.clear()
    with pytest.raises(SyncError, match="empreinte SHA-256, deux fois de suite"):
        sync(store, hub, wire)
    assert len([s for s, _r in wire.files() if s == image_sha]) == 2
    assert "grande-carte.svg" in state.get(store.conn, state.LAST_ERROR)
    assert catalogue.get_item_by_slug(store, "grande-carte").item.version == "1.0"
    assert not (partial_folder(store) / image_sha).exists()  # the item file stays, checked


def test_files_the_laptop_has_are_never_fetched(tmp_path, store, hub, wire):
    catalogue.install_bundled(store)
    root = bundle_copy(tmp_path)
    publish(tmp_path, root / "items" / f"{ITEM}.md")  # the bundled version: nothing to do
    assert sync(store, hub, wire).toolbox == 0
    assert wire.files() == []

    item = root / "items" / f"{ITEM}.md"
    text = item.read_text(encoding="utf-8")
    item.write_text(
        text.replace('version = "1.0"', 'version = "1.1"') + "\nUn paragraphe de plus.\n",
        encoding="utf-8",
    )
    publish(tmp_path, item)  # a new version, the same image
    assert sync(store, hub, wire).toolbox == 1
    new_sha = hashlib.sha256(item.read_bytes()).hexdigest()
    assert wire.files() == [(new_sha, None)]  # the item file only: the image was here
    installed = catalogue.get_item(store, ITEM_ID)
    assert (installed.source, installed.item.version) == ("hub", "1.1")
    assert "Un paragraphe de plus." in installed.item.body
    image = installed.root / "images" / "etapes-alliance.svg"
    assert image.read_bytes() == (bundle_root() / "images" / "etapes-alliance.svg").read_bytes()
