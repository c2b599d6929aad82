"""Sheets of paper for the map's printed exports: sizes, orientation, and how big things are.

A ``Sheet`` is one page of paper (the PDF) or one picture (the PNG), in CSS
pixels (96 an inch, what the web engine lays out and prints at), with its
margin and its *type scale*: how much larger than on an A4 sheet read at arm's
length text and symbols must be. An A0 poster is read from one or two metres,
so everything on it is three times the A4 size, not four (it also holds more).

Where things go on a sheet (title band, map box, legends and the numbered index
beside or below the map, the index continued on further pages) is decided in
the page by ``companion/resources/map/sheet.js`` from this sheet, because only the
page can measure text; the numbered markers and the index are
``companion/resources/map/paper.js``.
Both read nothing but the sheet and the page's own data, so another printed
document (a story's handout) can use the same layout.

Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from companion.errors import CompanionError
from companion.i18n import _

# Paper sizes in millimetres, portrait (ISO 216).
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "a3": (297.0, 420.0),
    "a0": (841.0, 1189.0),
}
ORIENTATIONS = ("landscape", "portrait")
# Text and symbols against A4: A3 is read a little farther (on a wall), A0 from 1-2 m.
TYPE_SCALES = {"a4": 1.0, "a3": 1.25, "a0": 3.0}
MARGINS_MM = {"a4": 10.0, "a3": 12.0, "a0": 25.0}
CSS_PX_PER_MM = 96 / 25.4
# A picture (PNG) is scaled against an A4 landscape page on screen: 1123 x 794 CSS px.
A4_LANDSCAPE_PX = (297 * CSS_PX_PER_MM, 210 * CSS_PX_PER_MM)
PICTURE_SCALE_RANGE = (0.7, 3.0)


class PaperError(CompanionError):
    """An unknown paper or orientation (French message)."""


@dataclass(frozen=True)
class Sheet:
    """One sheet to lay a map out on: a page of paper, or a picture.

    ``width``/``height``/``margin`` are CSS pixels; ``scale`` multiplies every
    text and symbol size; ``paper`` is "" for a picture, whose sheet is its size
    and must hold everything (no second page).
    """

    width: float
    height: float
    margin: float
    scale: float
    paper: str = ""
    orientation: str = "landscape"

    @property
    def picture(self) -> bool:
        return not self.paper

    @property
    def size_mm(self) -> tuple[float, float]:
        return (self.width / CSS_PX_PER_MM, self.height / CSS_PX_PER_MM)

    def to_json(self) -> dict[str, Any]:
        """What the page reads (``settings.sheet``)."""
        width_mm, height_mm = self.size_mm
        return {
            "width": round(self.width, 3),
            "height": round(self.height, 3),
            "widthMm": round(width_mm, 3),
            "heightMm": round(height_mm, 3),
            "margin": round(self.margin, 3),
            "scale": self.scale,
            "paper": self.paper,
            "orientation": self.orientation,
            "picture": self.picture,
        }


def check_paper(paper: str, orientation: str = "landscape") -> None:
    """PaperError (French) for a paper or an orientation this module does not know."""
    if paper not in PAPER_SIZES_MM:
        raise PaperError(_("Format de papier inconnu : « {value} »").format(value=paper))
    if orientation not in ORIENTATIONS:
        raise PaperError(_("Orientation inconnue : « {value} »").format(value=orientation))


def paper_sheet(paper: str = "a4", orientation: str = "landscape") -> Sheet:
    """A page of ``paper`` ("a4", "a3", "a0") in ``orientation`` ("landscape", "portrait")."""
    check_paper(paper, orientation)
    short, long = PAPER_SIZES_MM[paper]
    width, height = (long, short) if orientation == "landscape" else (short, long)
    return Sheet(
        width=width * CSS_PX_PER_MM,
        height=height * CSS_PX_PER_MM,
        margin=MARGINS_MM[paper] * CSS_PX_PER_MM,
        scale=TYPE_SCALES[paper],
        paper=paper,
        orientation=orientation,
    )


def picture_sheet(width: int, height: int) -> Sheet:
    """A picture of ``width`` x ``height`` pixels: its type scale follows its size."""
    base_width, base_height = A4_LANDSCAPE_PX
    if width < height:
        base_width, base_height = base_height, base_width
    low, high = PICTURE_SCALE_RANGE
    scale = round(min(max(min(width / base_width, height / base_height), low), high), 3)
    return Sheet(
        width=float(width),
        height=float(height),
        margin=round(MARGINS_MM["a4"] * CSS_PX_PER_MM * scale, 3),
        scale=scale,
        paper="",
        orientation="landscape" if width >= height else "portrait",
    )


def paper_names() -> dict[str, str]:
    """The papers as the dialog names them."""
    return {"a4": _("A4"), "a3": _("A3"), "a0": _("A0 (affiche)")}


def orientation_names() -> dict[str, str]:
    return {"landscape": _("Paysage"), "portrait": _("Portrait")}
