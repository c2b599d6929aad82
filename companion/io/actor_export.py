"""Exporting actors as a spreadsheet that French Excel opens as is, and that imports back.

UTF-8 with a BOM (Excel then reads accents right, and every character fits, unlike
Windows-1252), ``;`` between cells, CRLF, decimal commas, phones and SIREN/SIRET
spaced as people write them, French column names that the importer recognises:
exporting then importing the file changes nothing. A text a spreadsheet would run
as a formula (``=HYPERLINK(...)``) goes out neutralised (``io/cells.py``).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from companion.directory.actor_checks import format_siren, format_siret
from companion.directory.validate import format_phone
from companion.domain import ACTOR_KINDS, VISIBILITIES, label
from companion.io.actor_fields import FIELDS_BY_KEY
from companion.io.cells import quote_formula
from companion.store import Store

COLUMNS = (
    "id", "name", "kind", "description", "address", "postcode", "commune", "insee_code",
    "latitude", "longitude", "email", "phone", "website", "siren", "siret", "rna", "tags",
    "visibility",
)  # fmt: skip
# Headers stay French whatever the interface language: they are the file format.
HEADER = [FIELDS_BY_KEY[key].label for key in COLUMNS]


def export_actors_csv(store: Store, path: Path) -> int:
    """Write every live actor to ``path`` (atomically); return how many were written."""
    rows = _actor_rows(store)
    partial = Path(f"{path}.partiel")
    with open(partial, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(
                [_csv_cell(key, value) for key, value in zip(COLUMNS, row, strict=True)]
            )
    os.replace(partial, path)
    return len(rows)


def export_actors_xlsx(store: Store, path: Path) -> int:
    """The same table as an Excel workbook; numbers stay numbers, so Excel can sort them."""
    from companion.io.xlsx import write_xlsx

    rows = _actor_rows(store)
    write_xlsx(
        path,
        HEADER,
        (
            [value if key in ("latitude", "longitude") else _cell(key, value)
             for key, value in zip(COLUMNS, row, strict=True)]
            for row in rows
        ),
    )  # fmt: skip
    return len(rows)


def _actor_rows(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT a.id, a.name, a.kind, a.description, a.address, a.postcode, a.commune, "
        "a.insee_code, a.latitude, a.longitude, a.email, a.phone, a.website, "
        "a.siren, a.siret, a.rna, "
        "(SELECT group_concat(t.name, ', ') FROM actor_tags at JOIN tags t ON t.id = at.tag_id "
        " WHERE at.actor_id = a.id AND t.deleted = 0), a.visibility "
        "FROM actors a WHERE a.deleted = 0 ORDER BY a.sort_name"
    ).fetchall()


def _csv_cell(key: str, value: object) -> str:
    """A CSV cell: a number (a coordinate) as it is, any text quoted if it would be a formula."""
    text = _cell(key, value)
    return text if isinstance(value, int | float) else quote_formula(text)


def _cell(key: str, value: object) -> str:
    if value is None:
        return ""
    if key == "kind":
        return label(ACTOR_KINDS, str(value))
    if key == "visibility":
        return label(VISIBILITIES, str(value))
    # Spaced as people write them: a spreadsheet keeps "06 12 34 56 78" and
    # "732 829 320 00074" as text, where it would drop the + of "+33612345678"
    # or print a SIRET as 7.3283E+13; the importer reads both forms back.
    if key == "phone":
        return format_phone(str(value))
    if key == "siren":
        return format_siren(str(value))
    if key == "siret":
        return format_siret(str(value))
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)
