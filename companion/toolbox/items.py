"""Toolbox items: Markdown files with a TOML front matter, parsed into dataclasses.

An item file reads::

    +++
    id = "0b7c…"            # UUID4, stable across versions
    title = "…"
    theme = "cartographie"
    type = "guide"
    …
    +++
    # Markdown body, images as ![…](../images/x.svg), items as [text](other-slug.md)

Paths inside a toolbox root are POSIX and relative ("items/x.md", "images/y.svg");
the root is the shipped bundle or, for items from the hub, the data folder's
``boiteaoutils/``. Every file is known by its SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import posixpath
import re
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import CompanionError
from companion.i18n import N_, _
from companion.paths import resource_path

ITEMS_FOLDER = "items"

THEMES: dict[str, str] = {
    "posture": N_("Posture"),
    "cartographie": N_("Cartographie"),
    "animation": N_("Animation"),
    "alliance": N_("Alliances"),
    "gouvernance": N_("Gouvernance"),
    "financement": N_("Financement"),
    "evaluation": N_("Évaluation"),
    "relations-elus": N_("Relations avec les élus"),
    "donnees-personnelles": N_("Données personnelles"),
}

TYPES: dict[str, str] = {
    "guide": N_("Guide"),
    "fiche": N_("Fiche pratique"),
    "modele": N_("Modèle"),
    "checklist": N_("Checklist"),
    "kit": N_("Kit atelier"),
}

_FENCE = "+++"
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class ToolboxError(CompanionError):
    """A toolbox file or operation was refused; the message says which and why."""


class ItemError(ToolboxError):
    """An item file cannot be read; the message names the file and the key."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(
            _("Boîte à outils, « {file} » : {problem}").format(file=path, problem=message)
        )


@dataclass(frozen=True)
class ItemFile:
    """A file of the toolbox, relative to its root, known by content."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ToolboxItem:
    id: str
    slug: str
    title: str
    summary: str
    theme: str
    type: str
    audience: tuple[str, ...]
    duration: str | None
    level: str | None
    version: str
    date: str  # ISO date
    authors: tuple[str, ...]
    license: str
    related: tuple[str, ...]
    body: str
    path: str  # "items/<slug>.md", relative to the toolbox root
    sha256: str  # of the item file's bytes


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_item(data: bytes, path: str) -> ToolboxItem:
    """Parse an item file's bytes; ``path`` ("items/<slug>.md") names it in errors.

    Raises ``ItemError`` (French, naming the file and the key) when the file is
    not UTF-8, has no front matter, or a key is missing or of the wrong kind.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ItemError(path, _("le fichier n'est pas un texte UTF-8.")) from None
    header, body = _split_front_matter(text, path)
    try:
        meta = tomllib.loads(header)
    except tomllib.TOMLDecodeError as error:
        raise ItemError(path, _("en-tête TOML illisible ({error}).").format(error=error)) from None
    keys = _Keys(meta, path)
    return ToolboxItem(
        id=keys.uuid("id"),
        slug=posixpath.splitext(posixpath.basename(path))[0],
        title=keys.text("title"),
        summary=keys.text("summary"),
        theme=keys.choice("theme", THEMES),
        type=keys.choice("type", TYPES),
        audience=keys.texts("audience"),
        duration=keys.optional_text("duration"),
        level=keys.optional_text("level"),
        version=keys.version("version"),
        date=keys.date("date"),
        authors=keys.texts("authors"),
        license=keys.text("license"),
        related=keys.texts("related", required=False),
        body=body.strip("\n") + "\n",
        path=path,
        sha256=sha256_of(data),
    )


def read_item(root: Path, path: str) -> ToolboxItem:
    """Read and parse the item at ``path`` (relative) under ``root``."""
    try:
        data = (root / path).read_bytes()
    except OSError as error:
        raise ItemError(path, error.strerror or str(error)) from None
    return parse_item(data, path)


def _split_front_matter(text: str, path: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        raise ItemError(path, _("l'en-tête entre deux lignes « +++ » manque au début."))
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == _FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise ItemError(path, _("la ligne « +++ » qui ferme l'en-tête manque."))


class _Keys:
    """Typed access to front-matter keys, with errors naming the key."""

    def __init__(self, meta: dict[str, Any], path: str) -> None:
        self.meta = meta
        self.path = path

    def _fail(self, key: str, expected: str) -> ItemError:
        message = _("la clé « {key} » doit être {expected}.").format(key=key, expected=expected)
        return ItemError(self.path, message)

    def _get(self, key: str) -> Any:
        if key not in self.meta:
            message = _("la clé « {key} » est obligatoire.").format(key=key)
            raise ItemError(self.path, message)
        return self.meta[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, _("un texte non vide"))
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self._fail(key, _("un texte"))
        return str(value).strip() or None

    def texts(self, key: str, required: bool = True) -> tuple[str, ...]:
        value = self._get(key) if required else self.meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, _("une liste de textes"))
        return tuple(v.strip() for v in value if v.strip())

    def choice(self, key: str, vocabulary: dict[str, str]) -> str:
        value = self._get(key)
        if value not in vocabulary:
            raise self._fail(
                key, _("l'une des valeurs : {values}").format(values=", ".join(vocabulary))
            )
        return str(value)

    def uuid(self, key: str) -> str:
        value = self._get(key)
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise self._fail(key, _("un identifiant UUID")) from None

    def version(self, key: str) -> str:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value):
            raise self._fail(key, _("un numéro de version"))
        return str(value).strip()

    def date(self, key: str) -> str:
        value = self._get(key)
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise self._fail(key, _("une date (AAAA-MM-JJ)"))


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key for versions: "1.10" after "1.9"; a numeric part sorts before a word."""
    parts = re.split(r"[.\-]", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def is_newer(candidate: str, installed: str) -> bool:
    """Whether version ``candidate`` is strictly newer than ``installed``."""
    return version_key(candidate) > version_key(installed)


# -- references -----------------------------------------------------------------


def image_targets(body: str) -> list[str]:
    """The targets of the Markdown images in ``body``, in order."""
    return _IMAGE.findall(body)


def link_targets(body: str) -> list[str]:
    """The targets of the Markdown links (not images) in ``body``, in order."""
    return _LINK.findall(body)


def is_local(target: str) -> bool:
    """A relative target (no scheme, not absolute, not an in-page anchor)."""
    return not (_SCHEME.match(target) or target.startswith(("/", "#", "\\")))


def resolve(item_path: str, target: str) -> str | None:
    """``target`` relative to the item file, as a path relative to the toolbox root.

    None when the target is not local or would leave the root.
    """
    if not is_local(target):
        return None
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(item_path), target))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


def linked_slug(target: str) -> str | None:
    """The slug an item link points at ("other-slug.md#part" → "other-slug"), else None."""
    if not is_local(target):
        return None
    name = target.split("#", 1)[0]
    if not name.endswith(".md"):
        return None
    return posixpath.splitext(posixpath.basename(name))[0] or None


def image_paths(item: ToolboxItem) -> list[str]:
    """The root-relative paths of the item's local images, without duplicates."""
    seen: dict[str, None] = {}
    for target in image_targets(item.body):
        resolved = resolve(item.path, target)
        if resolved is not None:
            seen.setdefault(resolved, None)
    return list(seen)


def file_entry(root: Path, path: str) -> ItemFile | None:
    """The ``ItemFile`` of ``path`` under ``root``, or None if it does not exist."""
    try:
        data = (root / path).read_bytes()
    except OSError:
        return None
    return ItemFile(path, sha256_of(data), len(data))


def item_files(root: Path, item: ToolboxItem) -> list[ItemFile]:
    """The item's files present under ``root``: the item file, then its images."""
    files = [file_entry(root, item.path), *(file_entry(root, p) for p in image_paths(item))]
    return [f for f in files if f is not None]


# -- the shipped bundle ---------------------------------------------------------


def bundle_root() -> Path:
    """The shipped toolbox folder (``companion/resources/toolbox``), frozen-aware."""
    return resource_path("toolbox")


def bundle_item_paths(root: Path) -> list[str]:
    """The item files of a toolbox root, as sorted relative paths."""
    folder = root / ITEMS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(f"{ITEMS_FOLDER}/{p.name}" for p in folder.glob("*.md") if p.is_file())


def bundled_items(root: Path | None = None) -> list[ToolboxItem]:
    """Every item of the shipped bundle (or of ``root``); the first bad file raises."""
    root = bundle_root() if root is None else root
    return [read_item(root, path) for path in bundle_item_paths(root)]
