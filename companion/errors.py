"""Errors a person can act on: every message is French (translated), never a traceback."""

from __future__ import annotations


class CompanionError(Exception):
    """Base class of errors shown to the user; ``str(error)`` is the readable message."""
