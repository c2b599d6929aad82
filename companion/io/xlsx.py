"""Excel workbooks (.xlsx): the first sheet read as rows of text, and actors written back.

Text cells are written as text, never formulas, and read back in the form a CSV
holds them (``io/cells.py``), so both go through the same import path.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from companion.i18n import _
from companion.io.cells import record_text, xlsx_row
from companion.io.textfile import Record, UnreadableFile

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_xlsx_records(path: Path) -> Iterator[Record]:
    """The first sheet's rows as text, numbered as Excel numbers them (1 = the header)."""
    from openpyxl import load_workbook  # imported when a workbook is actually read

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(
            _("« {path} » n'est pas un classeur Excel lisible ({reason}).").format(
                path=path, reason=error
            )
        ) from error
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Record(number, [_text(value) for value in row])
    finally:
        workbook.close()


def _text(value: object) -> str:
    """A cell as the text a person sees: 1000 not 1000.0, dates as dd/mm/yyyy; a text that
    would be a formula is quoted as in a CSV (the import unquotes it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return record_text(value)
    return str(value).strip()


def write_xlsx(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    """One sheet with a bold header, written to a temporary file then moved into place;
    texts are text cells (never formulas), numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Acteurs"
    sheet.append(xlsx_row(sheet, header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    sheet.freeze_panes = "A2"
    partial = Path(f"{path}.partiel")
    workbook.save(partial)
    os.replace(partial, path)
