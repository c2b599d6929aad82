"""Render companion/resources/icons/companion.svg to PNGs: python scripts/render-icons.py OUT_DIR.

Writes OUT_DIR/hicolor/<n>x<n>/apps/companion.png (the freedesktop icon theme layout,
copied next to the bundle's .desktop file) and OUT_DIR/companion-<n>.png (the 256 px
one becomes the Windows/macOS icon in build.spec). Drawn with QtSvg, so no PNG is
committed and no other tool is needed.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "companion" / "resources" / "icons" / "companion.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main(out: Path) -> int:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QPainter wants one
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE}", file=sys.stderr)
        return 1
    for size in SIZES:
        image = render(renderer, size)
        themed = out / "hicolor" / f"{size}x{size}" / "apps" / "companion.png"
        themed.parent.mkdir(parents=True, exist_ok=True)
        for path in (themed, out / f"companion-{size}.png"):
            if not image.save(str(path), "PNG"):
                print(f"cannot write {path}", file=sys.stderr)
                return 1
    scalable = out / "hicolor" / "scalable" / "apps" / "companion.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(SOURCE.read_bytes())
    print(f"icons: {len(SIZES)} sizes in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "build/icons")))
