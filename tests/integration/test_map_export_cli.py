"""``companion map export``: HTML without Qt, PNG/PDF in a process of their own, French errors."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from companion.cli import main
from companion.maps.filters import MapFilter
from companion.maps.views import save_view
from companion.store import Store
from tests.french import fr


@pytest.fixture
def folder(tmp_path) -> Path:
    """A data folder with a small located network."""
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(data / "companion.db")
    try:
        ecole = store.add_actor(
            "École des Jardins",
            "association",
            latitude=45.764,
            longitude=4.836,
            departement="69",
            email="contact@ecole.example",
        )
        pole = store.add_actor("Pôle de catalyse", "catalyseur", latitude=48.39, longitude=-4.486)
        store.add_relation(pole.id, ecole.id, "financement")
    finally:
        store.close()
    return data


def export(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["map", "export", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def data_blocks(page: str) -> dict:
    found = re.findall(
        r'<script type="application/json" id="companion-([a-z-]+)">(.*?)</script>', page, re.S
    )
    return {name: json.loads(text) for name, text in found}


def test_html_export(capsys, folder, tmp_path) -> None:
    out = tmp_path / "carte.html"
    code, stdout, _err = export(
        capsys, "--out", str(out), "--data", str(folder), "--title", "Ma carte"
    )
    assert code == 0
    assert json.loads(stdout) == {"format": "html", "file": str(out)}
    page = out.read_text(encoding="utf-8")
    blocks = data_blocks(page)
    assert blocks["export-settings"]["title"] == "Ma carte"
    assert len(blocks["data-actors"]["features"]) == 2
    assert "contact@ecole.example" not in page
    assert "http://" not in page and "https://" not in page and "companion://" not in page
    # --include-contacts puts them in (and --data may come first).
    assert (
        main(["--data", str(folder), "map", "export", "--out", str(out), "--include-contacts"]) == 0
    )
    assert "contact@ecole.example" in out.read_text(encoding="utf-8")


def test_html_export_needs_no_qt(folder, tmp_path) -> None:
    out = tmp_path / "carte.html"
    code = (
        "import sys\n"
        "from companion.cli import main\n"
        f"assert main(['map', 'export', '--out', {str(out)!r}, '--data', {str(folder)!r}]) == 0\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print('Qt:' + ','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "Qt:"
    assert out.is_file()


def test_the_format_follows_the_extension(capsys, folder, tmp_path) -> None:
    out = tmp_path / "carte.htm"
    code, stdout, _err = export(capsys, "--out", str(out), "--data", str(folder))
    assert code == 0 and json.loads(stdout)["format"] == "html"


def test_unwritable_output_is_a_french_error_naming_the_file(capsys, folder, tmp_path) -> None:
    missing = tmp_path / "absent" / "carte.html"
    code, stdout, err = export(capsys, "--out", str(missing), "--data", str(folder))
    assert code == 2 and stdout == ""
    assert fr("Erreur : Impossible d'écrire") in err and str(missing) in err
    code, _out, err = export(capsys, "--out", str(tmp_path), "--data", str(folder))
    assert code == 2 and "c'est un dossier" in err and str(tmp_path) in err
    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    code, _out, err = export(capsys, "--out", str(blocker / "carte.html"), "--data", str(folder))
    assert code == 2 and str(blocker / "carte.html") in err


def test_unknown_view_and_missing_database(capsys, folder, tmp_path) -> None:
    out = tmp_path / "carte.html"
    code, _out, err = export(
        capsys, "--out", str(out), "--view", "Nulle part", "--data", str(folder)
    )
    assert code == 2 and fr("Vue inconnue : « Nulle part »") in err
    assert not out.exists()
    code, _out, err = export(capsys, "--out", str(out), "--data", str(tmp_path / "vide"))
    assert code == 2 and "companion demo" in err


def test_a_saved_view_gives_filter_extent_and_title(capsys, folder, tmp_path) -> None:
    store = Store.open(folder / "companion.db")
    try:
        save_view(
            store,
            "Lyon",
            "Réseau lyonnais",
            MapFilter(kinds=frozenset({"association"})),
            (45.5, 4.6, 46.0, 5.1),
        )
    finally:
        store.close()
    out = tmp_path / "lyon.html"
    code, _stdout, err = export(capsys, "--out", str(out), "--view", "lyon", "--data", str(folder))
    assert code == 0, err
    blocks = data_blocks(out.read_text(encoding="utf-8"))
    assert blocks["export-settings"]["title"] == "Réseau lyonnais"
    assert blocks["export-settings"]["view"]["bounds"] == [[45.5, 4.6], [46.0, 5.1]]
    names = [f["properties"]["name"] for f in blocks["data-actors"]["features"]]
    assert names == ["École des Jardins"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a process of its own, as from a terminal without a display."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "QTWEBENGINE_DISABLE_SANDBOX")
    }
    return subprocess.run(
        [sys.executable, "-m", "companion", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_png_and_pdf_from_the_command_line(folder, tmp_path) -> None:
    png = tmp_path / "carte.png"
    result = run_cli(
        "map",
        "export",
        "--format",
        "png",
        "--out",
        str(png),
        "--width",
        "640",
        "--height",
        "400",
        "--data",
        str(folder),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"format": "png", "file": str(png)}
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (640, 400)

    pdf = tmp_path / "carte.pdf"
    result = run_cli(
        "map",
        "export",
        "--out",
        str(pdf),
        "--paper",
        "a3",
        "--title",
        "Carte A3",
        "--data",
        str(folder),
    )
    assert result.returncode == 0, result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box is not None
    assert abs(float(box.group(1)) - 1190.55) < 2 and abs(float(box.group(2)) - 841.89) < 2


def test_an_a0_portrait_poster_of_one_departement(folder, tmp_path) -> None:
    pdf = tmp_path / "affiche.pdf"
    result = run_cli(
        "map",
        "export",
        "--out",
        str(pdf),
        "--paper",
        "a0",
        "--orientation",
        "portrait",
        "--departement",
        "69",
        "--kind",
        "association",
        "--data",
        str(folder),
    )
    assert result.returncode == 0, result.stderr
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) == 1  # one actor: the poster holds its index
    width, height = (float(value) for value in boxes[0])
    assert abs(width - 2383.94) < 3 and abs(height - 3370.39) < 3
    # The filter reaches the page: the HTML of the same options holds that actor only.
    page = tmp_path / "affiche.html"
    assert (
        main(["map", "export", "--out", str(page), "--departement", "69", "--data", str(folder)])
        == 0
    )
    names = [
        f["properties"]["name"] for f in data_blocks(page.read_text())["data-actors"]["features"]
    ]
    assert names == ["École des Jardins"]
    result = run_cli("map", "export", "--out", str(pdf), "--orientation", "diagonale")
    assert result.returncode == 2 and "diagonale" in result.stderr


def test_bad_sizes_fail_before_starting_qt(folder, tmp_path) -> None:
    result = run_cli(
        "map",
        "export",
        "--out",
        str(tmp_path / "x.png"),
        "--width",
        "9000",
        "--data",
        str(folder),
    )
    assert result.returncode == 2
    assert "entre 200 et 4000" in result.stderr
    result = run_cli("map", "export", "--out", str(tmp_path / "absent" / "x.pdf"))
    assert result.returncode == 2 and "n'existe pas" in result.stderr
