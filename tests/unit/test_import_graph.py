"""scripts/import_graph.py: no import cycle in companion/, function-level imports counted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "import_graph.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


def test_the_project_has_no_import_cycle():
    result = run()
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith("No cycle."), result.stdout[-2000:]
    edges = result.stdout.splitlines()
    assert "  companion.sync -> companion.protocol" in edges
    assert "  companion.hub -> companion.protocol" in edges
    assert "  companion.hub -> companion.sync" not in edges
    assert "  companion.store -> companion.sync" not in edges
    # The UI's features reach the window through ui/common, never the shell.
    assert "  companion.ui.shell -> companion.ui.map" in edges
    into_shell = [
        edge.split(" -> ")[0].strip() for edge in edges if "-> companion.ui.shell" in edge
    ]
    assert into_shell == ["companion.cli"]  # which starts it


def write(root: Path, name: str, text: str = "") -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_cycles_through_function_level_imports_are_found(tmp_path):
    write(tmp_path, "companion/__init__.py")
    write(tmp_path, "companion/store/__init__.py")
    write(tmp_path, "companion/store/a.py", "from companion.store import b\n")
    write(tmp_path, "companion/store/b.py", "def late():\n    from . import a\n")
    write(tmp_path, "companion/sync/__init__.py")
    write(
        tmp_path,
        "companion/sync/c.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import companion.store.a\n",
    )
    write(tmp_path, "companion/store/d.py", "def late():\n    import companion.sync.c\n")
    write(tmp_path, "companion/ui/__init__.py")
    write(tmp_path, "companion/ui/e.py", "def late():\n    from companion.ui import f\n")
    write(tmp_path, "companion/ui/f.py", "from companion.ui import e\n")

    result = run("--root", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "Package cycle: companion.store <-> companion.sync" in lines
    assert "    companion.store -> companion.sync  (companion.store.d -> companion.sync.c)" in lines
    assert "Module cycle: companion.store.a <-> companion.store.b" in lines
    assert "Module cycle: companion.ui.e <-> companion.ui.f" in lines

    collapsed = run("--root", str(tmp_path), "--collapse", "companion.ui")
    assert collapsed.returncode == 1
    assert "Module cycle: companion.ui.e <-> companion.ui.f" not in collapsed.stdout
    assert "Module cycle: companion.store.a <-> companion.store.b" in collapsed.stdout


def test_no_cycle_exits_with_zero(tmp_path):
    write(tmp_path, "companion/__init__.py")
    write(tmp_path, "companion/store/__init__.py", "from companion.store.a import A\n")
    write(tmp_path, "companion/store/a.py", "A = 1\n")
    write(tmp_path, "companion/sync/__init__.py")
    write(tmp_path, "companion/sync/b.py", "def late():\n    from companion.store import A\n")

    result = run("--root", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [
        "Package edges:",
        "  companion.sync -> companion.store",
        "No cycle.",
    ]
