"""Excel workbooks (.xlsx): the first sheet read as rows of text, and actors written back.

Text cells are written as text, never formulas, and read back in the form a CSV
holds them (``io/cells.py``), so both go through the same import path.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from companion.i18n import _
from companion.io import limits
from companion.io.cells import record_text, xlsx_row
from companion.io.textfile import Record, UnreadableFile, unreadable_reason

XLSX_SUFFIXES = (".xlsx", ".xlsm")
MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 1_000  # an actors' table has a few dozen
MAX_CELLS = 30_000_000  # counted as openpyxl pads rows: a million rows of 30 columns


def read_xlsx_records(path: Path) -> Iterator[Record]:
    """The first sheet's rows as text, numbered as Excel numbers them (1 = the header).

    The workbook is checked first (``io/limits.py``: size, zip bomb, no DTD in its XML);
    ``UnreadableFile`` names the file, and the row, for anything openpyxl cannot read."""
    from openpyxl import load_workbook  # imported when a workbook is actually read

    path = Path(path)
    handle = _open_checked(path)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        handle.close()
        raise _unreadable(path, error) from error
    try:
        yield from _rows(path, sheet)
    finally:
        workbook.close()
        handle.close()


def _open_checked(path: Path) -> BinaryIO:
    """The workbook's file, open, once its zip directory and XML passed the limits."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise UnreadableFile(unreadable_reason(path, error)) from error
    try:
        with zipfile.ZipFile(handle) as archive:
            limits.check_zip_directory(archive, limits.WORKBOOK)
            limits.check_xml_entries(archive)
    except limits.LimitExceeded as error:
        handle.close()
        raise UnreadableFile(
            _("« {path} » est refusé : {reason}.").format(path=path, reason=error)
        ) from error
    except Exception as error:  # not a zip, a damaged entry (CRC), an unknown compression
        handle.close()
        raise _unreadable(path, error) from error
    handle.seek(0)
    return handle


def _rows(path: Path, sheet: Any) -> Iterator[Record]:
    """The sheet's rows within Excel's own limits; a row wider than ``MAX_COLUMNS`` is
    cut when the rest is empty (stray formatting), refused otherwise."""
    sheet.reset_dimensions()  # a lying <dimension> would pad every row, or add rows
    cells = 0
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise UnreadableFile(
                    _("« {path} » a plus de {limit} lignes : refusé.").format(
                        path=path, limit=MAX_ROWS
                    )
                )
            cells += len(row)
            if len(row) > MAX_COLUMNS:
                if row[MAX_COLUMNS:].count(None) != len(row) - MAX_COLUMNS:
                    raise UnreadableFile(
                        _("« {path} », ligne {line} : plus de {limit} colonnes : refusé.").format(
                            path=path, line=number, limit=MAX_COLUMNS
                        )
                    )
                row = row[:MAX_COLUMNS]
            if cells > MAX_CELLS:
                raise UnreadableFile(
                    _("« {path} » a plus de {limit} cellules : refusé.").format(
                        path=path, limit=MAX_CELLS
                    )
                )
            yield Record(number, [_text(value) for value in row])
    except UnreadableFile:
        raise
    except Exception as error:  # a damaged sheet found while reading it
        raise UnreadableFile(
            _("« {path} », ligne {line} : classeur illisible ({reason}).").format(
                path=path, line=number + 1, reason=error
            )
        ) from error


def _unreadable(path: Path, error: Exception) -> UnreadableFile:
    return UnreadableFile(
        _("« {path} » n'est pas un classeur Excel lisible ({reason}).").format(
            path=path, reason=str(error) or type(error).__name__
        )
    )


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
