"""The local catalogue: which version of each toolbox item is installed, and its text.

Items come from two sources: the bundle shipped with the app (``install_bundled``,
run at start-up, nearly free when the bundle has not changed) and, later, the
network's hub (``install_item``: files checked against their SHA-256 before
they are moved into the data folder's ``boiteaoutils/``). An item keeps its
UUID across versions; replacing it keeps the user's notes and favourites.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion import filemodes
from companion.i18n import N_, _
from companion.store.records import now_iso
from companion.toolbox.items import (
    ItemError,
    ItemFile,
    ToolboxError,
    ToolboxItem,
    bundle_item_paths,
    bundle_root,
    image_paths,
    is_newer,
    item_files,
    read_item,
    resolve,
)
from companion.toolbox.plaintext import markdown_to_text

if TYPE_CHECKING:
    from companion.store import Store

log = logging.getLogger(__name__)

HUB_FOLDER = "boiteaoutils"
BUNDLE_SETTING = "toolbox_bundle_digest"
# Bump when the way items are installed changes: every bundle is then reinstalled.
INSTALL_FORMAT = "1"
_TAKEN = N_("identifiant ou nom de fichier déjà pris par un autre élément.")

Entry = tuple[ToolboxItem, list[ItemFile]]


@dataclass(frozen=True)
class InstallReport:
    installed: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    problems: tuple[str, ...] = ()
    up_to_date: bool = False  # the bundle had not changed: nothing was read


@dataclass(frozen=True)
class StagedFile:
    """A downloaded file waiting to be checked and moved into place."""

    file: ItemFile  # where it goes (relative to boiteaoutils/) and its announced hash
    staged: Path  # where it was downloaded


@dataclass(frozen=True)
class InstalledItem:
    item: ToolboxItem
    source: str  # "bundled" or "hub"
    installed_at: str
    root: Path  # the folder its relative paths start from

    @property
    def roots(self) -> tuple[Path, ...]:
        """Where to look for its files: its own root, then the bundle (shared images)."""
        bundle = bundle_root()
        return (self.root,) if self.root == bundle else (self.root, bundle)


# -- the bundle -------------------------------------------------------------------


def bundle_digest(root: Path) -> str:
    """A digest of every file under ``root`` (names and contents) and of the install format."""
    digest = hashlib.sha256(INSTALL_FORMAT.encode())
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def scan_bundle(root: Path) -> tuple[list[Entry], list[str]]:
    """The bundle's items with their files, and the French problems met (bad files skipped)."""
    entries: list[Entry] = []
    problems: list[str] = []
    for path in bundle_item_paths(root):
        try:
            item = read_item(root, path)
        except ItemError as error:
            problems.append(str(error))
            continue
        files = item_files(root, item)
        found = {f.path for f in files}
        for image in image_paths(item):
            if image not in found:
                message = _("image « {image} » introuvable.").format(image=image)
                problems.append(str(ItemError(path, message)))
        entries.append((item, files))
    return entries, problems


def install_bundled(store: Store, root: Path | None = None, force: bool = False) -> InstallReport:
    """Bring the catalogue up to the shipped bundle (or ``root``); idempotent.

    Unchanged bundles cost one digest of the bundle's files and one setting
    read. Otherwise new items are installed, items whose version or files
    changed are updated (unless the hub installed a newer version), and items
    withdrawn from the bundle are removed; notes and favourites stay.
    """
    root = bundle_root() if root is None else root
    digest = bundle_digest(root)
    if not force and store.setting(BUNDLE_SETTING) == digest:
        return InstallReport(up_to_date=True)
    entries, problems = scan_bundle(root)
    report = _install(store, entries, "bundled", withdraw_others=True)
    problems += report.problems
    for problem in problems:
        log.warning("%s", problem)
    store.set_setting(BUNDLE_SETTING, digest)
    return InstallReport(
        report.installed, report.updated, report.removed, report.unchanged, tuple(problems)
    )


# -- the hub ------------------------------------------------------------------------


def hub_root(store: Store) -> Path:
    """Where items from the hub keep their files: the data folder's ``boiteaoutils/``."""
    return store.path.parent / HUB_FOLDER


def install_item(store: Store, item: ToolboxItem, files: Sequence[StagedFile]) -> bool:
    """Install an item from the hub with its downloaded files; False if not newer.

    Every file is checked against its announced SHA-256 before anything moves;
    one mismatch refuses the whole item (``ToolboxError``) and nothing changes.
    The item replaces an installed one of the same id if its version is newer
    (or, from the hub again, if its content changed).
    """
    by_path = {staged.file.path: staged for staged in files}
    for path in by_path:
        # Relative, inside boiteaoutils/, and the same on Windows (no "\\" or drive).
        if resolve("", path) != path or "\\" in path or ":" in path:
            raise ToolboxError(_("Chemin de fichier refusé : « {path} ».").format(path=path))
    own = by_path.get(item.path)
    if own is None or own.file.sha256 != item.sha256:
        raise ItemError(item.path, _("le fichier de l'élément manque ou ne correspond pas."))
    for staged in files:
        if sha256_of_file(staged.staged) != staged.file.sha256:
            raise ItemError(staged.file.path, _("empreinte SHA-256 différente ; fichier refusé."))
    owner = store.conn.execute("SELECT id FROM toolbox_items WHERE slug = ?", (item.slug,))
    if (owner.fetchone() or (item.id,))[0] != item.id:
        raise ItemError(item.path, _(_TAKEN))
    current = _current(store).get(item.id)
    if not _should_replace(current, item.version, item.sha256, [s.file for s in files], "hub"):
        return False
    root = hub_root(store)
    for staged in files:
        _move_into_place(staged.staged, root / staged.file.path)
    report = _install(store, [(item, [s.file for s in files])], "hub", withdraw_others=False)
    if report.problems:
        raise ToolboxError(report.problems[0])
    return True


def is_wanted(
    store: Store, item_id: str, version: str, sha256: str, files: Sequence[ItemFile]
) -> bool:
    """Whether the hub's item (as its manifest describes it) would replace the installed
    one: what ``install_item`` decides, before anything is downloaded."""
    return _should_replace(_current(store).get(item_id), version, sha256, files, "hub")


def installed_copy(store: Store, sha256: str) -> Path | None:
    """An installed file (hub or bundle) with these bytes, checked, or None."""
    rows = store.conn.execute(
        "SELECT f.path, i.source FROM toolbox_files f JOIN toolbox_items i ON i.id = f.item_id "
        "WHERE f.sha256 = ?",
        (sha256,),
    ).fetchall()
    for path, source in rows:
        candidate = (bundle_root() if source == "bundled" else hub_root(store)) / path
        if candidate.is_file() and sha256_of_file(candidate) == sha256:
            return candidate
    return None


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _move_into_place(source: Path, target: Path) -> None:
    # Through a temporary name in the target folder, so a reader never sees half a file.
    filemodes.private_folder(target.parent)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".arrivee-")
    os.close(handle)
    try:
        shutil.move(str(source), temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- writing ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    slug: str
    version: str
    sha256: str
    source: str
    files: frozenset[tuple[str, str]]


def _current(store: Store) -> dict[str, _Current]:
    files: dict[str, set[tuple[str, str]]] = {}
    for item_id, path, sha in store.conn.execute("SELECT item_id, path, sha256 FROM toolbox_files"):
        files.setdefault(item_id, set()).add((path, sha))
    rows = store.conn.execute("SELECT id, slug, version, sha256, source FROM toolbox_items")
    return {
        row[0]: _Current(*row[1:], frozenset(files.get(row[0], ())))  # type: ignore[arg-type]
        for row in rows
    }


def _should_replace(
    current: _Current | None, version: str, sha256: str, files: Sequence[ItemFile], source: str
) -> bool:
    if current is None:
        return True
    if current.source != source:
        return is_newer(version, current.version)
    return (
        current.version != version
        or current.sha256 != sha256
        or current.files != frozenset((f.path, f.sha256) for f in files)
    )


_COLUMNS = (
    "id, slug, version, sha256, title, summary, theme, type, audience, duration, level, "
    "date, authors, license, related, body, body_text, source, path, installed_at"
)


def _row(item: ToolboxItem, source: str, now: str) -> dict[str, Any]:
    def as_json(values: tuple[str, ...]) -> str:
        return json.dumps(list(values), ensure_ascii=False)

    return {
        **{name: getattr(item, name) for name in ("id", "slug", "version", "sha256", "title")},
        **{name: getattr(item, name) for name in ("summary", "theme", "type", "duration")},
        **{name: getattr(item, name) for name in ("level", "date", "license", "body", "path")},
        "audience": as_json(item.audience),
        "authors": as_json(item.authors),
        "related": as_json(item.related),
        "body_text": markdown_to_text(item.body, item.title),
        "source": source,
        "installed_at": now,
    }


def _install(
    store: Store, entries: list[Entry], source: str, withdraw_others: bool
) -> InstallReport:
    current = _current(store)
    slugs = {state.slug: item_id for item_id, state in current.items()}
    counts = {"installed": 0, "updated": 0, "removed": 0, "unchanged": 0}
    problems: list[str] = []
    seen: set[str] = set()
    now = now_iso()
    names = [name.strip() for name in _COLUMNS.split(",")]
    assignments = ", ".join(f"{name} = :{name}" for name in names if name != "id")
    with store.db.atomic():
        for item, files in entries:
            if item.id in seen or slugs.get(item.slug, item.id) != item.id:
                problems.append(str(ItemError(item.path, _(_TAKEN))))
                continue
            seen.add(item.id)
            slugs[item.slug] = item.id
            state = current.get(item.id)
            if not _should_replace(state, item.version, item.sha256, files, source):
                counts["unchanged"] += 1
                continue
            row = _row(item, source, now)
            if state is None:
                placeholders = ", ".join(f":{name}" for name in names)
                sql = f"INSERT INTO toolbox_items ({_COLUMNS}) VALUES ({placeholders})"
                counts["installed"] += 1
            else:
                sql = f"UPDATE toolbox_items SET {assignments} WHERE id = :id"
                counts["updated"] += 1
            store.conn.execute(sql, row)
            store.conn.execute("DELETE FROM toolbox_files WHERE item_id = ?", (item.id,))
            store.conn.executemany(
                "INSERT INTO toolbox_files (item_id, path, sha256, size) VALUES (?, ?, ?, ?)",
                [(item.id, f.path, f.sha256, f.size) for f in files],
            )
        if withdraw_others:
            withdrawn = [
                item_id
                for item_id, state in current.items()
                if state.source == source and item_id not in seen
            ]
            store.conn.executemany(
                "DELETE FROM toolbox_items WHERE id = ?", [(i,) for i in withdrawn]
            )
            counts["removed"] = len(withdrawn)
    return InstallReport(**counts, problems=tuple(problems))


# -- reading -----------------------------------------------------------------------


def _item_from_row(row: dict[str, Any]) -> ToolboxItem:
    return ToolboxItem(
        **{name: row[name] for name in ("id", "slug", "title", "summary", "theme", "type")},
        **{name: row[name] for name in ("duration", "level", "version", "date", "license")},
        **{name: row[name] for name in ("body", "path", "sha256")},
        audience=tuple(json.loads(row["audience"])),
        authors=tuple(json.loads(row["authors"])),
        related=tuple(json.loads(row["related"])),
    )


def _get(store: Store, column: str, value: str) -> InstalledItem | None:
    cursor = store.conn.execute(f"SELECT * FROM toolbox_items WHERE {column} = ?", (value,))
    row = cursor.fetchone()
    if row is None:
        return None
    data = dict(zip([c[0] for c in cursor.description], row, strict=True))
    root = bundle_root() if data["source"] == "bundled" else hub_root(store)
    return InstalledItem(_item_from_row(data), data["source"], data["installed_at"], root)


def get_item(store: Store, item_id: str) -> InstalledItem | None:
    """The installed item of that id, with where its files are."""
    return _get(store, "id", item_id)


def get_item_by_slug(store: Store, slug: str) -> InstalledItem | None:
    """The installed item a link such as ``other-slug.md`` points at."""
    return _get(store, "slug", slug)


def item_titles(store: Store) -> dict[str, str]:
    """Every installed item's title by slug (links and "see also" lists)."""
    return dict(store.conn.execute("SELECT slug, title FROM toolbox_items").fetchall())
