"""The activity report as an editable Word document (.docx, python-docx).

The same content as the printed page, as headings and tables a catalyst can
rework; the monthly chart is a column of bars drawn with characters, so it stays
text. Every exchange of the period is listed (the page shows the first ones).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from companion.domain import ACTOR_KINDS, INTERACTION_KINDS, METIERS, RELATION_TYPES, label
from companion.i18n import _
from companion.insights.activity import (
    BY_DEPARTEMENT_NOTE,
    BY_METIER_NOTE,
    FIGURE_NOTES,
    ActivityReport,
    Breakdown,
)
from companion.insights.formatting import day, month, number

if TYPE_CHECKING:
    from docx.document import Document

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in a .docx
BAR = "█"
BAR_WIDTH = 30


def write_activity_docx(
    report: ActivityReport, target: BinaryIO | Path | str, generated: date | None = None
) -> None:
    """Write the report as .docx into a file or binary handle."""
    import docx

    document = docx.Document()
    title = _("Rapport d'activité du {start} au {end}").format(
        start=day(report.start), end=day(report.end)
    )
    document.core_properties.title = title[:255]
    document.add_heading(title, level=0)
    where = report.territory.label if report.territory else _("tous territoires")
    document.add_paragraph(where)
    _table(
        document,
        [_("Chiffre"), _("Valeur")],
        [
            [_("Échanges"), number(report.exchange_count)],
            [_("Acteurs réunis"), number(report.actors_convened)],
            [_("Personnes rencontrées"), number(report.people_convened)],
            [_("Alliances créées"), number(sum(report.created.values()))],
            [_("Alliances en cours"), number(sum(report.active.values()))],
        ],
    )
    for name, meaning in FIGURE_NOTES:
        document.add_paragraph(f"{_(name)} : {_(meaning)}", style="List Bullet")
    _exchanges_by_month(document, report)
    document.add_heading(_("Échanges par type"), level=1)
    _table(
        document,
        [_("Type"), _("Nombre")],
        [[label(INTERACTION_KINDS, kind), number(n)] for kind, n in report.by_kind.items()],
    )
    document.add_heading(_("Acteurs réunis par type"), level=1)
    _table(
        document,
        [_("Type"), _("Nombre")],
        [[label(ACTOR_KINDS, kind), number(n)] for kind, n in report.convened_by_kind.items()],
    )
    document.add_heading(_("Alliances par type de relation"), level=1)
    kinds = list(dict.fromkeys([*report.active, *report.created]))
    _table(
        document,
        [_("Type"), _("Créées"), _("En cours")],
        [
            [
                label(RELATION_TYPES, k),
                number(report.created.get(k, 0)),
                number(report.active.get(k, 0)),
            ]
            for k in kinds
        ],
    )
    document.add_heading(_("Par métier"), level=1)
    _breakdown(
        document,
        [
            (label(METIERS, code), report.by_metier[code])
            for code in METIERS
            if code in report.by_metier
        ],
    )
    document.add_paragraph(_(BY_METIER_NOTE))
    document.add_heading(_("Par département"), level=1)
    _breakdown(
        document,
        [
            (f"{report.departement_names[code]} ({code})", part)
            for code, part in report.by_departement.items()
        ],
    )
    document.add_paragraph(_(BY_DEPARTEMENT_NOTE))
    _exchanges(document, report)
    if report.include_personal and report.people:
        document.add_heading(_("Personnes rencontrées"), level=1)
        document.add_paragraph(_CONTROL.sub("", ", ".join(report.people)))
    stamp = _("Établi par Companion le {date}, à partir des fiches de votre base.")
    document.add_paragraph(stamp.format(date=day((generated or date.today()).isoformat())))
    document.save(target)


def _exchanges_by_month(document: Document, report: ActivityReport) -> None:
    document.add_heading(_("Échanges par mois"), level=1)
    totals = [sum(report.by_month[m].values()) for m in report.months]
    top = max(totals, default=0) or 1
    _table(
        document,
        [_("Mois"), _("Échanges"), ""],
        [
            [month(m), number(total), BAR * round(BAR_WIDTH * total / top)]
            for m, total in zip(report.months, totals, strict=True)
        ],
    )


def _breakdown(document: Document, rows: list[tuple[str, Breakdown]]) -> None:
    if not rows:
        document.add_paragraph(_("Rien à signaler."))
        return
    head = ["", _("Échanges"), _("Acteurs réunis"), _("Alliances créées"), _("Alliances en cours")]
    _table(
        document,
        head,
        [
            [
                name,
                number(part.exchanges),
                number(len(part.actors)),
                number(part.created),
                number(part.active),
            ]
            for name, part in rows
        ],
    )


def _exchanges(document: Document, report: ActivityReport) -> None:
    document.add_heading(_("Échanges de la période"), level=1)
    head = [_("Date"), _("Type"), _("Objet"), _("Acteur")]
    if report.include_personal:
        head += [_("Personne"), _("Notes")]
    rows = []
    for exchange in report.exchanges:
        row = [
            day(exchange.date),
            label(INTERACTION_KINDS, exchange.kind),
            exchange.title,
            exchange.actor_name,
        ]
        if report.include_personal:
            row += [exchange.person, exchange.notes]
        rows.append(row)
    if rows:
        _table(document, head, rows)
    else:
        document.add_paragraph(_("Aucun échange sur la période."))


def _table(document: Document, head: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.paragraphs[0].add_run(_CONTROL.sub("", text)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = _CONTROL.sub("", text)
