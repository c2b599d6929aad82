"""Companion: the offline-first desktop app of France's territorial catalysts."""

__version__ = "0.1.0"
