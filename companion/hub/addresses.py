"""Address files on the hub: a network fetches each département's BAN file once.

``companion-hub addresses add adresses-94.csv.gz`` checks the file whole (gzip intact,
the BAN's columns, the département its communes give), copies it content-addressed to
``fichiers/<sha256>`` as toolbox files are, and lists it in the manifest
(``GET /v1/addresses/manifest``); ``GET /v1/addresses/files/<département>`` serves it,
with byte ranges. The manifest lives in the ``meta`` table (one row a département,
``addresses:<code>``), which both engines have: no schema change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from companion.errors import CompanionError
from companion.geo.address_files import check_departement, check_file
from companion.hub.members import HubError, now_iso
from companion.hub.storage import HubStore
from companion.hub.toolbox import _store_file
from companion.i18n import _

_PREFIX = "addresses:"


@dataclass(frozen=True)
class AddressFile:
    departement: str
    name: str  # « adresses-94.csv.gz »
    sha256: str
    size: int
    published_at: str

    def to_json(self) -> dict:
        return asdict(self)


def publish_addresses(store: HubStore, path: Path) -> tuple[AddressFile, bool]:
    """Check and publish a BAN file; (its entry, whether it changed the manifest)."""
    path = Path(path)
    try:
        departement = check_file(path)
    except CompanionError as error:
        raise HubError(str(error)) from error
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    sha256 = digest.hexdigest()
    current = address_file(store, departement)
    if current is not None and current.sha256 == sha256:
        _store_file(store.files_dir, path, sha256)  # another instance's folder may lack it
        return current, False
    _store_file(store.files_dir, path, sha256)
    entry = AddressFile(departement, path.name, sha256, path.stat().st_size, now_iso())
    with store.backend.transaction(write=True) as tx:
        tx.run(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_PREFIX + departement, json.dumps(entry.to_json())),
        )
    return entry, True


def address_files(store: HubStore) -> list[AddressFile]:
    """The published départements, by code."""
    with store.backend.transaction() as tx:
        rows = tx.rows("SELECT value FROM meta WHERE key LIKE ? ORDER BY key", (_PREFIX + "%",))
    return [AddressFile(**json.loads(row[0])) for row in rows]


def address_file(store: HubStore, departement: str) -> AddressFile | None:
    with store.backend.transaction() as tx:
        row = tx.one("SELECT value FROM meta WHERE key = ?", (_PREFIX + departement,))
    return None if row is None else AddressFile(**json.loads(row[0]))


def remove_addresses(store: HubStore, departement: str) -> AddressFile:
    """Take a département out of the manifest (its file stays: another may share it)."""
    code = _code(departement)
    found = address_file(store, code)
    if found is None:
        raise HubError(_("Le département {code} n'est pas publié.").format(code=code))
    with store.backend.transaction(write=True) as tx:
        tx.run("DELETE FROM meta WHERE key = ?", (_PREFIX + code,))
    return found


def _code(departement: str) -> str:
    try:
        return check_departement(departement)
    except CompanionError as error:
        raise HubError(str(error)) from error
