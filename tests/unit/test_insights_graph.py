"""The ecosystem graph and its metrics on a small graph checked by hand, and the
betweenness and layout against networkx."""

from __future__ import annotations

import networkx as nx
import pytest

from companion.insights.betweenness import betweenness
from companion.insights.graph import absent_alliances, build_graph, ecosystem_metrics
from companion.insights.layout import DIRECT_LIMIT, layout

KINDS = {
    "a1": "association", "a2": "association", "e1": "entreprise",  # first triangle
    "b": "collectivite",  # the bridge between the triangles
    "f1": "fondation", "c1": "collectif", "a3": "association",  # second triangle
    "r1": "reseau", "a4": "association",  # a pair apart
    "i1": "institution",  # isolated
}  # fmt: skip
LINKS = [
    ("a1", "a2"), ("a2", "e1"), ("e1", "a1"), ("e1", "b"), ("b", "f1"),
    ("f1", "c1"), ("c1", "a3"), ("a3", "f1"), ("r1", "a4"),
]  # fmt: skip


@pytest.fixture
def ecosystem(store):
    """The hand-checked graph in the database; returns name -> actor id."""
    ids = {name: store.add_actor(name.upper(), kind).id for name, kind in KINDS.items()}
    for source, target in LINKS:
        store.add_relation(ids[source], ids[target], "partenariat")
    store.add_relation(ids["a2"], ids["a1"], "financement")  # a second relation, reversed
    gone = store.add_relation(ids["a1"], ids["a3"], "adhesion")
    store.delete_record("relations", gone.id)
    outsider = store.add_actor("Hors sélection", "entreprise").id
    store.add_relation(ids["a1"], outsider, "prestation")
    return ids


def test_the_graph_holds_the_selection_and_its_live_relations(store, ecosystem):
    graph = build_graph(store.conn, reversed(list(ecosystem.values())))
    assert graph.number_of_nodes() == 10 and graph.number_of_edges() == len(LINKS)
    assert list(graph)[:3] == [ecosystem["a1"], ecosystem["a2"], ecosystem["a3"]]  # by name
    pair = graph.edges[ecosystem["a1"], ecosystem["a2"]]
    assert pair == {"types": ("financement", "partenariat"), "weight": 2}
    assert graph.nodes[ecosystem["b"]]["kind"] == "collectivite"


def test_metrics_of_the_hand_checked_graph(store, ecosystem):
    name = {actor_id: key for key, actor_id in ecosystem.items()}
    metrics = ecosystem_metrics(build_graph(store.conn, ecosystem.values()))
    degrees = {name[actor_id]: degree for actor_id, degree in metrics.degrees.items()}
    assert degrees == {
        "a1": 2, "a2": 2, "e1": 3, "b": 2, "f1": 3, "c1": 2, "a3": 2, "r1": 1, "a4": 1, "i1": 0,
    }  # fmt: skip
    # The bridge first; then the two actors holding it, equally.
    assert [name[b.actor_id] for b in metrics.brokers] == ["b", "e1", "f1"]
    assert metrics.brokers[1].score == pytest.approx(metrics.brokers[2].score)
    # b lies between the 3 actors on each side (9 pairs) of C(9, 2) = 36 pairs.
    assert metrics.brokers[0].score == pytest.approx(9 / 36)
    assert metrics.exact and metrics.sources == 10
    assert [name[i] for i in metrics.isolated] == ["i1"]
    components = [{name[i] for i in c} for c in metrics.components]
    assert components == [{"a1", "a2", "e1", "b", "f1", "c1", "a3"}, {"r1", "a4"}]
    communities = [{name[i] for i in c} for c in metrics.communities]
    first = next(c for c in communities if "a1" in c)
    second = next(c for c in communities if "c1" in c)
    assert {"a1", "a2", "e1"} <= first and {"f1", "c1", "a3"} <= second and first != second
    assert {"r1", "a4"} in communities


def test_absent_alliances_name_the_kinds_never_linked(store, ecosystem):
    found = absent_alliances(build_graph(store.conn, ecosystem.values()))
    complementary = [a.kinds for a in found if a.complementary]
    assert complementary == [
        ("association", "collectivite"), ("association", "institution"),
        ("entreprise", "collectif"), ("collectivite", "collectif"),
    ]  # fmt: skip
    assert found[0].counts == (4, 1)
    assert found[0].reason == "Aucune relation entre les associations (4) et les collectivités (1)."
    linked = {("association", "entreprise"), ("entreprise", "collectivite")}
    assert not linked & {a.kinds for a in found}
    assert all(not a.complementary for a in found[4:])  # the other pairs follow


def test_betweenness_is_networkx_exact_and_sampled():
    for graph in (nx.karate_club_graph(), nx.gnm_random_graph(120, 200, seed=3), nx.path_graph(6)):
        graph = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph})
        exact, reference = betweenness(graph), nx.betweenness_centrality(graph)
        assert exact == pytest.approx(reference, abs=1e-12)
        sampled = betweenness(graph, k=5, seed=11)
        assert sampled == pytest.approx(nx.betweenness_centrality(graph, k=5, seed=11), abs=1e-12)
    assert betweenness(nx.empty_graph(2)) == {0: 0.0, 1: 0.0}


def test_layout_is_deterministic_and_fits_the_unit_square(store, ecosystem):
    graph = build_graph(store.conn, ecosystem.values())
    positions = layout(graph, seed=3)
    assert positions == layout(graph, seed=3)
    assert set(positions) == set(graph)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in positions.values())
    assert len(set(positions.values())) == len(positions)


def test_a_large_graph_is_laid_out_by_clusters():
    graph = nx.connected_caveman_graph(12, 30)  # 360 nodes in 12 cliques joined in a ring
    graph.add_nodes_from(["alone", "apart"])
    graph.add_edge("pair1", "pair2")
    assert len(graph) > DIRECT_LIMIT
    positions = layout(graph, seed=1)
    assert positions == layout(graph, seed=1) and set(positions) == set(graph)
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in positions.values())

    def spread(nodes):
        xs, ys = zip(*(positions[n] for n in nodes), strict=True)
        return max(max(xs) - min(xs), max(ys) - min(ys))

    # Each clique is drawn within a small part of the drawing.
    assert max(spread(range(i * 30, (i + 1) * 30)) for i in range(12)) < 0.35
