"""Gazetteer benchmark: 10,000 seeded lookups plus reverse geocoding.

Prints one JSON object per line. Run through ``python -m benchmarks gazetteer``.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable

from companion.geo import Commune, Gazetteer, GazetteerMissing
from companion.geo.names import query_key
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

    subset = names[:BASELINE_LOOKUPS]
    indexed = _timed(gazetteer.by_name, subset)
    scan = _linear_scan([(fold(c.name), c.population, c) for c in communes])
    baseline = _timed(scan, subset)
    indexed_p95 = _percentiles(indexed)["p95_ms"]
    baseline_p95 = _percentiles(baseline)["p95_ms"]
    print(
        json.dumps(
            {
                "bench": "gazetteer",
                "lookups": len(queries),
                "names": len(names),
                "postcodes": len(queries) - len(names),
                **_percentiles(samples),
                "max_ms": round(max(samples), 4),
                "target_p95_ms": TARGET_P95_MS,
                "open_ms": round(open_ms, 3),
                "baseline": "linear scan in Python",
                "baseline_lookups": len(subset),
                "baseline_p95_ms": baseline_p95,
                "indexed_p95_ms_same_queries": indexed_p95,
                "ratio": round(baseline_p95 / indexed_p95, 1) if indexed_p95 else None,
            }
        ),
        flush=True,
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
    print(
        json.dumps(
            {
                "bench": "gazetteer_reverse",
                "lookups": len(points),
                **_percentiles(reverse_samples),
                "max_ms": round(max(reverse_samples), 4),
                "found": sum(r is not None for r in results),
            }
        ),
        flush=True,
    )
    gazetteer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
