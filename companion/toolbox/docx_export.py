"""A template item as a Word document (.docx, python-docx): headings, text, lists, tables."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from docx.document import Document
    from docx.shared import Length
    from docx.text.paragraph import Paragraph

    from companion.toolbox.items import ToolboxItem

MONOSPACE = "Courier New"
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BULLETS = ["List Bullet", "List Bullet 2", "List Bullet 3"]
_BLOCKS = {"p", "ul", "ol", "pre", "blockquote", "table", "div", "hr"}
_INDENT_CM = 0.63


@dataclass(frozen=True)
class _Format:
    bold: bool = False
    italic: bool = False
    mono: bool = False


def _short(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def write_docx(item: ToolboxItem, root: ET.Element, handle: BinaryIO) -> None:
    """Write the item (its body already parsed into ``root``) as .docx into ``handle``."""
    import docx

    document = docx.Document()
    properties = document.core_properties
    # The core properties hold at most 255 characters each (python-docx checks).
    properties.title = _short(item.title)
    properties.subject = _short(item.summary)
    properties.author = _short(", ".join(item.authors))
    properties.comments = f"{item.license} · {item.id} · {item.version}"
    document.add_heading(item.title, level=0)
    _blocks(document, root)
    document.save(handle)


def _blocks(document: Document, parent: ET.Element, quote: bool = False) -> None:
    for element in parent:
        tag = element.tag
        if tag in _HEADINGS:
            _inline(document.add_heading(level=_HEADINGS[tag]), element)
        elif tag == "p":
            _inline(document.add_paragraph(style="Quote" if quote else None), element)
        elif tag in ("ul", "ol"):
            _list(document, element, depth=0)
        elif tag == "table":
            _table(document, element)
        elif tag in ("blockquote", "div"):
            _blocks(document, element, quote=quote or tag == "blockquote")
        elif tag == "pre":
            paragraph = document.add_paragraph()
            paragraph.add_run("".join(element.itertext()).rstrip("\n")).font.name = MONOSPACE


def _list(document: Document, element: ET.Element, depth: int) -> None:
    numbered = element.tag == "ol"
    number = int(element.get("start", "1"))
    for entry in (child for child in element if child.tag == "li"):
        paragraph = _list_paragraph(document, numbered, number, depth)
        number += 1
        _inline(paragraph, entry)
        # A loose list puts each entry's text in <p>: the first one goes on the entry's line.
        first_paragraph = not (entry.text or "").strip()
        for child in entry:
            if child.tag in ("ul", "ol"):
                _list(document, child, depth + 1)
            elif child.tag == "p":
                target = paragraph if first_paragraph else document.add_paragraph()
                if target is not paragraph:
                    target.paragraph_format.left_indent = _indent(depth + 1)
                _inline(target, child)
                first_paragraph = False


def _list_paragraph(document: Document, numbered: bool, number: int, depth: int) -> Paragraph:
    if not numbered:
        return document.add_paragraph(style=_BULLETS[min(depth, len(_BULLETS) - 1)])
    # Numbers written out: Word's "List Number" would continue across separate lists.
    paragraph = document.add_paragraph(style="List Paragraph")
    paragraph.paragraph_format.left_indent = _indent(depth + 1)
    paragraph.paragraph_format.first_line_indent = -_indent(1)
    paragraph.add_run(f"{number}.\t")
    return paragraph


def _indent(levels: int) -> Length:
    from docx.shared import Cm

    return Cm(_INDENT_CM * levels)


def _table(document: Document, table: ET.Element) -> None:
    rows = list(table.iter("tr"))
    if not rows:
        return
    grid = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    grid.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            _inline(grid.cell(r, c).paragraphs[0], cell, _Format(bold=cell.tag == "th"))


def _inline(paragraph: Paragraph, element: ET.Element, style: _Format = _Format()) -> None:
    """Add ``element``'s text and inline children to ``paragraph`` as formatted runs.

    Block children (a nested list, a paragraph inside a list entry) are left to the caller.
    """
    _run(paragraph, element.text, style)
    for child in element:
        tag = child.tag
        if tag in _BLOCKS:
            continue
        if tag == "br":
            paragraph.add_run().add_break()
        elif tag == "img":
            _run(paragraph, child.get("alt"), replace(style, italic=True))
        else:
            inner = replace(
                style,
                bold=style.bold or tag in ("strong", "b"),
                italic=style.italic or tag in ("em", "i"),
                mono=style.mono or tag == "code",
            )
            _inline(paragraph, child, inner)
            href = child.get("href") or ""
            if tag == "a" and href.startswith(("http://", "https://")):
                _run(paragraph, f" ({href})", style)
        _run(paragraph, child.tail, style)


def _run(paragraph: Paragraph, text: str | None, style: _Format) -> None:
    if not text:
        return
    run = paragraph.add_run(text)
    run.bold = style.bold or None
    run.italic = style.italic or None
    if style.mono:
        run.font.name = MONOSPACE
