"""The rich text the toolbox widgets show: reader pages, highlighted titles and snippets.

Qt's rich text is a subset of HTML (no inline ``<dl>``, no ``::after``), so the
reader composes its own page around the body that ``toolbox.render`` made safe:
a header with every fact about the item, the body, the related items. Every
piece of text is escaped here; only markup built here reaches the document.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from companion.i18n import _
from companion.toolbox import render
from companion.toolbox.items import THEMES, TYPES, ToolboxItem
from companion.toolbox.snippets import Segments

# Additions for Qt's rich text engine, after the reader's own style sheet.
QT_CSS = """
p.kicker { font-size: 9pt; color: #57606a; margin-bottom: 0; }
p.facts, p.credits { font-size: 9.5pt; color: #424a53; margin: 0.2em 0; }
p.summary { margin-bottom: 0.6em; }
p.credits { margin-bottom: 1.4em; }
li.related { margin: 0.15em 0; }
p.figure { line-height: 1; }
"""
# A paragraph holding only an image (Markdown's "![…](…)" on its own line). Text from an
# item cannot produce this markup: the renderer escapes raw HTML.
_FIGURE = "<p><img "


def without_media_rules(css: str) -> str:
    """``css`` without its ``@media`` blocks: Qt's parser drops every rule after a nested
    block such as ``@media print { @page { … } }``."""
    kept, depth, start = [], 0, 0
    position = css.find("@media")
    while position >= 0:
        kept.append(css[start:position])
        depth, index = 0, css.index("{", position)
        while True:
            depth += {"{": 1, "}": -1}.get(css[index], 0)
            index += 1
            if depth == 0:
                break
        start = index
        position = css.find("@media", start)
    kept.append(css[start:])
    return "".join(kept)


def segments_html(segments: Segments) -> str:
    """Search segments as rich text: highlighted runs in bold, every piece escaped."""
    return "".join(
        f"<b>{html.escape(text)}</b>" if highlighted else html.escape(text)
        for text, highlighted in segments
    )


def kind_label(item_type: str, theme: str) -> str:
    """ "Guide · Cartographie": the item's type and theme, translated."""
    return f"{_(TYPES.get(item_type, item_type))} · {_(THEMES.get(theme, theme))}"


def _facts(pairs: list[tuple[str, str]], css_class: str = "facts") -> str:
    parts = [
        f"<b>{html.escape(_label(label))}</b> {html.escape(value)}"
        for label, value in pairs
        if value
    ]
    return f'<p class="{css_class}">{" &nbsp;·&nbsp; ".join(parts)}</p>\n' if parts else ""


def _label(label: str) -> str:
    # French puts a no-break space before the colon: the label never wraps away from it.
    return _("{label}\u00a0:").format(label=label)


def header_html(item: ToolboxItem) -> str:
    """Type, theme, title, summary; public, duration, level; version, date, authors, licence."""
    kicker = kind_label(item.type, item.theme).upper()
    usage = [
        (_("Public"), ", ".join(item.audience)),
        (_("Durée"), item.duration or ""),
        (_("Niveau"), item.level or ""),
    ]
    credits = [
        (_("Version"), item.version),
        (_("Date"), render.format_date(item.date)),
        (_("Auteurs"), ", ".join(item.authors)),
        (_("Licence"), item.license),
    ]
    return (
        f'<p class="kicker">{html.escape(kicker)}</p>\n'
        f"<h1>{html.escape(item.title)}</h1>\n"
        f'<p class="summary">{html.escape(item.summary)}</p>\n'
        + _facts(usage)
        + _facts(credits, "credits")
    )


def related_html(item: ToolboxItem, titles: Mapping[str, str]) -> str:
    """ "Voir aussi": links to the related items that are installed."""
    links = "".join(
        f'<li class="related"><a class="item" href="{html.escape(render.item_url(slug))}">'
        f"{html.escape(titles[slug])}</a></li>"
        for slug in item.related
        if slug in titles
    )
    if not links:
        return ""
    return f"<h2>{html.escape(_('Voir aussi'))}</h2>\n<ul>{links}</ul>\n"


def reader_html(item: ToolboxItem, body_html: str, titles: Mapping[str, str]) -> str:
    """The reader's whole page for ``item`` (``body_html`` from ``render.render_item``)."""
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(item.title)}</title>\n"
        f"<style>\n{without_media_rules(render.reader_css())}{QT_CSS}</style></head>\n<body>\n"
        + header_html(item)
        # Without this, the page's 1.55 line height adds half an image's height below it.
        + body_html.replace(_FIGURE, '<p class="figure"><img ')
        + "\n"
        + related_html(item, titles)
        + "</body></html>\n"
    )
