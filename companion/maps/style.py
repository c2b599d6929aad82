"""The map's colours: one per kind of actor, one line style per type of relation.

Shared by the page (markers, lines, legend) and the Qt filter panel (swatches).
"""

from __future__ import annotations

KIND_COLOURS: dict[str, str] = {
    "catalyseur": "#c0392b",
    "association": "#2e86c1",
    "entreprise": "#e67e22",
    "collectivite": "#27ae60",
    "fondation": "#8e44ad",
    "institution": "#6d4c41",
    "reseau": "#d81b60",
    "collectif": "#00a5a8",
    "autre": "#7f8c8d",
}

# colour, dash pattern ("" for a solid line)
RELATION_STYLES: dict[str, tuple[str, str]] = {
    "partenariat": ("#2e86c1", ""),
    "financement": ("#27ae60", ""),
    "adhesion": ("#8e44ad", "4 4"),
    "co-construction": ("#e67e22", ""),
    "prestation": ("#6d4c41", "2 5"),
    "accompagnement": ("#00a5a8", "7 4"),
    "autre": ("#7f8c8d", "1 4"),
}

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
