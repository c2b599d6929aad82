"""Process start to main window shown (offscreen), versus a bare QApplication + QMainWindow.

Both are whole processes started the same way, five times each, alternating, on
the same machine in the same run; the figure is the median wall-clock time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

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


def main() -> None:
    folder = demo_folder(350, None)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPANION_EXIT_WHEN_SHOWN": "1"}
    # An installed app starts from compiled bytecode (pip and the bundle write it):
    # let the warm-up run write ours even where the shell forbids it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_command = [sys.executable, "-m", "companion", "--data", str(folder)]
    bare_command = [sys.executable, "-c", BARE]
    _run(app_command, env)  # warm the file cache for both
    _run(bare_command, env)
    app_times, bare_times = [], []
    for _ in range(RUNS):
        app_times.append(_run(app_command, env))
        bare_times.append(_run(bare_command, env))
    app_ms = statistics.median(app_times) * 1000
    bare_ms = statistics.median(bare_times) * 1000
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
