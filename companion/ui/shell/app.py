"""Starting the desktop app: Qt application, language, data folder, main window."""

from __future__ import annotations

import logging
import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, Qt, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from companion.i18n import current_language, set_language, system_language
from companion.paths import APP_NAME, DATA_DIR_ENV, default_data_dir, resource_path
from companion.ui.shell.startup import FIRST_RUN_SETTING, open_data_folder

if TYPE_CHECKING:
    from companion.ui.shell.main_window import MainWindow

ORGANIZATION_NAME = "Companion"
EXIT_WHEN_SHOWN_ENV = "COMPANION_EXIT_WHEN_SHOWN"
GUARD_DELAY_MS = 1_000
APP_ICON = ("icons", "companion.svg")


def run_gui(data_dir: Path | None = None, argv: list[str] | None = None) -> int:
    """Run the desktop app on ``data_dir`` (the user's data folder by default); the exit code."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium (QtWebEngine, used by the map) refuses to start as root without this.
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    if QApplication.instance() is None:
        # The map's web view (created later, when the Carte section is shown) shares
        # OpenGL contexts with the widgets: Qt needs this before the application exists.
        QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    # The bundle's companion.desktop: Wayland docks match the window to it by this name.
    app.setDesktopFileName("companion")
    app.setWindowIcon(QIcon(str(resource_path(*APP_ICON))))
    from companion.ui.common.style import install_style

    install_style(app)
    from companion.ui.shell.preferences import preferred_language

    set_language(preferred_language() or system_language())
    _install_qt_translations(app)

    store = open_data_folder(data_dir if data_dir is not None else _data_folder())
    if store is None:
        return 2
    from companion.logs import setup_logging
    from companion.ui.shell.error_reporter import ErrorReporter

    log_file = setup_logging(Path(store.path).parent)
    reporter = ErrorReporter(app, log_file).install()
    _log_start()

    from companion.ui.shell.main_window import MainWindow  # after the folder: nothing heavy before

    window = MainWindow(store)
    window.show()
    _after_first_start(window)
    QTimer.singleShot(GUARD_DELAY_MS, _guard_none)
    if os.environ.get(EXIT_WHEN_SHOWN_ENV) == "1":
        _quit_once_painted(window, app)
    try:
        return app.exec()
    finally:
        # Qt 6 leaves a second Quit event queued after quit(); drop it so an event
        # loop run later in this process (tests, a restart) is not ended at once.
        app.removePostedEvents(app, QEvent.Type.Quit)
        reporter.uninstall()
        while window.successor is not None:  # a restore reopened the data
            window = window.successor
        window.close()
        window.store.close()
        store.close()
        logging.getLogger(__name__).info("stop")


def _log_start() -> None:
    """What a support request needs first: versions and language, never a path or a name."""
    import platform

    from PySide6 import __version__ as pyside_version

    from companion import __version__
    from companion.i18n import current_language

    logging.getLogger(__name__).info(
        "start: Companion %s, PySide6 %s, Python %s, %s, language %s",
        __version__, pyside_version, platform.python_version(), platform.system(),
        current_language(),
    )  # fmt: skip


def _guard_none() -> None:
    """PySide 6.12 on Python 3.11 drains None's references (ui/common/none_guard.py); once the
    window is up, not before (ctypes costs start-up 2 ms)."""
    from companion.ui.common.none_guard import keep_none_alive

    keep_none_alive()


def _data_folder() -> Path:
    """``$COMPANION_DATA``, else the folder chosen at the first start, else the platform's."""
    if os.environ.get(DATA_DIR_ENV):
        return default_data_dir()
    from companion.ui.shell.preferences import remembered_data_folder

    return remembered_data_folder() or default_data_dir()


def _after_first_start(window: MainWindow) -> None:
    """The welcome's choice, once: the demo network opens on its map, « Rejoindre mon
    réseau » on the hub connection dialog."""
    choice = window.store.setting(FIRST_RUN_SETTING)
    if choice not in ("demo", "join"):
        return
    window.store.set_setting(FIRST_RUN_SETTING, "done")
    if choice == "join":
        QTimer.singleShot(0, window.open_sync_dialog)
    else:
        from companion.ui.shell.main_window import MAP

        QTimer.singleShot(0, partial(window.show_section, MAP))


def _install_qt_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons, dialogs) in the app's language."""
    language = current_language()
    QLocale.setDefault(QLocale(language))
    for name in ("companion-qt-translations", "companion-qt-supplement"):
        previous = app.findChild(QTranslator, name)
        if previous is not None:  # run_gui called again in the same process
            app.removeTranslator(previous)
            previous.deleteLater()
    if language == "fr":
        from companion.ui.shell.qt_french import french_supplement

        supplement = french_supplement(app)
        if supplement is not None:
            supplement.setObjectName("companion-qt-supplement")
            app.installTranslator(supplement)  # first in, so asked last: after qtbase_fr
    translator = QTranslator(app)
    translator.setObjectName("companion-qt-translations")
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{language}", folder):
        app.installTranslator(translator)


class _QuitWhenPainted(QObject):
    """For the startup benchmark: leave the event loop once the window has painted."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._app.quit)
        return False


def _quit_once_painted(window: MainWindow, app: QApplication) -> None:
    # Reading the first rows now makes sure the first page is part of what is timed.
    window.directory.model.actor_at(0)
    window.installEventFilter(_QuitWhenPainted(app))
