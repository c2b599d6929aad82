"""The one error type of the tile layer: its message is French and names what to fix."""

from __future__ import annotations

from companion.errors import CompanionError


class TileError(CompanionError):
    """A tile source, basemap file or area download the user must correct or choose otherwise."""
