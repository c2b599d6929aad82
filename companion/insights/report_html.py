"""One-page HTML for a territory profile and an activity report, to print as PDF.

Self-contained (styles inline, charts as SVG, a Content-Security-Policy that
allows no request) and escaped: every string from the database goes through
``html.escape``, so an actor named ``<script>…`` prints as text. The UI prints
the page to PDF with Qt (A4 portrait).
"""

from __future__ import annotations

from datetime import date
from html import escape

from companion.domain import ACTOR_KINDS, INTERACTION_KINDS, METIERS, RELATION_TYPES, label
from companion.i18n import _, current_language
from companion.insights.activity import (
    BY_DEPARTEMENT_NOTE,
    BY_METIER_NOTE,
    FIGURE_NOTES,
    ActivityReport,
    Breakdown,
)
from companion.insights.charts import bars, columns
from companion.insights.formatting import day, month, number, percent
from companion.insights.territory import TerritoryFigures, TerritoryProfile, catalysts_summary
from companion.maps.style import KIND_COLOURS, RELATION_STYLES

EXCHANGE_COLOURS = {
    "reunion": "#2e86c1",
    "atelier": "#e67e22",
    "evenement": "#8e44ad",
    "visite": "#27ae60",
    "appel": "#7f8c8d",
    "courriel": "#b3adb9",
}
LISTED_EXCHANGES = 25  # a page lists the first ones; the .docx lists them all
LISTED_CATALYSTS = 15  # on the one-page profile: those located there come first
LISTED_DEPARTEMENTS = 12  # the most active ones; the .docx lists them all
_STYLE = """
@page { size: A4; margin: 12mm; }
body { font: 9.5pt/1.35 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 2pt; }
h2 { font-size: 11pt; margin: 10pt 0 4pt; border-bottom: 1px solid #ccc; }
.subtitle { color: #555; margin: 0 0 6pt; }
.figures { display: flex; flex-wrap: wrap; gap: 6pt; margin: 6pt 0; }
.figure { border: 1px solid #ddd; border-radius: 4pt; padding: 4pt 8pt; min-width: 90pt; }
.figure b { display: block; font-size: 13pt; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 2pt 4pt; border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; }
.columns { display: flex; gap: 12pt; }
.columns > div { flex: 1; }
footer { margin-top: 10pt; color: #777; font-size: 8pt; }
.note { color: #555; font-size: 8.5pt; margin: 3pt 0; padding-left: 12pt; }
"""


def territory_profile_html(profile: TerritoryProfile, generated: date | None = None) -> str:
    """The territory profile (fiche territoire) as one printable page."""
    figures = profile.figures
    place = profile.territory
    title = _("Fiche territoire : {name}").format(name=place.label)
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">{escape(place.level_label)}</p>',
        _figures(key_figures(figures)),
        _heading(_("Acteurs par type")),
        bars(
            [
                (label(ACTOR_KINDS, kind), count, KIND_COLOURS.get(kind, ""))
                for kind, count in figures.actors_by_kind.items()
            ]
        ),
    ]
    if profile.comparisons:
        body += [_heading(_("Comparaison")), _comparison(figures, profile.comparisons)]
    active = _("Catalyseurs qui agissent ici ({n})").format(n=len(profile.catalysts))
    body += [
        _heading(_("Alliances à l'œuvre")),
        _alliances(figures),
        _heading(active),
        _paragraph(catalysts_summary(profile)),
        _catalysts(profile),
    ]
    return _page(title, body, generated)


def _heading(text: str) -> str:
    return f"<h2>{escape(text)}</h2>"


def _paragraph(text: str, css_class: str = "") -> str:
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{escape(text)}</p>"


def _figures(items: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<div class="figure"><b>{escape(value)}</b>{escape(name)}</div>' for name, value in items
    )
    return f'<div class="figures">{cells}</div>'


def key_figures(figures: TerritoryFigures) -> list[tuple[str, str]]:
    """A territory's headline figures, (name, value), as every page that shows it lists them."""
    return [
        (_("Habitants"), number(figures.population)),
        (_("Communes"), number(figures.communes)),
        (_("Acteurs"), number(figures.actors)),
        (_("Acteurs pour 10 000 habitants"), number(figures.actors_per_10k, 1)),
        (_("Relations dans le territoire"), number(figures.inside)),
        (_("Relations avec l'extérieur"), number(figures.outside)),
    ]


def comparison_rows(
    figures: TerritoryFigures, others: list[TerritoryFigures]
) -> list[tuple[str, list[str]]]:
    """The comparison of a territory with the larger ones, as (row name, one value per
    territory): the same rows on every page that shows it (HTML here, Qt's in the UI)."""
    every = [figures, *others]
    rows = [
        (_("Habitants"), [number(f.population) for f in every]),
        (_("Acteurs"), [number(f.actors) for f in every]),
        (_("Acteurs pour 10 000 habitants"), [number(f.actors_per_10k, 1) for f in every]),
        (_("Relations par acteur"), [number(f.relations_per_actor, 1) for f in every]),
    ]
    for kind in figures.actors_by_kind or ACTOR_KINDS:
        name = _("Part : {kind}").format(kind=label(ACTOR_KINDS, kind))
        rows.append((name, [percent(f.kind_share(kind)) for f in every]))
    return rows


def _comparison(figures: TerritoryFigures, others: list[TerritoryFigures]) -> str:
    every = [figures, *others]
    head = "".join(f'<th class="n">{escape(f.territory.label)}</th>' for f in every)
    rows = comparison_rows(figures, others)
    cells = "".join(
        f"<tr><td>{escape(name)}</td>"
        + "".join(f'<td class="n">{escape(value)}</td>' for value in values)
        + "</tr>"
        for name, values in rows
    )
    return f"<table><tr><th></th>{head}</tr>{cells}</table>"


def _alliances(figures: TerritoryFigures) -> str:
    def chart(counts: dict[str, int]) -> str:
        items = [
            (label(RELATION_TYPES, kind), count, RELATION_STYLES.get(kind, ("", ""))[0])
            for kind, count in counts.items()
        ]
        return bars(items, width=330) or _paragraph(_("Aucune."))

    inside = _("Dans le territoire ({n})").format(n=number(figures.inside))
    outside = _("Avec l'extérieur ({n})").format(n=number(figures.outside))
    return (
        f'<div class="columns"><div><h3>{escape(inside)}</h3>{chart(figures.relations_inside)}'
        f"</div><div><h3>{escape(outside)}</h3>{chart(figures.relations_outside)}</div></div>"
    )


def _catalysts(profile: TerritoryProfile) -> str:
    if not profile.catalysts:
        return _paragraph(_("Aucun catalyseur connu dans ce territoire."))
    rows = []
    for catalyst in profile.catalysts[:LISTED_CATALYSTS]:
        metiers = ", ".join(label(METIERS, code) for code in catalyst.metiers)
        where = catalyst.commune if catalyst.located else _("agit sur le territoire")
        rows.append(
            f"<tr><td>{escape(catalyst.name)}</td><td>{escape(catalyst.structure)}</td>"
            f"<td>{escape(metiers)}</td><td>{escape(where)}</td></tr>"
        )
    more = len(profile.catalysts) - LISTED_CATALYSTS
    if more > 0:
        others = _("… et {n} autres.").format(n=number(more))
        rows.append(f'<tr><td colspan="4">{escape(others)}</td></tr>')
    head = "".join(
        f"<th>{escape(h)}</th>" for h in (_("Catalyseur"), _("Structure"), _("Métiers"), _("Lieu"))
    )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def activity_report_html(report: ActivityReport, generated: date | None = None) -> str:
    """The activity report of a period as one printable page."""
    where = report.territory.label if report.territory else _("tous territoires")
    title = _("Rapport d'activité du {start} au {end}").format(
        start=day(report.start), end=day(report.end)
    )
    created, active = sum(report.created.values()), sum(report.active.values())
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="subtitle">{escape(where)}</p>',
        _figures(
            [
                (_("Échanges"), number(report.exchange_count)),
                (_("Ateliers"), number(report.by_kind.get("atelier", 0))),
                (_("Réunions"), number(report.by_kind.get("reunion", 0))),
                (_("Acteurs réunis"), number(report.actors_convened)),
                (_("Alliances créées"), number(created)),
                (_("Alliances en cours"), number(active)),
            ]
        ),
        _notes(),
        _heading(_("Échanges par mois")),
        _monthly(report) or _paragraph(_("Aucun échange sur la période.")),
        _heading(_("Par métier")),
        _breakdown(
            [(label(METIERS, c), report.by_metier[c]) for c in METIERS if c in report.by_metier]
        ),
        _paragraph(_(BY_METIER_NOTE), "note"),
        _heading(_("Par département")),
        _breakdown(_most_active(report)),
        _paragraph(_(BY_DEPARTEMENT_NOTE), "note"),
        _heading(_("Ateliers, réunions et événements")),
        _exchanges(report),
    ]
    if report.include_personal and report.people:
        body.append(_heading(_("Personnes rencontrées")))
        body.append(f"<p>{escape(', '.join(report.people))}</p>")
    return _page(title, body, generated)


def _notes() -> str:
    """What each figure counts, in a sentence each."""
    items = "".join(
        f"<li><b>{escape(_(name))}</b> : {escape(_(meaning))}</li>"
        for name, meaning in FIGURE_NOTES
    )
    return f'<ul class="note">{items}</ul>'


def _most_active(report: ActivityReport) -> list[tuple[str, Breakdown]]:
    ranked = sorted(
        report.by_departement.items(),
        key=lambda item: (-item[1].exchanges - item[1].active, item[0]),
    )
    rows = [(f"{report.departement_names[code]} ({code})", part) for code, part in ranked]
    if len(rows) > LISTED_DEPARTEMENTS:
        rest = Breakdown()
        for _name, part in rows[LISTED_DEPARTEMENTS - 1 :]:
            rest.exchanges += part.exchanges
            rest.actors |= part.actors
            rest.created += part.created
            rest.active += part.active
        others = _("Autres départements ({n})").format(n=len(rows) - LISTED_DEPARTEMENTS + 1)
        rows = [*rows[: LISTED_DEPARTEMENTS - 1], (others, rest)]
    return rows


def _monthly(report: ActivityReport) -> str:
    series = [
        (
            label(INTERACTION_KINDS, kind),
            [report.by_month[m].get(kind, 0) for m in report.months],
            EXCHANGE_COLOURS.get(kind, "#999"),
        )
        for kind in report.by_kind
    ]
    return columns([month(m) for m in report.months], series)


def _breakdown(rows: list[tuple[str, Breakdown]]) -> str:
    if not rows:
        return _paragraph(_("Rien à signaler."))
    head = "".join(
        f'<th class="n">{escape(h)}</th>'
        for h in (
            _("Échanges"),
            _("Acteurs réunis"),
            _("Alliances créées"),
            _("Alliances en cours"),
        )
    )
    cells = "".join(
        f"<tr><td>{escape(name)}</td>"
        + "".join(
            f'<td class="n">{escape(number(v))}</td>'
            for v in (part.exchanges, len(part.actors), part.created, part.active)
        )
        + "</tr>"
        for name, part in rows
    )
    return f"<table><tr><th></th>{head}</tr>{cells}</table>"


def _exchanges(report: ActivityReport) -> str:
    shown = [e for e in report.exchanges if e.kind in ("atelier", "reunion", "evenement")]
    if not shown:
        return _paragraph(_("Aucun atelier, réunion ou événement sur la période."))
    rows = []
    for exchange in shown[:LISTED_EXCHANGES]:
        cells = [
            day(exchange.date),
            label(INTERACTION_KINDS, exchange.kind),
            exchange.title,
            exchange.actor_name,
        ]
        if report.include_personal:
            cells += [exchange.person, exchange.notes]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    more = len(shown) - LISTED_EXCHANGES
    if more > 0:
        others = _("… et {n} autres.").format(n=number(more))
        rows.append(f'<tr><td colspan="4">{escape(others)}</td></tr>')
    return f"<table>{''.join(rows)}</table>"


def _page(title: str, body: list[str], generated: date | None) -> str:
    stamp = _("Établi par Companion le {date}, à partir des fiches de votre base.").format(
        date=day((generated or date.today()).isoformat())
    )
    return (
        f'<!DOCTYPE html><html lang="{current_language()}"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(body)
        + f"<footer>{escape(stamp)}</footer></body></html>"
    )
