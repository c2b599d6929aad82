"""Insights: territory profiles on 50,000 actors, an ecosystem's metrics on 5,000.

Figures, all in this process and this run (databases from ``insights_data``):
- ``insights_territory_profile``: ``territory_profile`` of the région holding
  50,000 of 50,500 actors and 100,000 relations (compared with France), p50 and max
  of several runs, after a first call (``first_call_ms``); loading the gazetteer's
  index, once per session, is timed apart (``gazetteer_index_ms``). Baseline: the
  plain way, every live relation joined to its two actors in SQL and each end placed
  in Python.
- ``insights_commune_profile``: the same for Lyon, compared with the Rhône and the région.
- ``insights_ecosystem``: a département's graph (5,000 actors, 10,000 relations) read,
  its metrics (degrees, brokers by sampled betweenness, isolated actors, components,
  communities, absent alliances) and the suggested links, p50 and max; each part's time;
  the network view's layout apart (not in the target).
- ``insights_brokers``: the same graph's exact betweenness with networkx (the
  baseline, one run), and how many of its 20 first brokers the sampled estimate finds.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import CACHE, emit
from benchmarks.insights_data import (
    DEPARTEMENT,
    REGION,
    ecosystem_database,
    region_database,
)
from companion.geo import Gazetteer
from companion.insights.betweenness import betweenness, estimate
from companion.insights.graph import communities_of, ecosystem_graph, ecosystem_metrics
from companion.insights.layout import layout
from companion.insights.places import find_territory, place_index
from companion.insights.suggestions import suggest_links
from companion.insights.territory import territory_profile
from companion.store import Store

RUNS = 7
ECOSYSTEM_RUNS = 3
TOP = 20
TARGET_PROFILE_MS = 300
TARGET_ECOSYSTEM_S = 2.0


def _ms(samples: list[float]) -> dict:
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


def _timed(function, runs: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return samples, result


def _joined_baseline(store: Store, gazetteer: Gazetteer, territory) -> Counter:
    """Relations inside / across the territory's border, the plain way."""
    index = place_index(gazetteer)
    found: Counter = Counter()
    rows = store.conn.execute(
        "SELECT r.type, a.insee_code, a.departement, b.insee_code, b.departement "
        "FROM relations r JOIN actors a ON a.id = r.source_id JOIN actors b ON b.id = r.target_id "
        "WHERE r.deleted = 0 AND a.deleted = 0 AND b.deleted = 0"
    )
    for kind, insee_a, dep_a, insee_b, dep_b in rows:
        ends = index.locate(insee_a, dep_a).within(territory)
        ends += index.locate(insee_b, dep_b).within(territory)
        if ends:
            found[kind, ends] += 1
    groups = store.conn.execute(
        "SELECT insee_code, departement, kind, count(*) FROM actors WHERE deleted = 0 "
        "GROUP BY 1, 2, 3"
    )
    for insee, departement, kind, count in groups:
        if index.locate(insee, departement).within(territory):
            found[kind, "actors"] += count
    return found


def profiles(cache: Path) -> list[dict]:
    path = region_database(cache)
    store = Store.open(path)
    gazetteer = Gazetteer.open()
    try:
        actors, relations = (
            store.conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
            for table in ("actors", "relations")
        )
        start = time.perf_counter()
        place_index(gazetteer)  # once per open gazetteer: the app keeps one
        index_ms = (time.perf_counter() - start) * 1000
        region = find_territory(gazetteer, "region", REGION)
        start = time.perf_counter()
        profile = territory_profile(store.conn, gazetteer, region)
        first_ms = (time.perf_counter() - start) * 1000
        samples, profile = _timed(lambda: territory_profile(store.conn, gazetteer, region), RUNS)
        baseline, _found = _timed(lambda: _joined_baseline(store, gazetteer, region), 3)
        p50 = statistics.median(samples)
        records = [
            {
                "bench": "insights_territory_profile", "territory": region.key,
                "actors": actors, "relations": relations,
                "actors_in_territory": profile.figures.actors,
                "relations_inside": profile.figures.inside,
                "relations_outside": profile.figures.outside,
                "catalysts": len(profile.catalysts), "runs": RUNS, **_ms(samples),
                "first_call_ms": round(first_ms, 1), "gazetteer_index_ms": round(index_ms, 1),
                "baseline_join_ms": round(statistics.median(baseline) * 1000, 1),
                "ratio": round(statistics.median(baseline) / p50, 1),
                "target_ms": TARGET_PROFILE_MS,
            }
        ]  # fmt: skip
        lyon = find_territory(gazetteer, "commune", "69123")
        samples, profile = _timed(lambda: territory_profile(store.conn, gazetteer, lyon), RUNS)
        records.append(
            {
                "bench": "insights_commune_profile", "territory": lyon.key,
                "compared_with": [c.territory.key for c in profile.comparisons],
                "actors_in_territory": profile.figures.actors, "runs": RUNS, **_ms(samples),
            }
        )  # fmt: skip
        return records
    finally:
        store.close()
        gazetteer.close()


def ecosystem(cache: Path) -> list[dict]:
    import networkx as nx

    store = Store.open(ecosystem_database(cache))
    gazetteer = Gazetteer.open()
    try:
        territory = find_territory(gazetteer, "departement", DEPARTEMENT)
        place_index(gazetteer)  # loaded once per session, as in the app

        def everything():
            graph = ecosystem_graph(store.conn, gazetteer, territory)
            return graph, ecosystem_metrics(graph), suggest_links(store.conn, gazetteer, graph)

        samples, (graph, metrics, suggestions) = _timed(everything, ECOSYSTEM_RUNS)
        parts = {
            "build_s": lambda: ecosystem_graph(store.conn, gazetteer, territory),
            "betweenness_s": lambda: estimate(graph),
            "communities_s": lambda: communities_of(graph),
            "suggestions_s": lambda: suggest_links(store.conn, gazetteer, graph),
            "layout_s": lambda: layout(graph, communities=metrics.communities),
        }
        timings = {
            name: round(statistics.median(_timed(part, ECOSYSTEM_RUNS)[0]), 3)
            for name, part in parts.items()
        }
        p50 = statistics.median(samples)
        records = [
            {
                "bench": "insights_ecosystem", "territory": territory.key,
                "actors": graph.number_of_nodes(), "relations": graph.number_of_edges(),
                "brokers_exact": metrics.exact, "betweenness_sources": metrics.sources,
                "isolated": len(metrics.isolated), "components": len(metrics.components),
                "communities": len(metrics.communities),
                "absent_alliances": len(metrics.absent_alliances),
                "suggestions": len(suggestions), "runs": ECOSYSTEM_RUNS,
                "p50_s": round(p50, 3), "max_s": round(max(samples), 3), **timings,
                "target_s": TARGET_ECOSYSTEM_S,
            }
        ]  # fmt: skip
        start = time.perf_counter()
        exact = nx.betweenness_centrality(graph)
        networkx_s = time.perf_counter() - start
        start = time.perf_counter()
        ours = betweenness(graph)
        numpy_exact_s = time.perf_counter() - start
        top_exact = sorted(exact, key=lambda n: (-exact[n], n))[:TOP]
        top_ours = sorted(ours, key=lambda n: (-ours[n], n))[:TOP]
        brokers = [b.actor_id for b in metrics.brokers[:TOP]]
        records.append(
            {
                "bench": "insights_brokers", "actors": len(graph),
                "sampled_sources": metrics.sources,
                "sampled_s": timings["betweenness_s"],
                "baseline_networkx_exact_s": round(networkx_s, 2),
                "ratio": round(networkx_s / timings["betweenness_s"], 1),
                "top20_overlap": len(set(brokers) & set(top_exact)),
                "top20_agreement": round(len(set(brokers) & set(top_exact)) / TOP, 2),
                "top10_overlap": len(set(brokers[:10]) & set(top_exact[:10])),
                "numpy_exact_s": round(numpy_exact_s, 2),
                "numpy_exact_matches_networkx": max(abs(ours[n] - exact[n]) for n in graph) < 1e-9
                and top_ours == top_exact,
            }
        )  # fmt: skip
        return records
    finally:
        store.close()
        gazetteer.close()


def main() -> None:
    for record in profiles(CACHE):
        emit(record)
    for record in ecosystem(CACHE):
        emit(record)
