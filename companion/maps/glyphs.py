"""A glyph per kind of actor, from the Font Awesome 5 font that ships in qtawesome's package.

The font and its charmap are read from the installed package (never copied into
the repository) and served to the page by the app's scheme; the page draws each
glyph inside its marker once the font has loaded, and draws plain circles where
it cannot load (the standalone export, which allows no request).
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

FONT_STEM = "fontawesome5-solid-webfont"
KIND_GLYPHS = {
    "catalyseur": "bolt",
    "association": "hands-helping",
    "entreprise": "industry",
    "collectivite": "landmark",
    "fondation": "hand-holding-heart",
    "institution": "university",
    "reseau": "project-diagram",
    "collectif": "users",
    "autre": "circle",
}


@cache
def fonts_folder() -> Path | None:
    """qtawesome's bundled fonts folder, or None if the package is missing."""
    spec = importlib.util.find_spec("qtawesome")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    return folder if folder.is_dir() else None


@cache
def font_file() -> Path | None:
    folder = fonts_folder()
    fonts = sorted(folder.glob(f"{FONT_STEM}-[0-9]*.ttf")) if folder else []
    return fonts[-1] if fonts else None


@cache
def kind_glyphs() -> dict[str, str]:
    """Kind code -> the glyph's character; empty when the font's charmap is not found."""
    folder = fonts_folder()
    charmaps = sorted(folder.glob(f"{FONT_STEM}-charmap-*.json")) if folder else []
    if not charmaps:
        return {}
    charmap = json.loads(charmaps[-1].read_text(encoding="utf-8"))
    return {
        kind: chr(int(charmap[name], 16)) for kind, name in KIND_GLYPHS.items() if name in charmap
    }
