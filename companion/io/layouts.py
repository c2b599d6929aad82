"""Column mappings remembered per file layout, shared by the import wizard and the command line.

A layout is a table's header row. Its signature is the SHA-1 of the folded column
names, so "Code postal" and "CODE POSTAL " are the same layout and next month's
export of the same spreadsheet gets last month's mapping. Layouts are kept in the
store's settings (``import_layout:<signature>``, JSON) with a name, so that
``companion import FILE --mapping NAME`` can apply one to a file laid out otherwise.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _
from companion.io.actor_fields import FIELDS_BY_KEY, guess_mapping
from companion.store import Store
from companion.text import fold

PREFIX = "import_layout:"
MIN_SIGNATURE_PREFIX = 6


class LayoutError(CompanionError):
    """A mapping cannot be applied to a file; the message says which columns or fields."""


@dataclass(frozen=True)
class Layout:
    name: str
    signature: str
    headers: tuple[str, ...]
    mapping: dict[int, str]  # column index -> field key
    used_on: str = ""  # ISO date of the last import that used it

    def by_header(self) -> dict[str, str]:
        return {self.headers[index]: key for index, key in self.mapping.items()}


def signature(headers: list[str]) -> str:
    """The layout's signature: the folded column names, trailing blank columns dropped."""
    folded = [fold(header) for header in headers]
    while folded and not folded[-1]:
        folded.pop()
    return hashlib.sha1("\x1f".join(folded).encode("utf-8")).hexdigest()


def saved_layout(store: Store, headers: list[str]) -> Layout | None:
    """The layout remembered for files with these headers, if any."""
    return _load(store.setting(PREFIX + signature(headers)))


def saved_layouts(store: Store) -> list[Layout]:
    """Every remembered layout, by name."""
    rows = store.conn.execute(
        "SELECT value FROM settings WHERE key LIKE ? ORDER BY key", (PREFIX + "%",)
    )
    layouts = [layout for (value,) in rows if (layout := _load(value)) is not None]
    return sorted(layouts, key=lambda layout: fold(layout.name))


def remember_layout(
    store: Store, headers: list[str], mapping: dict[int, str], name: str = ""
) -> Layout:
    """Save the mapping chosen for these headers (replacing the one saved before)."""
    key = signature(headers)
    previous = saved_layout(store, headers)
    layout = Layout(
        name=name.strip() or (previous.name if previous else "") or key[:MIN_SIGNATURE_PREFIX],
        signature=key,
        headers=tuple(headers),
        mapping={index: field for index, field in sorted(mapping.items()) if index < len(headers)},
        used_on=date.today().isoformat(),
    )
    value = {
        "name": layout.name,
        "headers": list(layout.headers),
        "mapping": {str(index): field for index, field in layout.mapping.items()},
        "used_on": layout.used_on,
    }
    store.set_setting(PREFIX + key, json.dumps(value, ensure_ascii=False))
    return layout


def find_layout(store: Store, wanted: str) -> Layout | None:
    """A remembered layout by name (accents and case ignored) or by signature prefix."""
    folded = fold(wanted)
    layouts = saved_layouts(store)
    named = [layout for layout in layouts if fold(layout.name) == folded]
    if named:
        return named[0]
    if len(wanted) >= MIN_SIGNATURE_PREFIX:
        prefixed = [layout for layout in layouts if layout.signature.startswith(wanted.lower())]
        if len(prefixed) == 1:
            return prefixed[0]
    return None


def proposed_mapping(store: Store, headers: list[str]) -> tuple[dict[int, str], Layout | None]:
    """The remembered mapping for this layout, else one guessed from the header synonyms."""
    layout = saved_layout(store, headers)
    if layout is not None:
        return dict(layout.mapping), layout
    return guess_mapping(headers), None


def apply_layout(layout: Layout, headers: list[str]) -> dict[int, str]:
    """The layout's mapping for a file with these headers (columns found by name)."""
    if signature(headers) == layout.signature:
        return dict(layout.mapping)
    return mapping_by_headers(layout.by_header(), headers, layout.name)


def mapping_by_headers(
    by_header: dict[str, str], headers: list[str], source: str
) -> dict[int, str]:
    """Column index -> field from column name -> field; ``LayoutError`` names what is missing."""
    unknown = sorted({str(key) for key in by_header.values()} - set(FIELDS_BY_KEY))
    if unknown:
        raise LayoutError(
            _("Correspondance « {path} » : champ(s) inconnu(s) : {fields}").format(
                path=source, fields=", ".join(unknown)
            )
        )
    positions = {}
    for index, header in enumerate(headers):
        positions.setdefault(fold(header), index)
    missing = [name for name in by_header if fold(name) not in positions]
    if missing:
        raise LayoutError(
            _("Correspondance « {path} » : colonne(s) absente(s) du fichier : {columns}").format(
                path=source, columns=", ".join(missing)
            )
        )
    return {positions[fold(name)]: key for name, key in by_header.items()}


def read_mapping_file(path: Path) -> dict[str, str]:
    """A JSON file naming columns by their header: ``{"Raison sociale": "name"}``."""
    try:
        by_header = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise LayoutError(
            _("Correspondance « {path} » illisible : {reason}").format(path=path, reason=error)
        ) from error
    if not isinstance(by_header, dict) or any(
        isinstance(key, dict | list) for key in by_header.values()
    ):
        raise LayoutError(
            _("Correspondance « {path} » illisible : {reason}").format(
                path=path, reason=_("un objet JSON est attendu")
            )
        )
    return {str(name): str(key) for name, key in by_header.items()}


def _load(value: str | None) -> Layout | None:
    if not value:
        return None
    try:
        data = json.loads(value)
        headers = tuple(str(header) for header in data["headers"])
        mapping = {
            int(index): key
            for index, key in data["mapping"].items()
            if key in FIELDS_BY_KEY and int(index) < len(headers)  # fields may be retired
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a damaged setting is forgotten, not fatal
    return Layout(
        str(data.get("name", "")),
        signature(list(headers)),
        headers,
        mapping,
        data.get("used_on", ""),
    )
