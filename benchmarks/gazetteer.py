"""Gazetteer benchmark: 10,000 seeded lookups plus reverse geocoding.

Name lookups are compared, in the same run, with a dict on the same folded names (the
gazetteer's keys, with and without the article, loaded into memory before timing
starts, its build time reported): exact key first, then keys starting with it, as
``Gazetteer.by_name`` does. Both must find the same communes in the same order for
every query (``results_agree``). A second line keeps the naive baseline, a linear scan
of the folded official names (no article-less key, so not always the same communes).

Prints one JSON object per line. Run through ``python -m benchmarks gazetteer``.
"""

from __future__ import annotations

import bisect
import random
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import closing

from benchmarks.common import emit
from companion.geo import Commune, Gazetteer, GazetteerMissing
from companion.geo.names import query_key
from companion.paths import built_data_path
from companion.text import fold

SEED = 20240611
LOOKUPS = 10_000
REVERSE_LOOKUPS = 2_000
BASELINE_LOOKUPS = 300  # the linear scan is slow: a subset of the same name queries
TARGET_P95_MS = 1.0


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    quantiles = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50_ms": round(quantiles[49], 4), "p95_ms": round(quantiles[94], 4)}


def _timed(function: Callable[[object], object], arguments: list) -> list[float]:
    samples = []
    for argument in arguments:
        started = time.perf_counter_ns()
        function(argument)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def _queries(rng: random.Random, communes: list[Commune]) -> tuple[list[str], list[str]]:
    """(all queries in order, the name queries among them)."""
    queries, names = [], []
    for _ in range(LOOKUPS):
        commune = rng.choice(communes)
        if rng.random() < 0.35 and commune.postcodes:
            queries.append(rng.choice(commune.postcodes))
            continue
        style = rng.random()
        text = (
            commune.name
            if style < 0.4
            else fold(commune.name)
            if style < 0.7
            else commune.name.lower()
        )
        queries.append(text)
        names.append(text)
    return queries, names


def _linear_scan(index: list[tuple[str, int, Commune]]) -> Callable[[str], list[Commune]]:
    """The naive way: fold every name for each query, exact matches then prefixes."""

    def search(text: str, limit: int = 20) -> list[Commune]:
        key = query_key(text)
        exact = [(population, c) for folded, population, c in index if folded == key]
        prefix = [
            (population, c)
            for folded, population, c in index
            if folded != key and folded.startswith(key)
        ]
        ordered = sorted(exact, key=lambda item: -item[0]) + sorted(
            prefix, key=lambda item: -item[0]
        )
        return [c for _, c in ordered[:limit]]

    return search


class FoldedNames:
    """A dict on folded names: the gazetteer's keys in memory, each with its communes.

    A lookup follows ``Gazetteer.by_name``: the exact key's communes by rank, then the
    communes of the keys starting with it (a bisection in the sorted keys), by rank.
    """

    def __init__(self, keys: dict[str, list[tuple[int, int]]], communes: dict[int, Commune]):
        self._keys = keys  # folded key -> [(rank, commune id)], by rank then id
        self._sorted = sorted(keys)
        self._communes = communes

    @classmethod
    def load(cls, gazetteer: Gazetteer) -> FoldedNames:
        kinds = ("COM", "ARM", "COMD", "COMA")
        with closing(sqlite3.connect(built_data_path("gazetteer.sqlite"))) as db:
            ids = [row[0] for row in db.execute("SELECT id FROM commune ORDER BY id")]
            rows = db.execute("SELECT key, rank, commune FROM name_key ORDER BY key, commune")
            keys: dict[str, list[tuple[int, int]]] = {}
            for key, rank, commune_id in rows:
                keys.setdefault(key, []).append((rank, commune_id))
        for entries in keys.values():
            entries.sort(key=lambda entry: entry[0])  # stable: same rank, by id
        communes = dict(zip(ids, gazetteer.communes(kinds), strict=True))  # both by id
        return cls(keys, communes)

    def by_name(self, text: str, limit: int = 20) -> list[Commune]:
        key = query_key(text)
        if not key or limit <= 0:
            return []
        ids = [commune_id for _, commune_id in self._keys.get(key, [])[:limit]]
        if len(ids) < limit:
            prefix = []
            for index in range(bisect.bisect_right(self._sorted, key), len(self._sorted)):
                other = self._sorted[index]
                if not other.startswith(key):
                    break
                prefix.extend(self._keys[other])
            prefix.sort(key=lambda entry: entry[0])
            ids = list(dict.fromkeys(ids + [commune_id for _, commune_id in prefix[: 2 * limit]]))
        return [self._communes[commune_id] for commune_id in ids[:limit]]


def _compare(
    queries: list[str], ours: list[list[Commune]], theirs: list[list[Commune]]
) -> dict[str, object]:
    """Match counts of both sides, and whether they found the same communes, in order."""
    differ = [q for q, a, b in zip(queries, ours, theirs, strict=True) if a != b]
    return {
        "matches": sum(map(len, ours)),
        "baseline_matches": sum(map(len, theirs)),
        "results_agree": not differ,
        "queries_differing": len(differ),
        **({"first_differing": differ[:5]} if differ else {}),
    }


def main() -> int:
    """Run the benchmark and print its JSON lines."""
    started = time.perf_counter()
    try:
        gazetteer = Gazetteer.open()
    except GazetteerMissing as error:
        print(error, file=sys.stderr)
        return 1
    open_ms = (time.perf_counter() - started) * 1000
    rng = random.Random(SEED)
    communes = gazetteer.communes(("COM", "ARM", "COMD", "COMA"))
    queries, names = _queries(rng, communes)
    samples = _timed(gazetteer.lookup, queries)

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    folded_names = FoldedNames.load(gazetteer)
    build_ms = (time.perf_counter() - started) * 1000
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_kb) / 1024
    indexed = _timed(gazetteer.by_name, names)
    dict_samples = _timed(folded_names.by_name, names)
    comparison = _compare(
        names, [gazetteer.by_name(q) for q in names], [folded_names.by_name(q) for q in names]
    )
    indexed_p95 = _percentiles(indexed)["p95_ms"]
    dict_p95 = _percentiles(dict_samples)["p95_ms"]
    emit(
        {
            "bench": "gazetteer",
            "lookups": len(queries),
            "names": len(names),
            "postcodes": len(queries) - len(names),
            **_percentiles(samples),
            "max_ms": round(max(samples), 4),
            "target_p95_ms": TARGET_P95_MS,
            "open_ms": round(open_ms, 3),
            "baseline": "dict on the same folded names, in memory (exact, then prefixes)",
            "baseline_build_ms": round(build_ms, 1),
            "baseline_peak_rss_growth_mb": round(grown_mb, 1),
            "baseline_lookups": len(names),
            "baseline_p50_ms": _percentiles(dict_samples)["p50_ms"],
            "baseline_p95_ms": dict_p95,
            "by_name_p50_ms_same_queries": _percentiles(indexed)["p50_ms"],
            "by_name_p95_ms_same_queries": indexed_p95,
            "ratio": round(dict_p95 / indexed_p95, 2) if indexed_p95 else None,
            **comparison,
            "meets_targets": bool(
                comparison["results_agree"] and _percentiles(samples)["p95_ms"] <= TARGET_P95_MS
            ),
        }
    )

    subset = names[:BASELINE_LOOKUPS]
    scan = _linear_scan([(fold(c.name), c.population, c) for c in communes])
    baseline = _timed(scan, subset)
    subset_p95 = _percentiles(indexed[:BASELINE_LOOKUPS])["p95_ms"]
    baseline_p95 = _percentiles(baseline)["p95_ms"]
    emit(
        {
            "bench": "gazetteer_naive",
            "baseline": "linear scan in Python of the folded official names",
            "baseline_lookups": len(subset),
            "baseline_p95_ms": baseline_p95,
            "by_name_p95_ms_same_queries": subset_p95,
            "ratio": round(baseline_p95 / subset_p95, 1) if subset_p95 else None,
            **_compare(subset, [gazetteer.by_name(q) for q in subset], [scan(q) for q in subset]),
        }
    )

    metropolitan = [c for c in communes if c.kind == "COM" and not c.departement.startswith("97")]
    points = []
    for _ in range(REVERSE_LOOKUPS):
        if rng.random() < 0.8:  # near a town hall
            c = rng.choice(metropolitan)
            points.append(
                (c.latitude + rng.uniform(-0.01, 0.01), c.longitude + rng.uniform(-0.01, 0.01))
            )
        else:  # anywhere in the metropolitan bounding box, sea and neighbours included
            points.append((rng.uniform(41.3, 51.1), rng.uniform(-5.2, 9.6)))
    results = []
    reverse_samples = _timed(lambda point: results.append(gazetteer.reverse(*point)), points)
    emit(
        {
            "bench": "gazetteer_reverse",
            "lookups": len(points),
            **_percentiles(reverse_samples),
            "max_ms": round(max(reverse_samples), 4),
            "found": sum(r is not None for r in results),
        }
    )
    gazetteer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
