"""The ecosystem as a graph: actors (nodes) and their live relations (edges), and what it
shows: connections per actor, brokers, isolated actors, clusters, absent alliances.

Relations are directed in the database; alliances are not, so the graph is
undirected, one edge per pair of actors (``types`` lists the relations' types,
``weight`` counts them). Nodes are added in name order, so the same database
gives the same graph, brokers, clusters and layout whatever order ids come in.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.domain import ACTOR_KINDS
from companion.geo import Gazetteer
from companion.i18n import _
from companion.insights.betweenness import estimate
from companion.insights.db import json_list, snapshot
from companion.insights.places import Territory, place_index
from companion.insights.vocabulary import complementary, kind_plural

if TYPE_CHECKING:
    import networkx as nx

TOP_BROKERS = 20
LOUVAIN_LIMIT = 1_000
_IN_CODES = """
SELECT id, insee_code, departement FROM actors
WHERE deleted = 0 AND insee_code IN (SELECT value FROM json_each(:codes))
"""
_IN_DEPARTEMENTS = """
SELECT id, insee_code, departement FROM actors
WHERE deleted = 0 AND departement IN (SELECT value FROM json_each(:deps))
    AND (insee_code IS NULL OR insee_code NOT IN (SELECT value FROM json_each(:codes)))
"""
_NODES = """
SELECT id, name, kind, coalesce(commune, ''), insee_code, departement FROM actors
WHERE deleted = 0 AND id IN (SELECT value FROM json_each(:ids)) ORDER BY sort_name, id
"""
_EDGES = """
SELECT source_id, target_id, type FROM relations
WHERE deleted = 0 AND source_id IN (SELECT value FROM json_each(:ids))
    AND target_id IN (SELECT value FROM json_each(:ids))
ORDER BY seq
"""


@dataclass(frozen=True)
class Broker:
    """An actor on many shortest paths between others: removing it would split alliances."""

    actor_id: str
    name: str
    kind: str
    score: float  # normalised betweenness, 0 to 1
    degree: int


@dataclass(frozen=True)
class AbsentAlliance:
    """Two kinds of actors present in the ecosystem, never linked to each other."""

    kinds: tuple[str, str]
    counts: tuple[int, int]
    complementary: bool
    reason: str


@dataclass(frozen=True)
class EcosystemMetrics:
    degrees: dict[str, int]  # actor id -> number of actors it is linked to
    betweenness: dict[str, float]
    exact: bool  # False: estimated from ``sources`` sampled sources
    sources: int
    brokers: list[Broker]  # highest betweenness first, zeros left out
    isolated: list[str]  # actors linked to no one in the ecosystem, by name
    components: list[list[str]]  # groups of linked actors (two or more), largest first
    communities: list[list[str]]  # denser clusters inside them (Louvain), largest first
    absent_alliances: list[AbsentAlliance]


def territory_actor_ids(
    conn: sqlite3.Connection, gazetteer: Gazetteer, territory: Territory
) -> list[str]:
    """The live actors located in a territory (by INSEE code, else by département)."""
    index = place_index(gazetteer)
    if territory.level == "france":
        return [row[0] for row in conn.execute("SELECT id FROM actors WHERE deleted = 0")]
    codes = json_list(index.codes(territory))
    rows = list(conn.execute(_IN_CODES, {"codes": codes}))
    if territory.level in ("departement", "region"):
        deps = json_list(index.departements(territory))
        rows += conn.execute(_IN_DEPARTEMENTS, {"deps": deps, "codes": codes})
    return [actor_id for actor_id, insee, dep in rows if index.locate(insee, dep).within(territory)]


def build_graph(conn: sqlite3.Connection, actor_ids: Iterable[str]) -> nx.Graph:
    """The graph of these actors (the live ones) and the live relations between them.

    Node attributes: ``name``, ``kind``, ``commune``, ``insee_code``, ``departement``;
    edge attributes: ``types`` (sorted), ``weight`` (number of relations).
    """
    import networkx as nx

    ids = json_list(dict.fromkeys(actor_ids))
    graph = nx.Graph()
    with snapshot(conn):
        for actor_id, name, kind, commune, insee, departement in conn.execute(_NODES, {"ids": ids}):
            graph.add_node(
                actor_id,
                name=name,
                kind=kind,
                commune=commune,
                insee_code=insee,
                departement=departement,
            )
        edges = conn.execute(_EDGES, {"ids": ids}).fetchall()
    for source, target, kind in edges:
        if graph.has_edge(source, target):
            data = graph.edges[source, target]
            data["types"] = tuple(sorted({*data["types"], kind}))
            data["weight"] += 1
        else:
            graph.add_edge(source, target, types=(kind,), weight=1)
    return graph


def ecosystem_graph(
    conn: sqlite3.Connection, gazetteer: Gazetteer, territory: Territory
) -> nx.Graph:
    """The graph of a territory's actors."""
    return build_graph(conn, territory_actor_ids(conn, gazetteer, territory))


def ecosystem_metrics(graph: nx.Graph, top: int = TOP_BROKERS, seed: int = 0) -> EcosystemMetrics:
    """Connections, brokers, isolated actors, clusters and absent alliances of a graph."""
    import networkx as nx

    degrees = dict(graph.degree())
    values, exact, sources = estimate(graph, seed)
    ranked = sorted(
        (v for v in values.items() if v[1] > 0), key=lambda v: (-v[1], _order(graph, v[0]))
    )
    brokers = [
        Broker(node, graph.nodes[node]["name"], graph.nodes[node]["kind"], score, degrees[node])
        for node, score in ranked[:top]
    ]
    isolated = sorted((n for n, d in degrees.items() if d == 0), key=lambda n: _order(graph, n))
    return EcosystemMetrics(
        degrees=degrees,
        betweenness=values,
        exact=exact,
        sources=sources,
        brokers=brokers,
        isolated=isolated,
        components=_groups(graph, nx.connected_components(graph)),
        communities=_groups(graph, communities_of(graph, seed)),
        absent_alliances=absent_alliances(graph),
    )


def communities_of(graph: nx.Graph, seed: int = 0) -> list[set[str]]:
    """Louvain communities; past ``LOUVAIN_LIMIT`` actors, in two stages.

    networkx's Louvain spends most of its time on its first pass, moving single
    nodes (1 s for 5,000 actors). Above the limit, fast label propagation makes
    that first grouping (0.1 s) and Louvain merges the groups, as it would merge
    its own: 95 % of the modularity in a quarter of the time.
    """
    import networkx as nx

    if len(graph) <= LOUVAIN_LIMIT:
        return nx.community.louvain_communities(graph, seed=seed)
    first = list(nx.community.fast_label_propagation_communities(graph, seed=seed))
    owner = {node: i for i, group in enumerate(first) for node in group}
    groups = nx.Graph()
    groups.add_nodes_from(range(len(first)))
    for u, v in graph.edges():
        a, b = owner[u], owner[v]  # a == b: a loop, the links inside a group count too
        weight = groups.edges[a, b]["weight"] + 1 if groups.has_edge(a, b) else 1
        groups.add_edge(a, b, weight=weight)
    merged = nx.community.louvain_communities(groups, seed=seed)
    return [set().union(*(first[i] for i in group)) for group in merged]


def absent_alliances(graph: nx.Graph) -> list[AbsentAlliance]:
    """Pairs of kinds present but never linked, complementary kinds first, then the
    pairs with the most actors on both sides ("autre" is left out: it says too little)."""
    counts = Counter(kind for _node, kind in graph.nodes(data="kind") if kind != "autre")
    linked = {frozenset((graph.nodes[u]["kind"], graph.nodes[v]["kind"])) for u, v in graph.edges}
    order = list(ACTOR_KINDS)
    kinds = sorted(counts, key=lambda k: order.index(k) if k in order else len(order))
    reason = _("Aucune relation entre {first} ({n_first}) et {second} ({n_second}).")
    found = []
    for i, first in enumerate(kinds):
        for second in kinds[i + 1 :]:
            if frozenset((first, second)) in linked:
                continue
            text = reason.format(
                first=kind_plural(first),
                n_first=counts[first],
                second=kind_plural(second),
                n_second=counts[second],
            )
            pair = (first, second)
            sizes = (counts[first], counts[second])
            found.append(AbsentAlliance(pair, sizes, complementary(first, second), text))
    found.sort(key=lambda a: (not a.complementary, -a.counts[0] * a.counts[1]))
    return found


def _groups(graph: nx.Graph, groups: Iterable[set[str]]) -> list[list[str]]:
    kept = [sorted(group, key=lambda n: _order(graph, n)) for group in groups if len(group) > 1]
    kept.sort(key=lambda group: (-len(group), _order(graph, group[0])))
    return kept


def _order(graph: nx.Graph, node: str) -> tuple[str, str]:
    """Name order (then id, for homonyms): every list comes out the same way each time."""
    return graph.nodes[node]["name"].casefold(), node
