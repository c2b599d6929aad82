"""Address files from the hub: the départements the user chose, fetched once.

The hub lists its BAN files (``/v1/addresses/manifest``: département, name, SHA-256,
size). A département whose indexed file has the same SHA-256 is not fetched again;
another is downloaded into the data folder as ``adresses-94.<sha256>.part``, resuming
with HTTP ``Range`` where an earlier attempt stopped (as toolbox files are), checked
against its SHA-256 and whole (``check_file``), then indexed and the part deleted.
A sync does it after the toolbox, for the départements of ``HUB_SETTING``; the
« Adresses » dialog does it when the user chooses them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError
from companion.geo.address_files import DEPARTEMENT, check_file, indexed_departements
from companion.geo.addresses import build_index
from companion.i18n import _
from companion.sync.hubapi import HubApi, SyncError
from companion.sync.toolbox_sync import _download

if TYPE_CHECKING:
    from companion.store import Store

HUB_SETTING = "addresses.hub_departements"  # « 94,75 »: the départements to keep from the hub
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class HubAddresses:
    departement: str
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class _File:
    """What the toolbox's resumable download reads of a file (its ``ItemFile``)."""

    path: str
    sha256: str
    size: int


@dataclass
class AddressSyncResult:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (département, addresses)
    unchanged: int = 0  # already indexed from the same file
    missing: list[str] = field(default_factory=list)  # chosen, but not on the hub


def chosen_departements(store: Store) -> list[str]:
    return [code for code in (store.setting(HUB_SETTING, "") or "").split(",") if code]


def choose_departements(store: Store, codes: list[str]) -> None:
    store.set_setting(HUB_SETTING, ",".join(sorted(set(codes))))


def hub_addresses(api: HubApi) -> list[HubAddresses]:
    """The département files the hub offers."""
    answer = api.request("GET", "/v1/addresses/manifest")
    raw = answer.get("departements")
    if not isinstance(raw, list):
        raise SyncError(_("Réponse illisible du hub (liste des adresses)."))
    return [_entry(item) for item in raw]


def _entry(item: Any) -> HubAddresses:
    try:
        entry = HubAddresses(
            str(item["departement"]), str(item["name"]), str(item["sha256"]), int(item["size"])
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SyncError(_("Réponse illisible du hub (liste des adresses).")) from error
    if not DEPARTEMENT.fullmatch(entry.departement) or not _SHA256.match(entry.sha256):
        raise SyncError(_("Réponse illisible du hub (liste des adresses)."))
    return entry


def sync_addresses(
    data_dir: Path, api: HubApi, wanted: list[str], progress: Progress | None = None
) -> AddressSyncResult:
    """Bring the chosen départements' files from the hub into the index (each once)."""
    result = AddressSyncResult()
    if not wanted:
        return result
    offered = {entry.departement: entry for entry in hub_addresses(api)}
    indexed = {found.code: found.sha256 for found in indexed_departements(data_dir)}
    for code in wanted:
        entry = offered.get(code)
        if entry is None:
            result.missing.append(code)
        elif indexed.get(code) == entry.sha256:
            result.unchanged += 1
        else:
            result.imported.append(_bring(data_dir, api, entry, progress))
    return result


def _bring(
    data_dir: Path, api: HubApi, entry: HubAddresses, progress: Progress | None
) -> tuple[str, int]:
    code = entry.departement
    part = Path(data_dir) / f"adresses-{code}.{entry.sha256}.part"
    if progress:
        progress(0, 0, _("Adresses du département {code} : téléchargement depuis le hub…")
                 .format(code=code))  # fmt: skip
    for _attempt in range(2):
        if not (part.is_file() and part.stat().st_size >= entry.size):
            _download(api, _File(entry.name, entry.sha256, entry.size), part,  # type: ignore[arg-type]
                      url=f"/v1/addresses/files/{code}")  # fmt: skip
        if _sha256(part) == entry.sha256:
            break
        part.unlink()  # corrupted on the way: fetched once more from its start
    else:
        raise SyncError(
            _("Les adresses du département {code} reçues du hub ne correspondent pas à leur "
              "empreinte SHA-256, deux fois de suite.").format(code=code)
        )  # fmt: skip
    try:
        if check_file(part, shown_name=entry.name) != code:
            raise CompanionError(
                _("« {name} » ne contient pas les adresses du département {code}.").format(
                    name=entry.name, code=code
                )
            )
    except CompanionError as error:
        part.unlink()
        raise SyncError(str(error)) from error
    found = build_index(part, data_dir, progress, api.cancel, name=entry.name, sha256=entry.sha256)
    part.unlink()
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
