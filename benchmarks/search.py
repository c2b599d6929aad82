"""Directory search on 100,000 actors: FTS5 versus LIKE scans finding the same rows.

Each query is measured as the directory runs it: the number of matches plus the
first page of 50 rows. The baseline, in the same run, does the same with ``LIKE`` on
a pre-folded copy of what the index holds (name, description, commune and postcode,
tags), folded by ``companion.text.fold`` (lower-case ASCII words, single spaces) and
built before timing starts. Our search matches every word as a word prefix; the
baseline says the same with ``LIKE '% word%'`` on the folded text between spaces.
Both report their match counts, which must agree for every query (``counts_agree``).

A second line keeps the naive baseline, ``LIKE '%word%'`` on the raw name, description
and commune: it neither folds accents nor finds the same rows (its counts show it).
"""

from __future__ import annotations

import time

from benchmarks.common import demo_folder, emit, summary, time_ms
from companion.app.datafolder import open_store
from companion.store import Store
from companion.text import fold, words

ACTORS = 100_000
CATALYSTS = 2_500
PAGE = 50
ROUNDS = 5
TARGET_P95_MS = 10.0
NAIVE_TARGET_RATIO = 50.0
# Plain words (no "œ": fold() writes "oe" where the index keeps "œ", so such a word
# would not find the same rows on both sides; the counts would show it).
QUERIES = {
    "prefix": [
        "fonten",
        "ressour",
        "solid",
        "coop",
        "mais",
        "tiers",
        "fondat",
        "agen",
        "collectif cit",
        "lyon",
    ],
    "accented": [
        "école",
        "économie",
        "énergie",
        "élue",
        "fédération",
        "établissements",
        "île",
        "réseau",
    ],
    "multi-word": [
        "association jardin",
        "solidaire saint",
        "atelier vélo",
        "fondation lille",
        "coopérative marseille",
        "mobilité partagée",
        "chantier insertion",
        "habitat inclusif",
    ],
}

# The text the index holds for each live actor (companion/store/schema.py), in a table
# of the connection's own: the demo database must keep exactly its migrated schema.
_FOLDED = """
CREATE TEMP TABLE actors_folded (seq INTEGER PRIMARY KEY, sort_name TEXT, text TEXT);
INSERT INTO actors_folded
SELECT a.seq, a.sort_name, ' ' || fold(a.name || ' ' || coalesce(a.description, '') || ' '
       || coalesce(a.commune, '') || ' ' || coalesce(a.postcode, '') || ' '
       || coalesce((SELECT group_concat(t.name, ' ') FROM actor_tags at
                    JOIN tags t ON t.id = at.tag_id
                    WHERE at.actor_id = a.id AND t.deleted = 0), '')) || ' '
FROM actors a WHERE a.deleted = 0;
"""


def build_folded(store: Store) -> float:
    """Create the pre-folded table; its build time in milliseconds."""
    started = time.perf_counter()
    store.conn.create_function("fold", 1, fold, deterministic=True)
    store.conn.executescript(_FOLDED)
    return (time.perf_counter() - started) * 1000


def _folded_like(store: Store, text: str) -> int:
    """Every folded word of ``text`` as a word prefix: the rule of our search."""
    patterns = [f"% {word}%" for word in words(text)]  # fold() leaves no % nor _
    clause = " AND ".join("text LIKE ?" for _ in patterns)
    count = store.conn.execute(
        f"SELECT count(*) FROM actors_folded WHERE {clause}", patterns
    ).fetchone()[0]
    store.conn.execute(
        f"SELECT a.* FROM actors_folded f JOIN actors a ON a.seq = f.seq WHERE {clause} "
        f"ORDER BY f.sort_name LIMIT {PAGE}",
        patterns,
    ).fetchall()
    return count


def _naive_like(store: Store, text: str) -> int:
    words_ = text.split()
    clause = " AND ".join("(name LIKE ? OR description LIKE ? OR commune LIKE ?)" for _ in words_)
    params = [f"%{w}%" for w in words_ for _ in range(3)]
    count = store.conn.execute(
        f"SELECT count(*) FROM actors WHERE deleted = 0 AND {clause}", params
    ).fetchone()[0]
    store.conn.execute(
        f"SELECT * FROM actors WHERE deleted = 0 AND {clause} ORDER BY sort_name LIMIT {PAGE}",
        params,
    ).fetchall()
    return count


def _fts(store: Store, text: str) -> int:
    count = store.count_actors(text)
    store.actors(text, sort="rank", limit=PAGE)
    return count


def _measure(store: Store, function, queries: list[str]) -> tuple[list[float], dict[str, int]]:
    """(samples in ms, match count of each query)."""
    counts = {query: function(store, query) for query in queries}
    samples = [time_ms(lambda q=q: function(store, q)) for _ in range(ROUNDS) for q in queries]
    return samples, counts


def main() -> None:
    store = open_store(demo_folder(CATALYSTS, ACTORS))
    try:
        total = store.count_actors()
        build_ms = build_folded(store)
        measured = {"fts": ([], {}), "folded": ([], {}), "naive": ([], {})}
        functions = {"fts": _fts, "folded": _folded_like, "naive": _naive_like}
        for family, queries in QUERIES.items():
            family_results = {}
            for name, function in functions.items():
                samples, counts = _measure(store, function, queries)
                measured[name][0].extend(samples)
                measured[name][1].update(counts)
                family_results[name] = (samples, counts)
            fts, folded = family_results["fts"], family_results["folded"]
            emit(
                {
                    "bench": "search",
                    "family": family,
                    "actors": total,
                    "queries": len(fts[0]),
                    **summary(fts[0]),
                    **summary(folded[0], "baseline_folded_like_"),
                    "matches": sum(fts[1].values()),
                    "baseline_matches": sum(folded[1].values()),
                    "counts_agree": fts[1] == folded[1],
                }
            )
        emit(_overall(total, build_ms, measured))
        emit(_naive(total, measured))
    finally:
        store.close()


def _overall(total: int, build_ms: float, measured: dict) -> dict:
    (fts_samples, fts_counts), (like_samples, like_counts) = measured["fts"], measured["folded"]
    fts, like = summary(fts_samples), summary(like_samples, "baseline_folded_like_")
    disagree = {q: [n, like_counts[q]] for q, n in fts_counts.items() if like_counts[q] != n}
    record = {
        "bench": "search",
        "family": "all",
        "actors": total,
        "queries": len(fts_samples),
        **fts,
        "baseline": "LIKE '% word%' (word prefix) on a pre-folded copy of the indexed text",
        "baseline_build_ms": round(build_ms, 1),
        **like,
        "ratio": round(like["baseline_folded_like_p95_ms"] / fts["p95_ms"], 1),
        "ratio_p50": round(like["baseline_folded_like_p50_ms"] / fts["p50_ms"], 1),
        "matches": sum(fts_counts.values()),
        "baseline_matches": sum(like_counts.values()),
        "counts_agree": not disagree,
        "target_p95_ms": TARGET_P95_MS,
    }
    if disagree:
        record["counts_differ"] = disagree  # query: [ours, baseline]
    record["meets_targets"] = not disagree and fts["p95_ms"] <= TARGET_P95_MS
    return record


def _naive(total: int, measured: dict) -> dict:
    (fts_samples, fts_counts), (like_samples, like_counts) = measured["fts"], measured["naive"]
    fts, like = summary(fts_samples), summary(like_samples, "baseline_like_")
    return {
        "bench": "search_naive",
        "actors": total,
        "queries": len(fts_samples),
        **fts,
        "baseline": "LIKE '%word%' on the raw name, description and commune (not the same rows)",
        **like,
        "ratio": round(like["baseline_like_p95_ms"] / fts["p95_ms"], 1),
        "ratio_p50": round(like["baseline_like_p50_ms"] / fts["p50_ms"], 1),
        "matches": sum(fts_counts.values()),
        "baseline_matches": sum(like_counts.values()),
        "counts_agree": fts_counts == like_counts,
        "target_ratio": NAIVE_TARGET_RATIO,
    }
