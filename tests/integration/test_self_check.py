"""``companion --self-check``: passes from source, names the step that fails, exits non-zero."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from companion.app.self_check import Check, Context, run_checks
from tests.french import fr

STEPS = [
    "Base de données temporaire",
    "Recherche dans l'annuaire",
    "Géocodage hors ligne",
    "Boîte à outils",
    "Analyse de l'écosystème",
    "Page de la carte",
    "Synchronisation",
    "Chiffrement",
    "Traductions",
    "Interface Qt",
    "Tri alphabétique",
    "Carte (rendu hors écran)",
]
TIMEOUT_S = 300

# The gazetteer pointed at a folder that does not exist, then the real command line.
WITHOUT_GAZETTEER = """
import sys
from pathlib import Path

import companion.geo.gazetteer as gazetteer

gazetteer.built_data_path = lambda *parts: Path(sys.argv[1]).joinpath(*parts)
from companion.cli import main

sys.exit(main(["--self-check"]))
"""

# What ICU data without French gives: Qt sorts by code point, the page writes 1,234.5.
WITHOUT_FRENCH = """
import sys

import companion.ui.shell.self_check as qt_self_check

qt_self_check.SORT_LOCALE = "C"
qt_self_check.INTL_LOCALE = "en-US"
from companion.cli import main

sys.exit(main(["--self-check"]))
"""


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "COMPANION_LANG": "fr",
        "COMPANION_DATA": str(tmp_path / "user-data"),  # must stay untouched
    }


def run(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_S,
    )


def test_the_self_check_passes_from_source(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "companion", "--self-check"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Vérification de Companion 0.1.0 (depuis les sources)"
    for step in STEPS:
        assert any(line.startswith(f"✓ {step} (") for line in lines), (step, result.stdout)
    assert "✗" not in result.stdout
    assert lines[-1].startswith(fr(f"Tout fonctionne : {len(STEPS)} vérifications en "))
    assert "4 marqueurs" in result.stdout
    assert "✓ Tri alphabétique (" in result.stdout and "adèle, Élise, Émile" in result.stdout
    assert "nombres en français (1" in result.stdout and "234,5)" in result.stdout
    assert not (tmp_path / "user-data").exists()


def test_a_failing_step_is_named_and_the_exit_code_is_not_zero(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    result = run([sys.executable, "-c", WITHOUT_GAZETTEER, str(missing)], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(failed) == 1, result.stdout
    assert failed[0].startswith("✗ Géocodage hors ligne (")
    assert (
        f"Les données des communes ({missing / 'gazetteer.sqlite'}) sont introuvables"
        in (failed[0])
    )
    assert "✓ Carte (rendu hors écran)" in result.stdout  # the other steps still ran
    assert result.stdout.splitlines()[-1].startswith(fr("Échec : Géocodage hors ligne (en "))


def test_sorting_and_numbers_without_french_fail_and_are_named(tmp_path: Path) -> None:
    result = run([sys.executable, "-c", WITHOUT_FRENCH], tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(failed) == 2, result.stdout
    assert failed[0].startswith("✗ Tri alphabétique (")
    assert fr("les noms se trient dans le mauvais ordre : Zoé, adèle") in failed[0]
    assert "(données ICU de Qt incomplètes)" in failed[0]
    assert failed[1].startswith("✗ Carte (rendu hors écran) (")
    assert fr("« 1,234.5 », sans la virgule décimale française") in failed[1]
    last = result.stdout.splitlines()[-1]
    assert last.startswith(fr("Échec : Tri alphabétique, Carte (rendu hors écran) (en "))


def test_every_check_runs_and_every_failure_is_reported(tmp_path: Path) -> None:
    def unexpected(context: Context) -> str:
        raise KeyError("boom")

    def needs_the_store(context: Context) -> str:
        context.require_store()
        return "jamais"

    out = io.StringIO()
    outcomes = run_checks(
        [
            Check("Inattendue", unexpected),
            Check("Sans base", needs_the_store),
            Check("Bonne", lambda context: "ok"),
        ],
        out,
    )
    assert [outcome.ok for outcome in outcomes] == [False, False, True]
    text = out.getvalue()
    assert "✗ Inattendue (" in text and "KeyError: 'boom'" in text
    assert "✗ Sans base (" in text and "la base temporaire n'a pas pu être ouverte" in text
    assert "✓ Bonne (" in text and fr(") : ok") in text
    assert text.splitlines()[-1].startswith(fr("Échec : Inattendue, Sans base (en "))


def test_a_console_without_check_marks_gets_plain_letters() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="cp1252")  # a Windows console's code page
    outcomes = run_checks([Check("Réussie", lambda context: "é")], out)
    out.flush()
    text = raw.getvalue().decode("cp1252")
    assert outcomes[0].ok
    assert "OK Réussie (" in text and "✓" not in text


def test_the_self_check_names_how_companion_runs(monkeypatch) -> None:
    """From the tree (the suite's case), from a wheel installed in site-packages
    (scripts/wheel-self-check.sh runs that one for real), from the bundle."""
    import companion.app.self_check as self_check

    assert self_check.installation() == "depuis les sources"
    site_packages = str(Path(self_check.__file__).resolve().parents[2])  # holds companion/
    monkeypatch.setattr(self_check.sysconfig, "get_paths", lambda: {"purelib": site_packages})
    assert self_check.installation() == "paquet Python installé"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert self_check.installation() == "paquet autonome"
