"""The directory's table over 100,000 actors with a search applied, offscreen.

- ``show_ms``: from typing the search to the first rows painted in the table;
- ``scroll_ms``: paging down from the first to the last matching row, each
  screenful painted (Page Down held), and its slowest step.

Baseline, same rows, same view: the plain Qt way, a ``QStandardItemModel``
filled with every matching actor before the table shows (what a table that
does not page costs).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

QUERY = "bravelune"  # one actor in three in the benchmark's file

# PySide 6.12 drops a reference to None in some calls (appendRow, grab...);
# on Python 3.11 None is not immortal, so long loops top its count up (as the
# tests' conftest does).
_NONE_REFERENCES: list[None] = []


def _keep_none_alive() -> None:
    missing = 1_000_000 - sys.getrefcount(None)
    if missing > 0:
        _NONE_REFERENCES.extend([None] * missing)


def measure(database: Path) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from companion.store import Store
    from companion.ui.directory.page import DirectoryPage

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    _keep_none_alive()
    store = Store.open(database)
    try:
        page = DirectoryPage(store)
        page.resize(1280, 800)
        page.show()
        table = page.table
        table.viewport().grab()
        started = time.perf_counter()
        page.search_box.setText(QUERY)
        page.apply_search()
        table.viewport().grab()
        show_ms = (time.perf_counter() - started) * 1000
        rows = page.model.rowCount()
        scroll_ms, steps = _scroll_through(table)
        fetched = page.model.pages_fetched
        page.close()
        page.deleteLater()

        base_show_ms, base_scroll_ms, base_steps = _baseline(store)
    finally:
        store.close()
    return {
        "bench": "directory_table",
        "query": QUERY,
        "rows": rows,
        "show_ms": round(show_ms, 1),
        "scroll_ms": round(scroll_ms, 1),
        "scroll_steps": len(steps),
        "scroll_step_p50_ms": round(statistics.median(steps), 2),
        "scroll_step_max_ms": round(max(steps), 2),
        "pages_fetched": fetched,
        "baseline_standard_model_show_ms": round(base_show_ms, 1),
        "baseline_scroll_ms": round(base_scroll_ms, 1),
        "baseline_scroll_step_max_ms": round(max(base_steps), 2),
        "show_ratio": round(base_show_ms / show_ms, 1),
    }


def _scroll_through(table) -> tuple[float, list[float]]:
    """Page down to the bottom, painting every screenful; total and per-step times."""
    bar = table.verticalScrollBar()
    steps = []
    started = time.perf_counter()
    value = 0
    while True:
        _keep_none_alive()
        step_started = time.perf_counter()
        bar.setValue(value)
        table.viewport().grab()
        steps.append((time.perf_counter() - step_started) * 1000)
        if value >= bar.maximum():
            break
        value = min(bar.maximum(), value + bar.pageStep())
    return (time.perf_counter() - started) * 1000, steps


def _baseline(store) -> tuple[float, float, list[float]]:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QAbstractItemView, QTableView

    from companion.domain import ACTOR_KINDS, VISIBILITIES, label
    from companion.ui.directory.actor_table_model import column_titles

    view = QTableView()
    view.resize(1280, 800)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.show()
    view.viewport().grab()
    started = time.perf_counter()
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(column_titles())
    total = store.count_actors(QUERY)
    for n, actor in enumerate(store.actors(QUERY, limit=total)):
        if n % 1000 == 0:
            _keep_none_alive()
        model.appendRow(
            [
                QStandardItem(actor.name),
                QStandardItem(label(ACTOR_KINDS, actor.kind)),
                QStandardItem(actor.commune or ""),
                QStandardItem(actor.departement or ""),
                QStandardItem(label(VISIBILITIES, actor.visibility)),
            ]
        )
    view.setModel(model)
    view.viewport().grab()
    show_ms = (time.perf_counter() - started) * 1000
    scroll_ms, steps = _scroll_through(view)
    view.close()
    view.deleteLater()
    return show_ms, scroll_ms, steps
