"""What the Territoires section computes off the UI thread: a profile, an ecosystem.

Plain functions for the interface's background jobs: each opens its own read-only
connection to the store (the window's connection belongs to the UI thread) and
reports its steps. The gazetteer is the page's own (opened for any thread); its
place index is built by the first job and kept while the gazetteer lives.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from companion.geo import Gazetteer
from companion.i18n import _
from companion.insights.places import Territory, place_index
from companion.insights.territory import TerritoryProfile, territory_profile

if TYPE_CHECKING:
    import networkx as nx

    from companion.insights.graph import EcosystemMetrics
    from companion.insights.suggestions import Suggestion

Report = Callable[[int, int, str], None]  # done, total, message

SUGGESTIONS = 30  # listed under the network; the first three are the ones to read


@dataclass(frozen=True)
class Ecosystem:
    """A network to draw: a territory's actors or a selection, with what it shows."""

    title: str
    territory: Territory | None  # None: a selection of actors
    graph: nx.Graph
    metrics: EcosystemMetrics
    blocks: list[dict[str, tuple[float, float]]]  # each linked group drawn (layout_blocks)
    isolated: list[str]  # actors linked to no one, in the graph's order
    suggestions: list[Suggestion]


def connect_readonly(database: Path) -> sqlite3.Connection:
    """A read-only connection to the store's file, for one job's thread."""
    from companion.store.encryption import connect_file  # an encrypted base too

    return connect_file(database, read_only=True)


def prepare_places(gazetteer: Gazetteer, report: Report, _cancel: threading.Event) -> None:
    """Build the gazetteer's place index (about 0.4 s, once per gazetteer)."""
    report(0, 1, _("Préparation des territoires…"))
    place_index(gazetteer)
    report(1, 1, "")


def load_profile(
    database: Path,
    gazetteer: Gazetteer,
    territory: Territory,
    report: Report,
    _cancel: threading.Event,
) -> TerritoryProfile:
    report(0, 2, _("Préparation des territoires…"))
    place_index(gazetteer)
    report(1, 2, _("Calcul de la fiche…"))
    from dataclasses import replace

    from companion.insights.graph import territory_actor_ids
    from companion.insights.territory_map import territory_map

    conn = connect_readonly(database)
    try:
        profile = territory_profile(conn, gazetteer, territory)
        actor_ids = territory_actor_ids(conn, gazetteer, territory)
        return replace(profile, map=territory_map(conn, gazetteer, territory, actor_ids))
    finally:
        conn.close()


def load_ecosystem(
    database: Path,
    gazetteer: Gazetteer,
    territory: Territory | None,
    actor_ids: Iterable[str] | None,
    report: Report,
    _cancel: threading.Event,
) -> Ecosystem:
    """The network of a territory's actors, or of ``actor_ids`` when there is no territory."""
    from companion.insights.graph import build_graph, ecosystem_graph, ecosystem_metrics
    from companion.insights.layout import layout_blocks
    from companion.insights.suggestions import suggest_links

    steps = 5
    report(0, steps, _("Préparation des territoires…"))
    place_index(gazetteer)
    conn = connect_readonly(database)
    try:
        report(1, steps, _("Lecture des acteurs et de leurs relations…"))
        if territory is not None:
            graph = ecosystem_graph(conn, gazetteer, territory)
        else:
            graph = build_graph(conn, actor_ids or ())
        report(2, steps, _("Calcul des intermédiaires et des groupes…"))
        metrics = ecosystem_metrics(graph)
        report(3, steps, _("Placement des acteurs…"))
        blocks, isolated = layout_blocks(graph, communities=metrics.communities)
        report(4, steps, _("Recherche de liens à suggérer…"))
        suggestions = suggest_links(conn, gazetteer, graph, limit=SUGGESTIONS)
    finally:
        conn.close()
    report(steps, steps, "")
    if territory is not None:
        title = territory.label
    else:
        count = graph.number_of_nodes()
        title = _("Sélection de l'annuaire ({n})").format(n=count)
    return Ecosystem(title, territory, graph, metrics, blocks, isolated, suggestions)
