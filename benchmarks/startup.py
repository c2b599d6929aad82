"""Process start to main window shown (offscreen), versus a bare QApplication + QMainWindow.

Both are whole processes started the same way, seven times each, alternating, on
the same machine in the same run; the figure is the median wall-clock time.

``python -m benchmarks startup --executable dist/companion/companion`` times the
PyInstaller bundle instead, against the app started from source, both figures in one
JSON line.

``--cold`` adds cold starts: before each cold run every file of what is started is
dropped from the page cache (``posix_fadvise(POSIX_FADV_DONTNEED)``, no root needed):
the bundle's whole folder; for the app from source and the bare Qt window alike, the
interpreter, the standard library, the venv's site-packages and ``companion/`` (with
its ``resources/``). Each cold run is followed at once by a warm run of the same command,
so both figures come from the same run. The bytes still resident after eviction
(pages mapped by other processes cannot be dropped) are reported, checked with mincore.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import mmap
import os
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from benchmarks.common import demo_folder, emit

RUNS = 7
ROOT = Path(__file__).resolve().parent.parent
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
    parser.add_argument(
        "--cold",
        action="store_true",
        help="also time cold starts, the page cache emptied of the started files before each",
    )
    args = parser.parse_args(argv or [])
    folder = demo_folder(350, None)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPANION_EXIT_WHEN_SHOWN": "1"}
    # An installed app starts from compiled bytecode (pip and the bundle write it):
    # let the warm-up run write ours even where the shell forbids it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app_command = [sys.executable, "-m", "companion", "--data", str(folder)]
    if args.cold:
        _cold(args.executable, app_command, env)
        return
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


def _cold(executable: str | None, app_command: list[str], env: dict[str, str]) -> None:
    source_files = _files(_source_roots())
    if executable:
        bundle = Path(executable).resolve()
        bundle_command = [str(bundle), *app_command[3:]]
        sides = {
            "bundle": (bundle_command, _files([bundle.parent])),
            "source": (app_command, source_files),
        }
    else:
        sides = {
            "source": (app_command, source_files),
            "baseline_bare_qt": ([sys.executable, "-c", BARE], source_files),
        }
    for command, _ in sides.values():
        _run(command, env)  # writes bytecode, as an installed app would have it
    cold: dict[str, list[float]] = {name: [] for name in sides}
    warm: dict[str, list[float]] = {name: [] for name in sides}
    resident: dict[str, list[int]] = {name: [] for name in sides}
    for _ in range(RUNS):
        for name, (command, files) in sides.items():
            resident[name].append(_evict(files))
            cold[name].append(_run(command, env))
            warm[name].append(_run(command, env))
    record: dict[str, object] = {
        "bench": "startup-cold-bundle" if executable else "startup-cold",
        "runs": RUNS,
    }
    for name in sides:
        record[f"{name}_cold_start_ms_median"] = round(statistics.median(cold[name]) * 1000, 1)
        record[f"{name}_warm_start_ms_median"] = round(statistics.median(warm[name]) * 1000, 1)
    first, second = sides
    for kind, samples in (("cold", cold), ("warm", warm)):
        ratio = statistics.median(samples[first]) / statistics.median(samples[second])
        record[f"{kind}_ratio_{first}_to_{second}"] = round(ratio, 2)
    for name, (_, files) in sides.items():
        record[f"{name}_evicted_files"] = len(files)
        record[f"{name}_evicted_mb"] = round(sum(size for _, size in files) / 2**20, 1)
        record[f"{name}_resident_after_evict_mb_max"] = round(max(resident[name]) / 2**20, 1)
    if executable:
        record["executable"] = executable
    emit(record)


def _source_roots() -> list[Path]:
    """What the app from source (and the bare Qt window) reads: interpreter to resources."""
    interpreter = Path(sys.executable).resolve()
    roots = [interpreter, Path(sysconfig.get_paths()["stdlib"]), ROOT / "companion"]
    roots += [Path(sys.prefix) / "pyvenv.cfg"]
    roots += [Path(path) for path in sysconfig.get_paths().values() if "site-packages" in path]
    library = sysconfig.get_config_var("LDLIBRARY")
    if library and sysconfig.get_config_var("Py_ENABLE_SHARED"):
        roots.append(Path(sysconfig.get_config_var("LIBDIR")) / library)
    return roots


def _files(roots: list[Path]) -> list[tuple[str, int]]:
    """Every regular file under the roots (symlinks not followed), with its size."""
    found: dict[str, int] = {}
    for root in roots:
        if root.is_file():
            found[str(root.resolve())] = root.stat().st_size
            continue
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    found[path] = os.path.getsize(path)
    return sorted(found.items())


def _evict(files: list[tuple[str, int]]) -> int:
    """Drops the files from the page cache; returns the bytes still resident after."""
    os.sync()  # dirty pages (freshly written bytecode) cannot be dropped
    for path, _ in files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return sum(_resident(path, size) for path, size in files)


_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [
    ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long
]  # fmt: skip
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def _resident(path: str, size: int) -> int:
    """Bytes of the file in the page cache, from mincore (mapping does not read it)."""
    if size == 0:
        return 0
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        address = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if address in (None, ctypes.c_void_p(-1).value):
            return 0
        try:
            pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
            vector = ctypes.create_string_buffer(pages)
            if _libc.mincore(address, size, vector) != 0:
                return 0
            return sum(byte & 1 for byte in vector.raw) * mmap.PAGESIZE
        finally:
            _libc.munmap(address, size)
    finally:
        os.close(fd)
