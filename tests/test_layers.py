"""The core is Qt-free: importable and usable without PySide6 loaded."""

import subprocess
import sys

CORE_MODULES = [
    "companion.store",
    "companion.geo",
    "companion.maps",
    "companion.maps.page",
    "companion.maps.server",
    "companion.maps.filters",
    "companion.maps.export_html",
    "companion.maps.views",
    "companion.maps.tiles",
    "companion.io.actor_import",
    "companion.io.people_import",
    "companion.io.people_export",
    "companion.io.xlsx",
    "companion.io.geojson_io",
    "companion.demo",
    "companion.app.datafolder",
    "companion.cli",
    "companion.i18n",
]


def test_core_never_imports_qt():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in CORE_MODULES)
        + "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        + "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
