"""The core is Qt-free: importable and usable without PySide6 loaded."""

import subprocess
import sys


def core_modules() -> list[str]:
    """Every module of the package outside companion.ui (and the __main__ entry point)."""
    import pkgutil

    import companion

    found = ["companion"]
    for module in pkgutil.walk_packages(companion.__path__, "companion."):
        if module.name.startswith("companion.ui") or module.name.endswith("__main__"):
            continue
        found.append(module.name)
    return found


CORE_MODULES = core_modules()


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
