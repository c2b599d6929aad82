"""Helpers shared by the benchmarks: timing, percentiles, cached demo databases."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def summary(samples_ms: list[float], prefix: str = "") -> dict[str, float]:
    return {
        f"{prefix}p50_ms": round(statistics.median(samples_ms), 3),
        f"{prefix}p95_ms": round(percentile(samples_ms, 0.95), 3),
    }


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def demo_folder(catalysts: int, actors: int | None, seed: int = 7) -> Path:
    """A data folder holding a demo database, generated once and kept in the cache."""
    from companion.app.datafolder import create_demo_database, has_database

    folder = CACHE / f"demo-{catalysts}-{actors or 'default'}-{seed}"
    if not has_database(folder):
        print(f"generating demo database in {folder}…", file=sys.stderr)
        start = time.perf_counter()
        create_demo_database(folder, catalysts=catalysts, seed=seed, actors=actors)
        print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return folder
