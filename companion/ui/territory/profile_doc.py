"""The territory profile (fiche territoire) as Qt rich text, on screen and on one A4 page.

``insights.report_html`` writes the same figures for a web engine (flexbox, SVG
charts), which Qt's rich text does not draw. This page is built for
``QTextDocument``: tables, bars as coloured cells and the territory's map as an
image painted offline (``profile_map``, given to the document as a resource), so
the screen, the printer and the PDF show the same page with no web engine. The
catalysts are told apart: based in the territory (those « Acteurs par type »
counts) or acting in it from outside, by name. Every string from the database is
escaped. ``paint_one_page`` lays the page out at the printer's
resolution and scales it down if needed, so it always fits one sheet.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import QMarginsF, QRectF, QUrl
from PySide6.QtGui import QFont, QImage, QPageLayout, QPageSize, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from companion.domain import ACTOR_KINDS, METIERS, RELATION_TYPES, label
from companion.i18n import _
from companion.insights.formatting import day, number
from companion.insights.report_html import LISTED_CATALYSTS, comparison_rows, key_figures
from companion.insights.territory import TerritoryFigures, TerritoryProfile, catalysts_summary
from companion.maps.style import KIND_COLOURS, RELATION_STYLES
from companion.ui.territory.profile_map import MAP_URL, map_size, render_map

PAGE_MARGIN_MM = 12.0
PRINT_POINT_SIZE = 9.0
MUTED = "#666666"
RULE = "#cccccc"
FIGURE_BACKGROUND = "#f3f1ec"
DEFAULT_BAR = "#2e86c1"


def profile_title(profile: TerritoryProfile) -> str:
    return _("Fiche territoire : {name}").format(name=profile.territory.label)


def profile_html(profile: TerritoryProfile, generated: date | None = None) -> str:
    """The whole profile as rich text for ``QTextDocument`` / ``QTextBrowser``."""
    figures = profile.figures
    place = profile.territory
    subtitle = place.level_label
    if profile.comparisons:
        around = ", ".join(f.territory.label for f in profile.comparisons)
        subtitle = f"{subtitle} — {around}"
    parts = [
        f'<h1 style="font-size:16pt; margin-bottom:0">{escape(profile_title(profile))}</h1>',
        f'<p style="color:{MUTED}; margin-top:2px">{escape(subtitle)}</p>',
        _figures(key_figures(figures)),
        _heading(_("Acteurs par type")),
        _beside_map(
            profile,
            _bars(
                [
                    (_kind_name(kind), count, KIND_COLOURS.get(kind, DEFAULT_BAR))
                    for kind, count in figures.actors_by_kind.items()
                ]
            )
            or _paragraph(_("Aucun acteur connu dans ce territoire.")),
        ),
    ]
    if profile.comparisons:
        parts += [_heading(_("Comparaison")), _comparison(figures, profile.comparisons)]
    parts += [_heading(_("Alliances à l'œuvre")), _alliances(figures)]
    active = _("Catalyseurs qui agissent ici ({n})").format(n=len(profile.catalysts))
    parts += [
        _heading(active),
        _paragraph(catalysts_summary(profile)),
        _metiers(profile),
        _catalysts(profile),
    ]
    stamp = _("Établi par Companion le {date}, à partir des fiches de votre base.").format(
        date=day((generated or date.today()).isoformat())
    )
    parts.append(f'<p style="color:{MUTED}; font-size:7.5pt">{escape(stamp)}</p>')
    return "<html><body>" + "".join(parts) + "</body></html>"


def _kind_name(kind: str) -> str:
    if kind == "catalyseur":  # the catalysts based here; others act here from outside
        return _("Catalyseur (basé ici)")
    return label(ACTOR_KINDS, kind)


def _beside_map(profile: TerritoryProfile, content: str) -> str:
    """``content`` with the territory's map on its right (when there is one)."""
    if profile.map is None:
        return content
    width, height = map_size(profile.map)
    image = f'<img src="{MAP_URL}" width="{width}" height="{height}"/>'
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td valign="top">{content}</td>'
        f'<td width="{width + 12}" valign="top" align="right">{image}</td>'
        "</tr></table>"
    )


def profile_images(profile: TerritoryProfile) -> dict[str, QImage]:
    """The images ``profile_html`` names, by URL (give them to its document)."""
    return {MAP_URL: render_map(profile.map)} if profile.map is not None else {}


def add_images(document: QTextDocument, images: dict[str, QImage]) -> None:
    for url, image in images.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)


def _heading(text: str) -> str:
    return (
        f'<h2 style="font-size:11pt; margin-top:10px; margin-bottom:3px">{escape(text)}</h2>'
        f'<hr style="color:{RULE}"/>'
    )


def _paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _figures(items: list[tuple[str, str]]) -> str:
    widths = [100 // len(items)] * len(items)
    widths[-1] += 100 - sum(widths)
    cells = "".join(
        f'<td bgcolor="{FIGURE_BACKGROUND}" width="{width}%">'
        f'<span style="font-size:13pt; font-weight:bold">{escape(value)}</span><br/>'
        f'<span style="color:{MUTED}">{escape(name)}</span></td>'
        for (name, value), width in zip(items, widths, strict=True)
    )
    return f'<table width="100%" cellspacing="4" cellpadding="4"><tr>{cells}</tr></table>'


def _bars(items: list[tuple[str, int, str]]) -> str:
    """One row per item: its name, a bar as long as its share of the largest, its count."""
    if not items:
        return ""
    top = max(count for _name, count, _colour in items) or 1
    rows = []
    for name, count, colour in items:
        share = max(1, round(100 * count / top)) if count else 0
        bar = (
            '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
            f'<td width="{share}%" bgcolor="{escape(colour)}">'
            '<span style="font-size:5pt">&nbsp;</span></td>'
            f'<td width="{100 - share}%"></td></tr></table>'
            if share
            else ""
        )
        rows.append(
            f'<tr><td width="34%">{escape(name)}</td><td width="52%">{bar}</td>'
            f'<td width="14%" align="right">{escape(number(count))}&nbsp;&nbsp;</td></tr>'
        )
    return f'<table width="100%" cellspacing="0" cellpadding="1">{"".join(rows)}</table>'


def _comparison(figures: TerritoryFigures, others: list[TerritoryFigures]) -> str:
    every = [figures, *others]
    head = "".join(f'<th align="right">{escape(f.territory.label)}</th>' for f in every)
    rows = comparison_rows(figures, others)
    body = "".join(
        f"<tr><td>{escape(name)}</td>"
        + "".join(f'<td align="right">{escape(value)}</td>' for value in values)
        + "</tr>"
        for name, values in rows
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="2">'
        f'<tr><th align="left"></th>{head}</tr>{body}</table>'
    )


def _alliances(figures: TerritoryFigures) -> str:
    def chart(counts: dict[str, int]) -> str:
        items = [
            (label(RELATION_TYPES, kind), count, RELATION_STYLES.get(kind, (DEFAULT_BAR, ""))[0])
            for kind, count in counts.items()
        ]
        return _bars(items) or _paragraph(_("Aucune."))

    inside = _("Dans le territoire ({n})").format(n=number(figures.inside))
    outside = _("Avec l'extérieur ({n})").format(n=number(figures.outside))
    return (
        '<table width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'<td width="50%" valign="top"><b>{escape(inside)}</b>'
        f"{chart(figures.relations_inside)}</td>"
        f'<td width="50%" valign="top"><b>{escape(outside)}</b>'
        f"{chart(figures.relations_outside)}</td></tr></table>"
    )


def _metiers(profile: TerritoryProfile) -> str:
    counts = profile.metiers
    if not counts:
        return ""
    practised = " · ".join(
        f"{label(METIERS, code)} ({number(counts[code])})" for code in METIERS if code in counts
    )
    text = _("Métiers pratiqués : {metiers}").format(metiers=practised)
    return _paragraph(text)


def _catalysts(profile: TerritoryProfile) -> str:
    if not profile.catalysts:
        return _paragraph(_("Aucun catalyseur connu dans ce territoire."))
    head = "".join(
        f'<th align="left">{escape(h)}</th>'
        for h in (_("Catalyseur"), _("Structure"), _("Métiers"), _("Lieu"))
    )
    rows = []
    for catalyst in profile.catalysts[:LISTED_CATALYSTS]:
        metiers = ", ".join(label(METIERS, code) for code in catalyst.metiers)
        if catalyst.located:
            where = catalyst.commune
        elif catalyst.commune:
            where = _("basé à {commune}").format(commune=catalyst.commune)
        else:
            where = _("basé ailleurs")
        cells = (catalyst.name, catalyst.structure, metiers, where)
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    more = len(profile.catalysts) - LISTED_CATALYSTS
    if more > 0:
        others = _("… et {n} autres.").format(n=number(more))
        rows.append(f'<tr><td colspan="4">{escape(others)}</td></tr>')
    return (
        '<table width="100%" cellspacing="0" cellpadding="2">'
        f"<tr>{head}</tr>{''.join(rows)}</table>"
    )


# -- printing ---------------------------------------------------------------------


def a4_layout() -> QPageLayout:
    margins = QMarginsF(PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM, PAGE_MARGIN_MM)
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        margins,
        QPageLayout.Unit.Millimeter,
    )


def paint_one_page(html: str, printer: QPrinter, images: dict[str, QImage] | None = None) -> float:
    """Print ``html`` (its ``images`` by URL) on one page of ``printer``, scaled down if
    it is too long.

    Returns the scale used (1.0: printed at its natural size).
    """
    document = QTextDocument()
    document.setDocumentMargin(0)
    font = QFont(document.defaultFont())
    font.setPointSizeF(PRINT_POINT_SIZE)
    document.setDefaultFont(font)
    # Fonts measured at the printer's resolution: what is laid out is what prints.
    document.documentLayout().setPaintDevice(printer)
    add_images(document, images or {})
    document.setHtml(html)
    page = printer.pageLayout().paintRectPixels(printer.resolution())
    width, height = float(page.width()), float(page.height())
    document.setTextWidth(width)
    scale = 1.0
    natural = document.size().height()
    if natural > height:
        scale = height / natural
        document.setTextWidth(width / scale)  # wider lines: the page gets shorter still
    painter = QPainter()
    if not painter.begin(printer):
        return 0.0
    try:
        painter.scale(scale, scale)
        document.drawContents(painter, QRectF(0, 0, width / scale, height / scale))
    finally:
        painter.end()
    return scale


def pdf_printer(path: str, title: str) -> QPrinter:
    """A printer writing an A4 portrait PDF at ``path``."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    printer.setPageLayout(a4_layout())
    printer.setDocName(title)
    printer.setCreator("Companion")
    return printer
