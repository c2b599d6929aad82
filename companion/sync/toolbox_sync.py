"""Toolbox distribution, client side: the hub's manifest, then files by SHA-256.

After the records, a sync reads the hub's toolbox manifest. Each item the
catalogue would take (newer than the installed one, or changed if it came from
the hub: ``catalogue.is_wanted``) is brought in file by file: from this laptop
when an installed file has the same SHA-256 (never fetched twice), otherwise
downloaded into ``boiteaoutils/.partiel/<sha256>``, resuming with an HTTP
``Range`` where an earlier attempt (or an earlier sync) stopped. A file is
checked against its SHA-256 before ``catalogue.install_item`` moves it into
place; a corrupted download is deleted and fetched once more, then refused.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from companion import filemodes
from companion.i18n import _
from companion.sync.hubapi import (
    ATTEMPTS,
    HubApi,
    SyncError,
    _backoff,
    _describe,
    _refusal,
    _retry_after,
)
from companion.toolbox import catalogue
from companion.toolbox.items import ItemError, ItemFile, ToolboxError, parse_item

if TYPE_CHECKING:
    from companion.store import Store

PARTIAL_FOLDER = ".partiel"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class WantedItem:
    """An item of the hub's manifest."""

    id: str
    slug: str
    version: str
    sha256: str
    files: tuple[ItemFile, ...]


@dataclass
class ToolboxResult:
    installed: int = 0  # items installed or updated
    downloaded: int = 0  # files fetched from the hub
    reused: int = 0  # files copied from this laptop instead
    received_bytes: int = 0
    problems: list[str] = field(default_factory=list)  # French, one per refused item


def partial_folder(store: Store) -> Path:
    return catalogue.hub_root(store) / PARTIAL_FOLDER


def sync_toolbox(store: Store, api: HubApi, progress: Progress | None = None) -> ToolboxResult:
    """Bring the catalogue up to the hub's manifest; an item that fails is skipped (its
    problem kept in the result), a hub that stops answering raises ``SyncError``."""
    answer = api.request("GET", "/v1/toolbox/manifest")
    raw_items = answer.get("items")
    if not isinstance(raw_items, list):
        raise SyncError(_("Réponse illisible du hub (manifeste de la boîte à outils)."))
    items = [_manifest_item(raw) for raw in raw_items]
    wanted = [
        item
        for item in items
        if catalogue.is_wanted(store, item.id, item.version, item.sha256, item.files)
    ]
    result = ToolboxResult()
    for done, item in enumerate(wanted):
        api.check_cancel()
        if progress:
            progress(done, len(wanted), _("Boîte à outils : « {slug} »").format(slug=item.slug))
        try:
            if _bring(store, api, item, result):
                result.installed += 1
        except ToolboxError as error:
            result.problems.append(str(error))
    return result


def _manifest_item(raw: Any) -> WantedItem:
    try:
        files = tuple(
            ItemFile(str(f["path"]), str(f["sha256"]), int(f["size"])) for f in raw["files"]
        )
        item = WantedItem(
            str(raw["id"]), str(raw["slug"]), str(raw["version"]), str(raw["sha256"]), files
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SyncError(_("Réponse illisible du hub (manifeste de la boîte à outils).")) from error
    hashes = [item.sha256, *(f.sha256 for f in files)]
    if not all(_SHA256.match(h) for h in hashes) or any(f.size < 0 for f in files):
        raise SyncError(_("Réponse illisible du hub (manifeste de la boîte à outils)."))
    return item


def _bring(store: Store, api: HubApi, item: WantedItem, result: ToolboxResult) -> bool:
    """Gather the item's files in the partial folder, check them, install; True if installed."""
    own = [f for f in item.files if f.sha256 == item.sha256]
    if not own:
        raise ItemError(item.slug, _("le fichier de l'élément manque ou ne correspond pas."))
    folder = filemodes.private_folder(partial_folder(store))
    staged: list[catalogue.StagedFile] = []
    used: set[str] = set()
    for entry in item.files:
        path = folder / entry.sha256
        if entry.sha256 in used:  # the same bytes under two names: install_item moves each
            copy = filemodes.private_file(folder / f"{entry.sha256}.{len(staged)}")
            shutil.copyfile(folder / entry.sha256, copy)
            path = copy
        else:
            _gather(store, api, entry, path, result)
            used.add(entry.sha256)
        staged.append(catalogue.StagedFile(entry, path))
    data = (folder / item.sha256).read_bytes()
    parsed = parse_item(data, own[0].path)
    if parsed.id != item.id or parsed.version != item.version:
        raise ItemError(own[0].path, _("le fichier ne correspond pas au manifeste du hub."))
    try:
        return catalogue.install_item(store, parsed, staged)
    finally:
        for entry in staged:  # what install_item did not move (refused, or not newer)
            entry.staged.unlink(missing_ok=True)


def _gather(
    store: Store, api: HubApi, entry: ItemFile, target: Path, result: ToolboxResult
) -> None:
    """``target`` holds the file's checked bytes: copied from here, or downloaded."""
    if target.is_file() and target.stat().st_size >= entry.size:
        if catalogue.sha256_of_file(target) == entry.sha256:
            return  # downloaded whole by an earlier sync
        target.unlink()
    local = catalogue.installed_copy(store, entry.sha256)
    if local is not None:
        shutil.copyfile(local, filemodes.private_file(target))
        result.reused += 1
        return
    for _attempt in range(2):
        result.received_bytes += _download(api, entry, target)
        if catalogue.sha256_of_file(target) == entry.sha256:
            result.downloaded += 1
            return
        target.unlink()  # corrupted on the way: fetched once more from its start
    raise ItemError(
        entry.path,
        _("le fichier reçu du hub ne correspond pas à son empreinte SHA-256, deux fois de suite."),
    )


def _download(api: HubApi, entry: ItemFile, target: Path, url: str | None = None) -> int:
    """Fetch ``entry`` (from ``url``, default: the toolbox's by its SHA-256) into
    ``target``, resuming after what is already there; the bytes received. A cut
    transfer that brought bytes resumes at once; answers that bring nothing are retried
    with back-off, ``ATTEMPTS`` times in a row at most."""
    if entry.size == 0:
        filemodes.open_private(target, "wb").close()
        return 0
    url = url or f"/v1/toolbox/files/{entry.sha256}"
    counter = _Counter()
    failures = 0
    while True:
        have = target.stat().st_size if target.is_file() else 0
        if have >= entry.size:
            return counter.bytes
        api.check_cancel()
        before = counter.bytes
        wait: float = 0.0
        problem: str | None = None
        try:
            headers = {"Range": f"bytes={have}-"} if have else {}
            with api.client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in (200, 206):
                    _write(response, target, _start_of(response, have), entry.size, counter)
                elif status == 416:  # the partial file is longer than this one
                    target.unlink(missing_ok=True)
                elif status == 429:
                    wait = _retry_after(response, failures)
                elif status >= 500:
                    wait = _backoff(failures)
                else:
                    response.read()
                    raise SyncError(_refusal(api.url, response))
                if status >= 400:
                    response.read()
                    problem = _refusal(api.url, response)
        except httpx.TransportError as error:
            wait = _backoff(failures)
            problem = _("Le hub ne répond pas ({url}) : {detail}").format(
                url=api.url, detail=_describe(error)
            )
        if counter.bytes > before:
            failures = 0  # the transfer went forward: resume at once
            continue
        failures += 1
        if failures >= ATTEMPTS:
            raise SyncError(
                problem
                or _("Le hub n'a pas pu envoyer le fichier « {path} ».").format(path=entry.path)
            )
        if wait:
            api.wait(wait)


@dataclass
class _Counter:
    bytes: int = 0


def _start_of(response: httpx.Response, have: int) -> int:
    """Where the answer's bytes start: ``have`` for a 206 that honoured the range, 0 for
    a whole file."""
    if response.status_code == 200:
        return 0
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        raise SyncError(_("Réponse illisible du hub (plage d'octets inattendue)."))
    return have


def _write(
    response: httpx.Response, target: Path, start: int, size: int, counter: _Counter
) -> None:
    """Write the body at ``start`` (0: the file is rewritten), never past ``size``; each
    block reaches the file as it comes, so a cut transfer keeps what it received."""
    written = 0
    with filemodes.open_private(target, "r+b" if start and target.exists() else "wb") as out:
        out.seek(start)
        out.truncate()
        for block in response.iter_bytes():  # as it comes: no block held back
            block = block[: size - start - written]
            if not block:
                break
            out.write(block)
            out.flush()
            written += len(block)
            counter.bytes += len(block)
