"""The ecosystem's indicators in plain French, and its drawing packed to a view's shape,
on graphs made by hand."""

from __future__ import annotations

import networkx as nx

from companion.insights.ecosystem_indicators import indicators
from companion.insights.graph import ecosystem_metrics
from companion.insights.layout import arrange, layout_blocks


def graph_of(links: list[tuple[str, str]], alone: list[str]) -> nx.Graph:
    graph = nx.Graph()
    for name in sorted({n for link in links for n in link} | set(alone)):
        graph.add_node(name, name=name.capitalize(), kind="association")
    graph.add_edges_from(links)
    return graph


def sentences(graph: nx.Graph) -> dict[str, tuple[str, str]]:
    found = indicators(graph, ecosystem_metrics(graph))
    return {i.title: (i.value, i.sentence) for i in found}


def test_a_network_where_most_actors_have_no_alliance():
    # A hub linked to three actors, a pair, and seven actors alone: the median is 0.
    graph = graph_of(
        [("hub", "a"), ("hub", "b"), ("hub", "c"), ("d", "e")], ["f", "g", "h", "i", "j", "k", "l"]
    )
    found = sentences(graph)
    assert found["Acteurs et relations"][0] == "13 acteurs, 4 relations"
    assert found["Connexions par acteur"] == (
        "0,6 en moyenne",
        "La moitié des acteurs n'ont aucune alliance enregistrée ; "
        "le plus relié, Hub, l'est à 3 autres.",
    )
    assert found["Groupes reliés"] == (
        "2",
        "2 ensembles d'acteurs reliés entre eux, sans lien d'un ensemble à l'autre.",
    )
    assert found["Communautés"][1] == "2 groupes d'acteurs plus liés entre eux qu'avec les autres."
    assert found["Acteurs isolés"] == (
        "7 (54\u202f%)",
        "7 acteurs n'ont aucune relation avec les autres acteurs de ce réseau.",
    )


def test_a_well_linked_network_says_so():
    graph = graph_of([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], [])
    found = sentences(graph)
    assert found["Connexions par acteur"] == (
        "2,0 en moyenne",
        "La moitié des acteurs sont reliés à 2 autres ou moins ; "
        "le plus relié, C, l'est à 3 autres.",
    )
    assert found["Groupes reliés"][1] == (
        "1 ensemble d'acteurs reliés entre eux, sans lien avec le reste."
    )
    assert found["Acteurs isolés"] == (
        "0 (0\u202f%)",
        "Chaque acteur a au moins une relation dans ce réseau.",
    )
    lonely = sentences(graph_of([], ["a", "b"]))
    assert lonely["Connexions par acteur"][1] == "Aucun acteur n'a d'alliance enregistrée."
    assert lonely["Groupes reliés"][1] == "Aucun acteur n'est relié à un autre."


def test_the_drawing_takes_the_shape_of_the_view():
    graph = nx.Graph()
    for group in range(8):  # eight stars of 3 to 17 actors, and ten actors alone
        graph.add_edges_from((f"hub{group}", f"{group}-{n}") for n in range(2 + 2 * group))
    graph.add_nodes_from(f"alone{n}" for n in range(10))
    blocks, isolated = layout_blocks(graph, seed=2)
    assert sorted(isolated) == sorted(f"alone{n}" for n in range(10))
    for aspect in (0.6, 1.0, 2.0, 3.0):
        positions = arrange(blocks, [], aspect)
        assert set(positions) == set(graph) - set(isolated)  # the isolated left out
        xs, ys = zip(*positions.values(), strict=True)
        shape = (max(xs) - min(xs)) / (max(ys) - min(ys))
        assert aspect / 1.35 < shape < aspect * 1.35, (aspect, shape)
    with_isolated = arrange(blocks, isolated, 2.0)
    assert set(with_isolated) == set(graph)
    assert with_isolated == arrange(blocks, isolated, 2.0)  # the same picture each time
