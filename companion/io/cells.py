"""Spreadsheet cells that never run as formulas (CSV/formula injection, as OWASP advises).

A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel and LibreOffice: ``=HYPERLINK(...)`` in a name would reach whoever
opens the export. Every export a spreadsheet opens goes through this module:

- CSV: such a text is written with a leading ``'`` (``quote_formula``), which the
  spreadsheet shows as text; so is a text already made of quotes followed by such a
  character (``'=x`` becomes ``''=x``), so that an import removing one quote under
  the same condition (``unquote_formula``) gives every text back exactly;
- XLSX: text cells are written as text (``data_type`` ``s``, never ``f``), the
  dangerous ones with Excel's "quote prefix" so they stay text when edited
  (``xlsx_row``); reading a workbook gives its text cells in the CSV form
  (``record_text``), so both kinds of table go through the same import path.

Numbers written as numbers (a negative longitude) are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def needs_quote(text: str) -> bool:
    """Whether a text, once any leading quotes are set aside, starts like a formula."""
    return text.lstrip(QUOTE)[:1] in FORMULA_STARTS


def quote_formula(text: str) -> str:
    """The text as a CSV cell: one more leading ``'`` when it would start a formula."""
    return QUOTE + text if needs_quote(text) else text


def unquote_formula(text: str) -> str:
    """The reverse of ``quote_formula``: one leading ``'`` removed under the same condition."""
    return text[1:] if text.startswith(QUOTE) and needs_quote(text) else text


def csv_value(value: Any) -> Any:
    """A database value as a CSV cell: text quoted if needed, numbers as they are."""
    if value is None:
        return ""
    return quote_formula(value) if isinstance(value, str) else value


def import_text(cell: str) -> str:
    """A table cell as an import reads it: surrounding blanks dropped, then unquoted."""
    return unquote_formula(cell.strip())


def record_text(value: str) -> str:
    """A workbook's text cell in the form a CSV would hold it (see ``import_text``)."""
    return quote_formula(value)


def xlsx_row(sheet: Worksheet, values: Iterable[Any]) -> list[Any]:
    """Values for ``sheet.append``: each text becomes a text cell, never a formula."""
    return [xlsx_cell(sheet, value) if isinstance(value, str) else value for value in values]


def xlsx_cell(sheet: Worksheet, text: str) -> Any:
    """An openpyxl cell holding ``text`` as text; a formula-like one keeps Excel's quote
    prefix so that editing it in Excel leaves it text."""
    from openpyxl.cell import Cell

    cell = Cell(sheet, value=text)  # openpyxl makes any "=..." a formula ("f"): undone here
    cell.data_type = "s"
    if needs_quote(text):
        cell.quotePrefix = True
    return cell
