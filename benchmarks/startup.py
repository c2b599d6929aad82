"""Process start to main window shown (offscreen), versus a bare QApplication + QMainWindow.

Both are whole processes started the same way, seven times each, alternating, on
the same machine in the same run; the figure is the median wall-clock time.

``python -m benchmarks startup --executable dist/companion/companion`` times the
PyInstaller bundle instead, against the app started from source, both figures in one
JSON line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import demo_folder, emit

RUNS = 7
BARE = (
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "window = QMainWindow()\n"
    "window.show()\n"
    "QTimer.singleShot(0, app.quit)\n"
    "app.exec()\n"
)


def _run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks startup")
    parser.add_argument(
        "--executable", help="a bundle's executable, timed against the app from source"
    )
    args = parser.parse_args(argv or [])
    folder = demo_folder(350, None)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPANION_EXIT_WHEN_SHOWN": "1"}
    # An installed app starts from compiled bytecode (pip and the bundle write it):
    # let the warm-up run write ours even where the shell forbids it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_command = [sys.executable, "-m", "companion", "--data", str(folder)]
    if args.executable:
        bundle_command = [str(Path(args.executable).resolve()), "--data", str(folder)]
        bundle_ms, source_ms = _medians(bundle_command, app_command, env)
        emit(
            {
                "bench": "startup-bundle",
                "runs": RUNS,
                "bundle_median_ms": round(bundle_ms, 1),
                "source_median_ms": round(source_ms, 1),
                "ratio": round(bundle_ms / source_ms, 2),
                "executable": args.executable,
            }
        )
        return
    bare_command = [sys.executable, "-c", BARE]
    app_ms, bare_ms = _medians(app_command, bare_command, env)
    emit(
        {
            "bench": "startup",
            "runs": RUNS,
            "median_ms": round(app_ms, 1),
            "baseline_bare_qt_median_ms": round(bare_ms, 1),
            "ratio": round(app_ms / bare_ms, 2),
            "target_ratio": 2.0,
        }
    )


def _medians(first: list[str], second: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Median milliseconds of each command, run alternately after one warm-up each."""
    _run(first, env)  # warm the file cache for both
    _run(second, env)
    first_times, second_times = [], []
    for _ in range(RUNS):
        first_times.append(_run(first, env))
        second_times.append(_run(second, env))
    return statistics.median(first_times) * 1000, statistics.median(second_times) * 1000
