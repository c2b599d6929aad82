"""Toolbox distribution: publishing items on the hub, and byte ranges for resumed downloads.

An item is published from a toolbox folder laid out like the shipped bundle
(``items/<slug>.md`` and ``images/…``). Its file and its images are copied,
content-addressed, to ``fichiers/<sha256>``; the manifest lists them with paths
relative to the toolbox root (``items/x.md``, ``images/y.svg``), the paths the
app's catalogue installs them under.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from companion import filemodes
from companion.hub.members import HubError
from companion.hub.storage import HubStore
from companion.i18n import _
from companion.protocol.messages import ManifestFile, ManifestItem
from companion.toolbox.items import ITEMS_FOLDER, image_paths, is_newer, item_files, read_item


@dataclass(frozen=True)
class Published:
    item: ManifestItem
    previous_version: str | None  # None for a new item
    changed: bool  # False: this exact version was already published


def publish(store: HubStore, path: Path) -> Published:
    """Publish the item file at ``path`` and its images; only a newer version replaces one."""
    path = path.resolve()
    if path.parent.name != ITEMS_FOLDER:
        raise HubError(
            _("« {path} » doit se trouver dans le dossier « items » d'une boîte à outils.").format(
                path=path
            )
        )
    root = path.parent.parent
    item = read_item(root, f"{ITEMS_FOLDER}/{path.name}")
    files = item_files(root, item)
    found = {f.path for f in files}
    for image in image_paths(item):
        if image not in found:
            raise HubError(_("Image introuvable : « {image} ».").format(image=image))
    manifest = ManifestItem(
        item.id, item.slug, item.version, item.sha256,
        [ManifestFile(f.path, f.sha256, f.size) for f in files],
    )  # fmt: skip
    current = store.toolbox_item(item.id)
    if current is not None:
        if current.sha256 == item.sha256 and current.files == manifest.files:
            # Another instance on the same database published it: its files still
            # belong in this instance's folder (docs/SYNC.md, "Several processes").
            for entry in files:
                _store_file(store.files_dir, root / entry.path, entry.sha256)
            return Published(current, current.version, changed=False)
        if not is_newer(item.version, current.version):
            raise HubError(
                _(
                    "La version {version} n'est pas plus récente que la version publiée "
                    "({current}) : changez « version »."
                ).format(version=item.version, current=current.version)
            )
    for entry in files:
        _store_file(store.files_dir, root / entry.path, entry.sha256)
    store.save_toolbox_item(manifest)
    return Published(manifest, current.version if current else None, changed=True)


def _store_file(folder: Path, source: Path, sha256: str) -> None:
    target = folder / sha256
    if target.is_file():
        return  # content-addressed: the same name is the same bytes
    filemodes.private_folder(folder)
    data = source.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise HubError(_("« {path} » a changé pendant la publication.").format(path=source))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".arrivee-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, target)


class RangeNotSatisfiable(Exception):
    """The requested range starts past the end of the file (HTTP 416)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte asked for by a ``Range`` header, or None for the whole file.

    One ``bytes=`` range is honoured; anything else (several ranges, another
    unit, bad syntax) is ignored, as RFC 9110 allows, and the whole file is sent.
    """
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.strip()[len("bytes=") :].strip()
    if "," in spec or "-" not in spec:
        return None
    first, _dash, last = (part.strip() for part in spec.partition("-"))
    if not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if last == "":
            return None
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable()
    return start, min(int(last), size - 1) if last else size - 1
