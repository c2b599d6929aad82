"""Qt's own dialogs (file chooser, print, page setup, preview) speak French all the way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

from companion.i18n import current_language, set_language
from companion.ui.shell import app as app_module

HERE = Path(__file__).parent


def test_the_catalogues_answer_in_french(qapp) -> None:
    """The app's compiled supplement is installed with qtbase_fr, and each answers its part."""
    before = current_language()
    set_language("fr")
    app_module._install_qt_translations(qapp)
    installed = [
        qapp.findChild(QTranslator, name)
        for name in ("companion-qt-translations", "companion-qt-supplement")
    ]
    try:
        assert all(installed)
        translate = QCoreApplication.translate
        assert translate("QFileDialog", "&Look in:") == "&Regarder dans\u00a0:"  # ours
        assert translate("QFileDialog", "File &name:") == "&Nom de fichier\u00a0:"  # qtbase's
        assert translate("QPageSetupWidget", "Pages &per sheet:") == "Pages &par feuille\u00a0:"
        assert translate("Nulle part", "Not a word of Qt") == "Not a word of Qt"
    finally:
        for translator in installed:
            if translator is not None:
                qapp.removeTranslator(translator)
        set_language(before)


def test_qts_dialogs_have_no_english_left(tmp_path) -> None:
    """Every word Qt's dialogs ask for has its French (MIME types' names aside: Qt's
    database names them in each language, « document CSV »)."""
    (tmp_path / "dossier").mkdir()
    (tmp_path / "acteurs.csv").write_text("Nom\n", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPANION_LANG": "fr"}
    run = subprocess.run(
        [sys.executable, str(HERE / "qt_words.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=120, env=env, check=True,
    )  # fmt: skip
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["complete"]
    assert [pair for pair in seen["untranslated"] if pair[0] != "QMimeType"] == []
    assert "&Regarder dans\u00a0:" in seen["labels"]
    assert "Fichiers de &type\u00a0:" in seen["labels"]
    assert seen["kinds"] == ["Dossier", "document CSV"]
