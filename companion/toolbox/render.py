"""The reader's HTML: an item's Markdown turned into a safe, self-contained page.

Bodies come from the network, so the page must not run or fetch anything they
did not mean as plain content: raw HTML in the Markdown is shown as text, link
and image targets are rewritten or dropped:

- ``other-slug.md#part`` → ``companion-toolbox://item/other-slug#part`` (the UI opens the item);
- ``companion://action/...`` kept (the UI runs the action);
- ``http(s):`` and ``mailto:`` kept, marked ``class="external"`` (the UI opens them
  in the system browser, on click only);
- in-page ``#anchors`` kept; local files (attachments) → ``image_url(path)``, class "file";
  anything else (``javascript:``, ``file:``, missing files…) loses its target;
- local images → ``image_url(path)`` (a ``file:`` URL by default); remote images
  are replaced by their alt text: a page never reaches the network by itself.

The ``markdown`` package is imported on first use, never at start-up.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.i18n import _
from companion.paths import resource_path
from companion.text import fold
from companion.toolbox.items import THEMES, TYPES, ToolboxItem, linked_slug, resolve

if TYPE_CHECKING:
    import markdown

ITEM_SCHEME = "companion-toolbox"
ACTION_PREFIX = "companion://action/"
EXTERNAL_PREFIXES = ("http://", "https://", "mailto:")
EXTENSIONS = ["tables", "toc", "fenced_code", "sane_lists"]

ImageUrl = Callable[[str], str | None]


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class RenderedItem:
    html: str  # a complete page, CSS included
    body_html: str  # the body alone
    toc: tuple[TocEntry, ...]


def item_url(slug: str, fragment: str = "") -> str:
    """The URL the reader gives a link to another item."""
    return f"{ITEM_SCHEME}://item/{slug}" + (f"#{fragment}" if fragment else "")


def parse_item_url(url: str) -> tuple[str, str] | None:
    """(slug, fragment) of a URL made by ``item_url``; None for any other URL."""
    prefix = f"{ITEM_SCHEME}://item/"
    if not url.startswith(prefix):
        return None
    slug, _sep, fragment = url[len(prefix) :].partition("#")
    return (slug, fragment) if slug else None


def new_markdown(*extensions: Any) -> markdown.Markdown:
    """A Markdown converter that treats raw HTML as text (``<script>`` is shown, not run)."""
    import markdown

    converter = markdown.Markdown(extensions=[*EXTENSIONS, *extensions], output_format="html")
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    # Obfuscated mailto links are built from entities the link check could not read.
    converter.inlinePatterns.deregister("automail")
    return converter


CHECKBOXES = {"[ ] ": "☐ ", "[x] ": "☑ ", "[X] ": "☑ "}


def _rewrite(root: ET.Element, item_path: str, image_url: ImageUrl) -> None:
    for parent in list(root.iter()):  # a copy: images are replaced on the way
        if parent.tag == "li":
            mark_checkbox(parent)
        for index, element in enumerate(list(parent)):
            if element.tag == "a":
                _rewrite_link(element, item_path, image_url)
            elif element.tag == "img":
                url = _image_source(element.get("src", ""), item_path, image_url)
                if url is None:
                    replacement = ET.Element("em", {"class": "missing-image"})
                    replacement.text = element.get("alt") or _("[image]")
                    replacement.tail = element.tail
                    parent[index] = replacement
                else:
                    element.set("src", url)


def mark_checkbox(item: ET.Element) -> None:
    """Turn a list entry's leading ``[ ]`` / ``[x]`` into a box character."""
    # Checklists write "- [ ] step"; the box becomes a character, not a form control.
    holder = item[0] if len(item) and item[0].tag == "p" and not item.text else item
    text = holder.text or ""
    for mark, box in CHECKBOXES.items():
        if text.startswith(mark):
            holder.text = box + text[len(mark) :]
            item.set("class", "checkbox")


def _rewrite_link(link: ET.Element, item_path: str, image_url: ImageUrl) -> None:
    target = link.get("href", "").strip()
    slug = linked_slug(target)
    attachment = resolve(item_path, target) if slug is None else None
    file_url = image_url(attachment) if attachment else None
    if slug is not None:
        fragment = target.partition("#")[2]
        link.set("href", item_url(slug, fragment))
        link.set("class", "item")
    elif target.startswith(ACTION_PREFIX):
        link.set("class", "action")
    elif file_url is not None:
        link.set("href", file_url)
        link.set("class", "file")
    elif target.lower().startswith(EXTERNAL_PREFIXES):
        link.set("class", "external")
        link.set("rel", "external noopener noreferrer")
        link.set("title", target)
    elif not target.startswith("#"):
        link.attrib.pop("href", None)
        link.set("class", "broken")


def _image_source(target: str, item_path: str, image_url: ImageUrl) -> str | None:
    relative = resolve(item_path, target)
    return None if relative is None else image_url(relative)


def file_image_url(roots: Sequence[Path]) -> ImageUrl:
    """Images as ``file:`` URLs, from the first root holding them; None if none does."""

    def url(relative: str) -> str | None:
        for root in roots:
            path = root / relative
            if path.is_file():
                return path.resolve().as_uri()
        return None

    return url


def _treeprocessor(item_path: str, image_url: ImageUrl) -> Any:
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class Rewrite(Treeprocessor):
        def run(self, root: ET.Element) -> None:
            _rewrite(root, item_path, image_url)

    class RewriteExtension(Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
            # After inline patterns (20) made the links, before toc (5) and serialising.
            md.treeprocessors.register(Rewrite(md), "companion_rewrite", 15)

    return RewriteExtension()


def render_markdown(
    body: str, item_path: str = "items/item.md", image_url: ImageUrl | None = None
) -> tuple[str, tuple[TocEntry, ...]]:
    """A body's HTML fragment and its table of contents (levels 2 and 3)."""
    converter = new_markdown(_treeprocessor(item_path, image_url or (lambda _path: None)))
    fragment = converter.convert(body)
    return fragment, tuple(_flatten(getattr(converter, "toc_tokens", [])))


def _flatten(tokens: list[dict[str, Any]]) -> list[TocEntry]:
    entries = []
    for token in tokens:
        if token["level"] in (2, 3):
            entries.append(TocEntry(token["level"], token["id"], html.unescape(token["name"])))
        entries += _flatten(token.get("children", []))
    return entries


@lru_cache(maxsize=1)
def reader_css() -> str:
    """The reader's style sheet (screen and print)."""
    return resource_path("reader", "reader.css").read_text(encoding="utf-8")


def render_item(
    item: ToolboxItem,
    roots: Sequence[Path] = (),
    *,
    titles: Mapping[str, str] | None = None,
    image_url: ImageUrl | None = None,
) -> RenderedItem:
    """The reader's page for ``item``: header, body, "see also" and credits.

    Images are looked up under ``roots`` in order (the item's own root first,
    then the bundle), unless ``image_url`` says otherwise. ``titles`` (slug →
    title) names the related items.
    """
    body_html, toc = render_markdown(item.body, item.path, image_url or file_image_url(roots))
    body_html = _without_repeated_title(body_html, item.title)
    page = _PAGE.format(
        title=html.escape(item.title),
        css=reader_css(),
        classes=html.escape(f"type-{item.type} theme-{item.theme}"),
        header=_header(item),
        body=body_html,
        related=_related(item, titles or {}),
        footer=_footer(item),
    )
    return RenderedItem(page, body_html, toc)


_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<style>
{css}</style></head>
<body class="{classes}">
{header}
<main>
{body}
</main>
{related}{footer}
</body></html>
"""


def _without_repeated_title(body_html: str, title: str) -> str:
    # Many bodies open with "# <title>": the header already shows it.
    if not body_html.startswith("<h1"):
        return body_html
    end = body_html.find("</h1>")
    heading = body_html[body_html.find(">") + 1 : end]
    if fold(html.unescape(heading)) != fold(title):
        return body_html
    return body_html[end + len("</h1>") :].lstrip("\n")


def _header(item: ToolboxItem) -> str:
    kicker = f"{_(TYPES.get(item.type, item.type))} · {_(THEMES.get(item.theme, item.theme))}"
    facts = [
        (_("Public"), ", ".join(item.audience)),
        (_("Durée"), item.duration or ""),
        (_("Niveau"), item.level or ""),
    ]
    meta = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>"
        for label, value in facts
        if value
    )
    return (
        '<header class="item-header">\n'
        f'<p class="kicker">{html.escape(kicker)}</p>\n'
        f"<h1>{html.escape(item.title)}</h1>\n"
        f'<p class="summary">{html.escape(item.summary)}</p>\n'
        + (f'<dl class="meta">{meta}</dl>\n' if meta else "")
        + "</header>"
    )


def _related(item: ToolboxItem, titles: Mapping[str, str]) -> str:
    if not item.related:
        return ""
    links = "".join(
        f'<li><a class="item" href="{html.escape(item_url(slug))}">'
        f"{html.escape(titles.get(slug, slug))}</a></li>"
        for slug in item.related
    )
    heading = html.escape(_("Voir aussi"))
    return f'<aside class="related"><h2>{heading}</h2><ul>{links}</ul></aside>\n'


def format_date(iso: str) -> str:
    """An ISO date as the reader shows it (``01/03/2025`` in French)."""
    try:
        year, month, day = (int(part) for part in iso.split("-"))
    except ValueError:
        return iso
    return _("{day:02d}/{month:02d}/{year}").format(day=day, month=month, year=year)


def _footer(item: ToolboxItem) -> str:
    credits = _("Version {version} du {date}").format(
        version=item.version, date=format_date(item.date)
    )
    parts = [credits]
    if item.authors:
        parts.append(_("Auteurs : {names}").format(names=", ".join(item.authors)))
    parts.append(_("Licence : {license}").format(license=item.license))
    return (
        '<footer class="credits">'
        + " · ".join(f"<span>{html.escape(part)}</span>" for part in parts)
        + "</footer>"
    )
