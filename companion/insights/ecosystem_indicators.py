"""The ecosystem's indicators, each a figure and one plain sentence saying what it means.

« médiane 0,0 » or « 18 communautés » say nothing to most readers: each
indicator comes with a sentence in everyday French (« La moitié des acteurs
n'ont aucune alliance enregistrée »), shown under it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.i18n import _, current_language, ngettext
from companion.insights.formatting import number

if TYPE_CHECKING:
    import networkx as nx

    from companion.insights.graph import EcosystemMetrics


@dataclass(frozen=True)
class Indicator:
    title: str  # « Connexions par acteur »
    value: str  # « 2,2 en moyenne »
    sentence: str  # what it means, in one sentence


def share_text(share: float, digits: int = 0) -> str:
    """0.125 -> "12,5 %" in French, "12.5%" in English."""
    space = "\u202f" if current_language() == "fr" else ""
    return f"{number(share * 100, digits)}{space}%"


def indicators(graph: nx.Graph, metrics: EcosystemMetrics) -> list[Indicator]:
    """Actors and relations, connections per actor, linked groups, clusters, isolated."""
    actors = graph.number_of_nodes()
    relations = graph.number_of_edges()
    found = [
        Indicator(
            _("Acteurs et relations"),
            ngettext("{n} acteur", "{n} acteurs", actors).format(n=number(actors))
            + ", "
            + ngettext("{n} relation", "{n} relations", relations).format(n=number(relations)),
            _("Une relation relie deux acteurs, quel que soit le nombre de liens entre eux."),
        )
    ]
    if not actors:
        return found
    degrees = list(metrics.degrees.values())
    mean, median, most = statistics.fmean(degrees), statistics.median(degrees), max(degrees)
    found.append(
        Indicator(
            _("Connexions par acteur"),
            _("{mean} en moyenne").format(mean=number(mean, 1)),
            _connections_sentence(graph, metrics, median, most),
        )
    )
    groups = len(metrics.components)
    found.append(
        Indicator(
            _("Groupes reliés"),
            number(groups),
            ngettext(
                "{n} ensemble d'acteurs reliés entre eux, sans lien avec le reste.",
                "{n} ensembles d'acteurs reliés entre eux, sans lien d'un ensemble à l'autre.",
                groups,
            ).format(n=number(groups))
            if groups
            else _("Aucun acteur n'est relié à un autre."),
        )
    )
    clusters = len(metrics.communities)
    if clusters:
        found.append(
            Indicator(
                _("Communautés"),
                number(clusters),
                ngettext(
                    "{n} groupe d'acteurs plus liés entre eux qu'avec les autres.",
                    "{n} groupes d'acteurs plus liés entre eux qu'avec les autres.",
                    clusters,
                ).format(n=number(clusters)),
            )
        )
    isolated = len(metrics.isolated)
    found.append(
        Indicator(
            _("Acteurs isolés"),
            f"{number(isolated)} ({share_text(isolated / actors)})",
            ngettext(
                "{n} acteur n'a aucune relation avec les autres acteurs de ce réseau.",
                "{n} acteurs n'ont aucune relation avec les autres acteurs de ce réseau.",
                isolated,
            ).format(n=number(isolated))
            if isolated
            else _("Chaque acteur a au moins une relation dans ce réseau."),
        )
    )
    return found


def _connections_sentence(
    graph: nx.Graph, metrics: EcosystemMetrics, median: float, most: int
) -> str:
    if most == 0:
        return _("Aucun acteur n'a d'alliance enregistrée.")
    if median == 0:
        half = _("La moitié des acteurs n'ont aucune alliance enregistrée")
    else:
        half = ngettext(
            "la moitié des acteurs sont reliés à {n} autre ou moins",
            "la moitié des acteurs sont reliés à {n} autres ou moins",
            int(median),
        ).format(n=number(median, 0 if median == int(median) else 1))
        half = half[:1].upper() + half[1:]
    top = min(
        metrics.degrees,
        key=lambda node: (-metrics.degrees[node], graph.nodes[node].get("name", "").casefold()),
    )
    leader = ngettext(
        "le plus relié, {name}, l'est à {n} autre",
        "le plus relié, {name}, l'est à {n} autres",
        most,
    ).format(name=graph.nodes[top].get("name", ""), n=number(most))
    return f"{half} ; {leader}."
