"""Toolbox: full-text search (bundled items, then 5,000 documents of ~2,000 words) and reading.

Search is measured as the toolbox runs it: the 50 best hits, ranked, with their
highlighted titles and snippets (``companion.toolbox.search.search``). The
baselines, in the same run over the same texts (title, summary, plain body),
keep the first 50 texts holding every query word (no ranking, no snippet):

- the plain scan folds each text (case and accents, in C) and looks for each
  word in it, per query;
- the pre-folded scan is its best case: every text folded once beforehand (not
  timed) and kept in memory, a second copy of the corpus (about 85 MB here).

Reading: the largest bundled guide read, parsed and rendered to the reader's
HTML page, against the bare ``markdown.markdown()`` of its body; ``first_ms``
is the first time, which imports the markdown package. In the same record,
``reader_*``: that guide opened in the app's reader offscreen (a new reader
widget, the item read from the catalogue and rendered, its page set, laid out
and painted by ``grab()``), the first time (Qt's text engine and the SVG image
warm up) and then the median and p95 of fresh readers. Start-up: the bundle
check when nothing changed, against a full reinstall.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import time
import unicodedata

from benchmarks.common import CACHE, emit, summary, time_ms
from benchmarks.toolbox_corpus import DOCUMENTS, WORDS, corpus_root
from companion.store import Store
from companion.toolbox import catalogue, items, render, search

ROUNDS = 5
LIMIT = 50
QUERIES = {
    "prefix": ["gouvern", "financ", "partena", "territ", "anim", "coop", "carto", "evalu"],
    "accented": ["élus", "données", "réseau", "démarche", "expérimentation", "économie"],
    "unaccented": ["elus", "donnees", "reseau", "demarche", "experimentation", "economie"],
    "multi-word": [
        "atelier cartographie",
        "convention partenariat",
        "données personnelles",
        "comité pilotage",
        "alliance territoire",
        "financement participatif",
        "élus entreprises",
    ],
}


def _texts(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT id, title || ' ' || summary || ' ' || body_text FROM toolbox_items")
    return list(rows)


def _fold(text: str) -> str:
    # The scan's own fold, in C: decomposed, accents dropped, case folded.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _scan(texts: list[tuple[str, str]], query: str) -> list[str]:
    """The plain scan: fold every text and look for every word in it."""
    words = _fold(query).split()
    matches = [item_id for item_id, text in texts if all(word in _fold(text) for word in words)]
    return matches[:LIMIT]


def _prefolded_scan(folded: list[tuple[str, str]], query: str) -> list[str]:
    """The scan's best case: texts folded once beforehand and kept in memory."""
    words = _fold(query).split()
    matches = [item_id for item_id, text in folded if all(word in text for word in words)]
    return matches[:LIMIT]


def _search_figures(conn: sqlite3.Connection, corpus: str, scan_rounds: int) -> None:
    texts = _texts(conn)
    folded = [(item_id, _fold(text)) for item_id, text in texts]
    totals: dict[str, list[float]] = {"fts": [], "scan": [], "prefolded": []}
    for family, queries in QUERIES.items():
        times: dict[str, list[float]] = {"fts": [], "scan": [], "prefolded": []}
        for round_number in range(ROUNDS):
            for query in queries:
                times["fts"].append(time_ms(lambda q=query: search.search(conn, q, limit=LIMIT)))
                times["prefolded"].append(time_ms(lambda q=query: _prefolded_scan(folded, q)))
                if round_number < scan_rounds:
                    times["scan"].append(time_ms(lambda q=query: _scan(texts, q)))
        for name, samples in times.items():
            totals[name] += samples
        counts = sorted(search.count_matches(conn, q) for q in queries)
        emit(
            {
                "bench": "toolbox-search",
                "corpus": corpus,
                "documents": len(texts),
                "family": family,
                "queries": len(times["fts"]),
                "matches_median": counts[len(counts) // 2],
                **summary(times["fts"]),
                **summary(times["scan"], "baseline_scan_"),
                **summary(times["prefolded"], "baseline_prefolded_scan_"),
            }
        )
    fts = summary(totals["fts"])
    scan = summary(totals["scan"], "baseline_scan_")
    prefolded = summary(totals["prefolded"], "baseline_prefolded_scan_")
    record = {
        "bench": "toolbox-search",
        "corpus": corpus,
        "documents": len(texts),
        "family": "all",
        "queries": len(totals["fts"]),
        **fts,
        **scan,
        **prefolded,
        "ratio": round(scan["baseline_scan_p95_ms"] / fts["p95_ms"], 1),
        "ratio_p50": round(scan["baseline_scan_p50_ms"] / fts["p50_ms"], 1),
        "ratio_prefolded": round(prefolded["baseline_prefolded_scan_p95_ms"] / fts["p95_ms"], 1),
    }
    if corpus == "generated":
        record |= {"words_per_document": WORDS, "target_p95_ms": 20.0, "target_ratio": 20.0}
    emit(record)


def _reader_figures(store: Store, item_id: str) -> dict[str, float]:
    """Open the item in a new reader widget and paint it, offscreen; first and repeated."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    from companion.ui.toolbox.reader import ToolboxReader

    def open_and_paint() -> None:
        reader = ToolboxReader(store)
        reader.resize(1100, 800)
        if not reader.open_item(item_id) or reader.grab().isNull():
            raise RuntimeError("the reader showed nothing")
        reader.deleteLater()

    first = time_ms(open_and_paint)
    again = [time_ms(open_and_paint) for _ in range(15)]
    return {"reader_first_ms": round(first, 1), **summary(again, "reader_")}


def _render_figures(store: Store) -> None:
    import markdown

    root = items.bundle_root()
    guides = [item.path for item in items.bundled_items() if item.type == "guide"]
    if not guides:
        print("no bundled guide: reading not measured", file=sys.stderr)
        return
    largest = max(guides, key=lambda path: (root / path).stat().st_size)

    def parse_and_render() -> str:
        item = items.read_item(root, largest)
        return render.render_item(item, [root]).html

    first = time_ms(parse_and_render)  # imports the markdown package
    ours = [time_ms(parse_and_render) for _ in range(30)]
    body = items.read_item(root, largest).body
    bare = [time_ms(lambda: markdown.markdown(body)) for _ in range(30)]
    reader = _reader_figures(store, items.read_item(root, largest).id)
    emit(
        {
            "bench": "toolbox-render",
            "item": largest,
            "bytes": (root / largest).stat().st_size,
            "first_ms": round(first, 1),
            **summary(ours),
            **summary(bare, "baseline_bare_markdown_"),
            **reader,
        }
    )


def _bundled_store() -> Store:
    folder = CACHE / "toolbox-bundled"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Store.open(folder / "companion.db")


def _startup_figures(store: Store) -> None:
    check = [time_ms(lambda: catalogue.install_bundled(store)) for _ in range(20)]
    full = [time_ms(lambda: catalogue.install_bundled(store, force=True)) for _ in range(5)]
    emit(
        {
            "bench": "toolbox-startup-check",
            "items": store.conn.execute("SELECT count(*) FROM toolbox_items").fetchone()[0],
            **summary(check),
            **summary(full, "baseline_full_install_"),
        }
    )


def _generated_store() -> Store:
    root = corpus_root()
    folder = CACHE / f"toolbox-db-{root.name}"
    done = folder / "installed"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"installing {DOCUMENTS} documents…", file=sys.stderr)
        start = time.perf_counter()
        store = Store.open(folder / "companion.db")
        report = catalogue.install_bundled(store, root)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        elapsed = time.perf_counter() - start
        print(f"installed {report.installed} in {elapsed:.1f} s", file=sys.stderr)
        done.write_text(f"{elapsed:.1f}", encoding="utf-8")
    return Store.open(folder / "companion.db")


def main() -> None:
    store = _bundled_store()
    try:
        catalogue.install_bundled(store)
        _render_figures(store)
        _startup_figures(store)
        _search_figures(store.conn, "bundled", scan_rounds=ROUNDS)
    finally:
        store.close()
    store = _generated_store()
    try:
        # The plain scan folds 5,000 long texts per query (about a second): one round.
        _search_figures(store.conn, "generated", scan_rounds=1)
    finally:
        store.close()
