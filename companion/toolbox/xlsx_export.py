"""A grid template as a spreadsheet (.xlsx, openpyxl): one sheet per table.

Each sheet is named after the heading above its table; the header row is bold,
frozen and filtered, columns are sized to their text. Text outside the tables
(instructions) goes to a first sheet, « Consignes ». The text may come from the hub:
every cell is written as text, never as a formula (``io/cells.py``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, BinaryIO

from companion.i18n import _
from companion.io.cells import xlsx_row

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from companion.toolbox.items import ToolboxItem

_HEADINGS = {f"h{n}" for n in range(1, 7)}
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]+")
MAX_WIDTH = 60
SHEET_NAME_LENGTH = 31


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def write_xlsx(item: ToolboxItem, root: ET.Element, handle: BinaryIO) -> None:
    """Write the item's tables (and instructions) as .xlsx into ``handle``."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.title = item.title
    workbook.properties.subject = item.summary
    workbook.properties.creator = ", ".join(item.authors)
    workbook.properties.description = f"{item.license} · {item.id} · {item.version}"
    workbook.remove(workbook.active)
    lines: list[tuple[str, bool]] = []  # the text outside tables, (text, is a heading)
    heading = item.title
    used: set[str] = set()
    for element in root:
        if element.tag in _HEADINGS:
            heading = _text(element)
            lines.append((heading, True))
        elif element.tag == "table":
            _fill(workbook.create_sheet(_sheet_name(heading, used)), element)
        elif element.tag in ("ul", "ol"):
            entries = [li for li in element if li.tag == "li"]
            for number, entry in enumerate(entries, start=int(element.get("start", "1"))):
                mark = f"{number}." if element.tag == "ol" else "•"
                lines.append((f"{mark} {_text(entry)}", False))
        elif _text(element):
            lines.append((_text(element), False))
    has_notes = any(not is_heading for _line, is_heading in lines)
    if has_notes:
        _notes(workbook.create_sheet(_sheet_name(_("Consignes"), used), 0), item.title, lines)
    if not workbook.worksheets:
        workbook.create_sheet(_sheet_name(heading, used))
    # The first grid is what the user came for; the instructions sheet stays one click away.
    workbook.active = 1 if has_notes and len(workbook.worksheets) > 1 else 0
    workbook.save(handle)


def _notes(sheet: Worksheet, title: str, lines: list[tuple[str, bool]]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(xlsx_row(sheet, [title]))
    sheet["A1"].font = Font(bold=True, size=14)
    for text, is_heading in lines:
        sheet.append(xlsx_row(sheet, [text]))
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if is_heading:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 100


def _sheet_name(heading: str, used: set[str]) -> str:
    base = _SHEET_UNSAFE.sub(" ", heading).strip(" '")[:SHEET_NAME_LENGTH] or _("Grille")
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    used.add(name.casefold())
    return name


def _fill(sheet: Worksheet, table: ET.Element) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    rows = [[_text(cell) for cell in row] for row in table.iter("tr")]
    header = [row for row in table.iter("tr") if any(cell.tag == "th" for cell in row)]
    for values in rows:
        sheet.append(xlsx_row(sheet, values))
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    if header:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DCE6F1")
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.iter_cols():
        longest = max((len(str(cell.value or "")) for cell in column), default=0)
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(10, longest + 2))
