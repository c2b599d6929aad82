"""A guard against a PySide 6.12 bug on Python 3.11: None's references drained away.

There (None is immortal from Python 3.12) each void Qt call made from Python, and
each call from Qt into a Python override, drops a reference to None it never took.
A long session (painting, scrolling, zooming) would free None, and the interpreter
would crash. The count is raised in place, once at start far beyond what a session
can drain, rather than with a list of references: a list would give them back when
freed at exit, and the interpreter would crash there instead.
"""

from __future__ import annotations

import ctypes
import sys

SESSION_FLOOR = 1 << 40  # a trillion: a session drains a few million at most


def keep_none_alive(floor: int = SESSION_FLOOR) -> None:
    """Raise None's reference count to at least ``floor`` (nothing to do from 3.12)."""
    if sys.version_info >= (3, 12):
        return
    missing = floor - sys.getrefcount(None)
    if missing > 0:
        ctypes.c_ssize_t.from_address(id(None)).value += missing
