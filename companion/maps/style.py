"""The map's colours: one per kind of actor, one line style per type of relation.

Shared by the page (markers, lines, legend) and the Qt filter panel (swatches).
"""

from __future__ import annotations

from companion import domain

# One colour per kind of actor, one line style per type of relation: they live with the
# vocabulary (``companion.domain``), so that the exports below the map (uMap) use them too.
KIND_COLOURS = domain.KIND_COLOURS
RELATION_STYLES = domain.RELATION_STYLES

# The basemap, in the spirit of a topographic map: sea, land, borders.
BASEMAP = {
    "sea": "#b9d3e4",
    "land": "#f4f1ea",
    "neighbourLand": "#e4e1da",  # other countries: land, but quieter than France
    "neighbourBorder": "#b3adb9",
    "regionBorder": "#8a7f97",
    "departementBorder": "#b9b0c2",
    "label": "#4a4453",
    # At the scale of a commune (from zoom 8-9): quiet lines, the EPCI a little stronger.
    "communeBorder": "#b4b0b8",
    "epciBorder": "#8f8898",
    # A territory highlighted (« Cadrer sur », a catalyst's territory of action).
    "highlight": "#7a4b00",
    "highlightHalo": "#f2b705",
}
