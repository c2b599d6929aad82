"""« Utiliser ce modèle »: an office document generated from a template item.

The item's Markdown is parsed once into a tree (the reader's safe converter);
a body that is mainly tables becomes a spreadsheet (.xlsx, one sheet per
table), anything else a text document (.docx). The file goes into the user's
documents folder under the item's title, never over an existing file.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from companion.i18n import _
from companion.text import fold
from companion.toolbox.items import ToolboxError, ToolboxItem

if TYPE_CHECKING:
    import markdown

# A table must hold at least this share of the text for the item to be a grid.
GRID_SHARE = 0.5
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')
_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
_TAGS = re.compile(r"<[^>]+>")


def markdown_tree(body: str) -> ET.Element:
    """The body as the element tree the reader serialises (a ``div`` of blocks).

    Text kept aside by the converter (code blocks, entities) is put back as text.
    """
    import html

    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    from companion.toolbox.render import mark_checkbox, new_markdown

    captured: list[ET.Element] = []

    class Capture(Treeprocessor):
        def run(self, root: ET.Element) -> None:
            captured.append(root)

    class CaptureExtension(Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
            md.treeprocessors.register(Capture(md), "companion_capture", -10)

    converter = new_markdown(CaptureExtension())
    converter.convert(body)
    stash = converter.htmlStash.rawHtmlBlocks

    def restore(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: html.unescape(_TAGS.sub("", str(stash[int(m[1])]))), text)

    root = captured[0]
    for element in root.iter():
        if element.text:
            element.text = restore(element.text)
        if element.tail:
            element.tail = restore(element.tail)
    for entry in root.iter("li"):
        mark_checkbox(entry)
    return root


def is_grid(root: ET.Element) -> bool:
    """Whether tables hold most of the body's text (then a spreadsheet fits best)."""
    total = sum(len(text.strip()) for text in root.itertext())
    in_tables = sum(len(t.strip()) for table in root.iter("table") for t in table.itertext())
    return total > 0 and in_tables / total >= GRID_SHARE


def without_repeated_title(root: ET.Element, title: str) -> ET.Element:
    """Drop the body's opening ``# <title>``: the document starts with the title anyway."""
    if len(root) and root[0].tag == "h1" and fold("".join(root[0].itertext())) == fold(title):
        root.remove(root[0])
    return root


def file_stem(title: str) -> str:
    """A file name from a title, valid on every system."""
    stem = _UNSAFE_NAME.sub(" ", title).strip(" .")
    return " ".join(stem.split())[:120] or _("Modèle")


def create_unique(folder: Path, stem: str, suffix: str, write: Callable[[BinaryIO], None]) -> Path:
    """Write a new file ``stem.suffix`` (else ``stem (2).suffix``…) in ``folder``; never overwrite.

    The name is taken with an exclusive create, so a file appearing meanwhile is left alone.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, 10_000):
        name = f"{stem}{suffix}" if number == 1 else f"{stem} ({number}){suffix}"
        path = folder / name
        try:
            handle = path.open("xb")
        except FileExistsError:
            continue
        try:
            with handle:
                write(handle)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path
    raise ToolboxError(_("Aucun nom de fichier libre dans « {folder} ».").format(folder=folder))


def default_documents_folder() -> Path:
    """The user's documents folder (as the system names it)."""
    import platformdirs

    return Path(platformdirs.user_documents_dir())


def _document(item: ToolboxItem) -> tuple[str, Callable[[BinaryIO], Any]]:
    """The office document an item makes: a grid (mostly tables) is ``.xlsx``, anything
    else ``.docx``; its suffix and its writer."""
    root = without_repeated_title(markdown_tree(item.body), item.title)
    writer: Callable[[ToolboxItem, ET.Element, BinaryIO], None]
    if is_grid(root):
        from companion.toolbox.xlsx_export import write_xlsx as writer

        suffix = ".xlsx"
    else:
        from companion.toolbox.docx_export import write_docx as writer

        suffix = ".docx"

    def write(handle: BinaryIO) -> Any:
        return writer(item, root, handle)

    return suffix, write


def template_suffix(item: ToolboxItem) -> str:
    """``.xlsx`` for a grid, else ``.docx``: what « Utiliser ce modèle » writes."""
    return _document(item)[0]


def use_template(item: ToolboxItem, documents_folder: Path | None = None) -> Path:
    """Generate the item as an office document in ``documents_folder`` under a free name;
    return its path."""
    folder = default_documents_folder() if documents_folder is None else Path(documents_folder)
    suffix, write = _document(item)
    try:
        return create_unique(folder, file_stem(item.title), suffix, write)
    except OSError as error:
        message = _("Impossible d'écrire dans « {folder} » : {reason}")
        raise ToolboxError(message.format(folder=folder, reason=error.strerror or error)) from error


def write_template(item: ToolboxItem, path: Path) -> Path:
    """Generate the item as an office document at ``path`` (the user chose it, and agreed
    to replace a file there): written aside, then put in place whole."""
    suffix, write = _document(item)
    path = Path(path)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    partial = path.with_name(f".{path.name}.partiel")
    try:
        with partial.open("wb") as handle:
            write(handle)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        message = _("Impossible d'écrire « {path} » : {reason}")
        raise ToolboxError(message.format(path=path, reason=error.strerror or error)) from error
    return path
