"""Every icon of the app comes from Font Awesome 5 Solid or Regular, the fonts the bundle keeps.

build.spec ships only those of qtawesome's fonts: an icon named in
another of qtawesome's fonts would go through qtawesome's slow path and find no font
there. The code is scanned for icon names; a name qtawesome cannot draw gives an empty
icon and a warning, never an error.
"""

from __future__ import annotations

import ast
import logging
import re
import sys
import types
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QPalette

from companion.maps.glyphs import KIND_GLYPHS
from companion.ui.common import icons
from companion.ui.common.icons import icon

PACKAGE = Path(__file__).resolve().parents[2] / "companion"
# qtawesome's prefixes (its bundled fonts): a string "<prefix>.<name>" is an icon name.
QTAWESOME_PREFIXES = (
    "fa", "fa5", "fa5s", "fa5b", "fa6", "fa6s", "fa6b", "ei", "mdi", "mdi6", "ph", "ri", "msc"
)  # fmt: skip
ICON_NAME = re.compile(rf"^(?P<prefix>{'|'.join(QTAWESOME_PREFIXES)})\.(?P<name>[a-z0-9-]+)$")
ICON_START = re.compile(rf"^(?:{'|'.join(QTAWESOME_PREFIXES)})\.")


def icon_names_in_code() -> tuple[dict[str, list[str]], list[str]]:
    """(icon name -> where it is written, names built at run time) in companion/**.py."""
    found: dict[str, list[str]] = {}
    built: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = str(path.relative_to(PACKAGE.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if ICON_NAME.match(node.value):
                    found.setdefault(node.value, []).append(f"{where}:{node.lineno}")
            elif isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and ICON_START.match(str(first.value)):
                    built.append(f"{where}:{node.lineno}")
    return found, built


BUNDLED_PREFIXES = ("fa5s", "fa5")  # Font Awesome 5 Solid and Regular


def test_every_icon_of_the_code_is_in_a_bundled_font(qapp) -> None:
    found, built = icon_names_in_code()
    assert "fa5s.address-book" in found and len(found) > 20  # the scan finds the sidebar's
    assert built == [], "icon names built at run time cannot be checked"
    prefixes = {name: name.partition(".")[0] for name in found}
    other_fonts = {
        name: found[name] for name, prefix in prefixes.items() if prefix not in BUNDLED_PREFIXES
    }
    assert other_fonts == {}, "the bundle ships Font Awesome 5 Solid and Regular only (build.spec)"
    charmaps = {prefix: icons._font(prefix) for prefix in BUNDLED_PREFIXES}  # the fast path's
    assert all(charmaps.values())
    unknown = {
        name: found[name]
        for name, prefix in prefixes.items()
        if name.partition(".")[2] not in charmaps[prefix][1]
    }
    assert unknown == {}, "not in its font"


def test_map_marker_glyphs_are_in_font_awesome_5_solid(qapp) -> None:
    font = icons._font("fa5s")
    assert font is not None
    assert sorted(set(KIND_GLYPHS.values()) - set(font[1])) == []


def test_the_fast_path_draws_in_the_text_colour(qapp) -> None:
    palette = QGuiApplication.palette()
    normal = palette.color(QPalette.ColorRole.WindowText)

    def ink(image) -> set[int]:
        return {
            image.pixelColor(x, y).rgb()
            for y in range(image.height())
            for x in range(image.width())
            if image.pixelColor(x, y).alpha() == 255
        }

    for name in ("fa5s.star", "fa5.star"):
        assert ink(icon(name).pixmap(32, 32).toImage()) == {normal.rgb()}


def without_font(prefix: str) -> None:
    """The fast path's font lookup in the bundle, for any font but those it keeps."""
    return None


def test_an_icon_qtawesome_cannot_load_is_empty_and_logged(qapp, monkeypatch, caplog) -> None:
    monkeypatch.setattr(icons, "_font", without_font)
    monkeypatch.setitem(sys.modules, "qtawesome", None)  # ``import qtawesome`` fails
    with caplog.at_level(logging.WARNING, logger=icons.__name__):
        missing = icon("mdi.star")
    assert missing.isNull()
    assert "mdi.star" in caplog.text and "qtawesome" in caplog.text


def test_qtawesome_without_its_fonts_gives_an_empty_icon(qapp, monkeypatch, caplog) -> None:
    def without_fonts(*names: str, **options: object) -> None:
        raise FileNotFoundError("fontawesome5-regular-webfont-5.15.4.ttf")  # as in the bundle

    monkeypatch.setattr(icons, "_font", without_font)
    monkeypatch.setitem(sys.modules, "qtawesome", types.SimpleNamespace(icon=without_fonts))
    with caplog.at_level(logging.WARNING, logger=icons.__name__):
        missing = icon("fa6.star")
    assert missing.isNull()
    assert "fa6.star" in caplog.text and "fontawesome5-regular-webfont" in caplog.text
