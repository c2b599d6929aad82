"""Directory search on 100,000 actors: FTS5 versus LIKE scans over the same table.

Each query is measured as the directory runs it: the number of matches plus the
first page of 50 rows. The baseline does the same with ``LIKE '%word%'`` on the
name, description and commune columns (every word must match), in the same run.
"""

from __future__ import annotations

from benchmarks.common import demo_folder, emit, summary, time_ms
from companion.app.datafolder import open_store
from companion.store import Store

ACTORS = 100_000
CATALYSTS = 2_500
PAGE = 50
ROUNDS = 5
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


def _like_query(store: Store, text: str) -> None:
    words = text.split()
    clause = " AND ".join("(name LIKE ? OR description LIKE ? OR commune LIKE ?)" for _ in words)
    params = [f"%{w}%" for w in words for _ in range(3)]
    store.db.execute(
        f"SELECT count(*) FROM actors WHERE deleted = 0 AND {clause}", params
    ).fetchone()
    store.db.execute(
        f"SELECT * FROM actors WHERE deleted = 0 AND {clause} ORDER BY sort_name LIMIT {PAGE}",
        params,
    ).fetchall()


def _fts_query(store: Store, text: str) -> None:
    store.count_actors(text)
    store.actors(text, sort="rank", limit=PAGE)


def main() -> None:
    store = open_store(demo_folder(CATALYSTS, ACTORS))
    try:
        total = store.count_actors()
        all_fts, all_like = [], []
        for family, queries in QUERIES.items():
            fts = [
                time_ms(lambda q=q: _fts_query(store, q)) for _ in range(ROUNDS) for q in queries
            ]
            like = [
                time_ms(lambda q=q: _like_query(store, q)) for _ in range(ROUNDS) for q in queries
            ]
            all_fts += fts
            all_like += like
            emit(
                {
                    "bench": "search",
                    "family": family,
                    "actors": total,
                    "queries": len(fts),
                    **summary(fts),
                    **summary(like, "baseline_like_"),
                }
            )
        fts, like = summary(all_fts), summary(all_like, "baseline_like_")
        emit(
            {
                "bench": "search",
                "family": "all",
                "actors": total,
                "queries": len(all_fts),
                **fts,
                **like,
                "ratio": round(like["baseline_like_p95_ms"] / fts["p95_ms"], 1),
                "ratio_p50": round(like["baseline_like_p50_ms"] / fts["p50_ms"], 1),
                "target_p95_ms": 10.0,
                "target_ratio": 50.0,
            }
        )
    finally:
        store.close()
