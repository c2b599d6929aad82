"""The self-check's Qt steps: the interface's own files, and the actor map drawn offscreen.

The sorting step sorts French names with Qt's collator: a Qt whose ICU data lacks
French (the bundle ships it trimmed) sorts them by code point.

The map step is the app's own map (``MapView``: the ``companion:`` scheme, the
xstatic libraries, the outlines, QWebChannel) over the self-check's temporary
database, in a web view that is never shown on screen. It passes when the page
reports every marker drawn and no error, the view's pixels show a map (sea, land,
borders, markers), not a blank page, and the page's ``Intl`` (Chromium's own ICU
data) sorts and writes numbers the French way.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCollator, QEventLoop, QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401 - before the QApplication

from companion.app.self_check import Check, Context, SelfCheckError
from companion.i18n import _
from companion.paths import resource_path
from companion.ui.common.icons import icon
from companion.ui.map.export import ensure_application
from companion.ui.shell.app import APP_ICON

DRAW_TIMEOUT_S = 60
PIXELS_TIMEOUT_S = 20
POLL_MS = 20
MAP_SIZE = (1000, 700)
# A drawn map has sea, land, borders, labels and markers: far more colours than a blank page.
MIN_DISTINCT_COLOURS = 20
QT_CATALOG = "qtbase_fr"
# French names in the order French sorts them; code point order puts "Zoé" first.
SORTED_NAMES = ("adèle", "Élise", "Émile", "étienne", "Zoé")
SORT_SAMPLE = ("Zoé", "étienne", "Émile", "adèle", "Élise")
SORT_LOCALE = "fr_FR"
# What the map page's Intl must answer (Chromium's ICU data): sorted words, 1234.5 in French.
INTL_SAMPLE = ("zèbre", "Éric", "abc", "étage")
INTL_SORTED = "abc,Éric,étage,zèbre"
INTL_NUMBER = 1234.5
INTL_DECIMALS = "234,5"
INTL_LOCALE = "fr-FR"


def check_interface(context: Context) -> str:
    """Qt starts; the sidebar's icon font, Qt's own translations and the app icon load."""
    ensure_application()  # headless where there is no display
    glyph = icon("fa5s.address-book").pixmap(32, 32).toImage()
    if not _has_ink(glyph):
        raise SelfCheckError(_("les icônes (polices de qtawesome) ne se dessinent pas"))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not QTranslator().load(QT_CATALOG, folder):  # English is Qt's own language
        raise SelfCheckError(_("traductions de Qt absentes ({name})").format(name=QT_CATALOG))
    path = resource_path(*APP_ICON)
    app_icon = QIcon(str(path)).pixmap(64, 64).toImage()
    if not path.is_file() or not _has_ink(app_icon):
        raise SelfCheckError(_("icône de l'application illisible : {path}").format(path=path))
    return _("Qt {version}, icônes, traductions de Qt, icône de l'application").format(
        version=pyside_version
    )


def check_sorting(context: Context) -> str:
    """Qt's collator sorts French names the French way (its ICU data has French)."""
    collator = QCollator(QLocale(SORT_LOCALE))
    found = sorted(SORT_SAMPLE, key=functools.cmp_to_key(collator.compare))
    if tuple(found) != SORTED_NAMES:
        raise SelfCheckError(
            _(
                "les noms se trient dans le mauvais ordre : {found} au lieu de {expected}"
                " (données ICU de Qt incomplètes)"
            ).format(found=", ".join(found), expected=", ".join(SORTED_NAMES))
        )
    return ", ".join(found)


def check_map(context: Context) -> str:
    """The app's map over the temporary database, rendered offscreen, really drawn."""
    store = context.require_store()
    ensure_application()  # headless where there is no display
    from companion.ui.map.view import MapView

    view = MapView(store)
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    errors: list[str] = []
    view.page_error.connect(errors.append)
    loaded = _Flag()
    view.loadFinished.connect(loaded.set)
    try:
        view.resize(*MAP_SIZE)
        view.show()
        view.load_map()
        if not wait_until(
            lambda: (view.is_ready and view.is_drawn) or bool(errors) or loaded.failed,
            DRAW_TIMEOUT_S,
        ):
            raise SelfCheckError(
                _("la carte n'a pas été dessinée en {seconds} s").format(seconds=DRAW_TIMEOUT_S)
            )
        if loaded.failed:
            raise SelfCheckError(_("la page de la carte n'a pas pu être chargée"))
        status = _page_status(view)
        errors += [str(error) for error in status.get("errors", [])]
        if errors:
            raise SelfCheckError(_("erreur dans la page : {message}").format(message=errors[0]))
        markers = int(status.get("markers", 0)) + int(status.get("catalysts", 0))
        if markers != context.located_actors:
            raise SelfCheckError(
                _("{count} marqueurs dessinés au lieu de {expected}").format(
                    count=markers, expected=context.located_actors
                )
            )
        layers = int(status.get("basemapLayers", 0))
        if layers == 0:
            raise SelfCheckError(_("le fond de carte (contours) n'a pas été chargé"))
        colours = [0]

        def painted() -> bool:
            colours[0] = distinct_colours(view.grab().toImage())
            return colours[0] >= MIN_DISTINCT_COLOURS

        if not wait_until(painted, PIXELS_TIMEOUT_S):
            raise SelfCheckError(
                _("la page est chargée mais l'image reste vide ({count} couleurs)").format(
                    count=colours[0]
                )
            )
        number = _check_page_intl(view)
        if view.request_log.blocked:
            raise SelfCheckError(
                _("la carte a demandé une ressource extérieure : {url}").format(
                    url=view.request_log.blocked[0].toString()
                )
            )
    finally:
        _dispose(view)
    drawn = _(
        "{markers} marqueurs, {layers} couches de contours, {colours} couleurs à l'image"
    ).format(markers=markers, layers=layers, colours=colours[0])
    return _("{drawn}, nombres en français ({number})").format(drawn=drawn, number=number)


def qt_checks() -> list[Check]:
    return [
        Check(_("Interface Qt"), check_interface),
        Check(_("Tri alphabétique"), check_sorting),
        Check(_("Carte (rendu hors écran)"), check_map),
    ]


# -- helpers ---------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` or the timeout (never processEvents in a loop)."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            return False
        loop = QEventLoop()
        QTimer.singleShot(POLL_MS, loop.quit)
        loop.exec()
    return True


def distinct_colours(image: QImage, step: int = 7) -> int:
    """How many colours a grid of pixels shows: about 1 for a blank page."""
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def _has_ink(image: QImage) -> bool:
    """True if any pixel is not fully transparent (something was drawn)."""
    if image.isNull():
        return False
    return any(
        image.pixelColor(x, y).alpha() > 0
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    )


def _page_status(view: QWebEngineView) -> dict:
    return _evaluate(view, "JSON.stringify(window.companionMapStatus || {})")


def _check_page_intl(view: QWebEngineView) -> str:
    """The page sorts and writes numbers the French way; returns 1234.5 as it wrote it."""
    script = (
        f"JSON.stringify({{sorted: {json.dumps(list(INTL_SAMPLE))}"
        f".sort(new Intl.Collator({json.dumps(INTL_LOCALE)}).compare).join(','),"
        f" number: new Intl.NumberFormat({json.dumps(INTL_LOCALE)}).format({INTL_NUMBER})}})"
    )
    answer = _evaluate(view, script)
    found, number = str(answer.get("sorted", "")), str(answer.get("number", ""))
    if found != INTL_SORTED:
        raise SelfCheckError(
            _(
                "la page trie dans le mauvais ordre : {found} au lieu de {expected}"
                " (données ICU de Chromium incomplètes)"
            ).format(found=found, expected=INTL_SORTED)
        )
    if INTL_DECIMALS not in number:
        raise SelfCheckError(
            _(
                "la page écrit {value} « {number} », sans la virgule décimale française"
                " (données ICU de Chromium incomplètes)"
            ).format(value=INTL_NUMBER, number=number)
        )
    return number


def _evaluate(view: QWebEngineView, script: str) -> dict:
    """The JSON object a script returns in the page (empty if it is not an object)."""
    answer: list[object] = []
    view.page().runJavaScript(script, 0, answer.append)
    if not wait_until(lambda: bool(answer), 10):
        raise SelfCheckError(_("la page de la carte ne répond pas"))
    text = answer[0]
    result = json.loads(text) if isinstance(text, str) and text else {}
    return result if isinstance(result, dict) else {}


def _dispose(view: QWebEngineView) -> None:
    """Delete the view now: its page goes before its profile, and both before the app."""
    gone = _Flag()
    view.destroyed.connect(gone.set)  # a method: PySide 6.12 crashes on a lambda here
    view.close()
    view.deleteLater()
    wait_until(lambda: gone.value, 10)


class _Flag:
    """Set by a signal (a method, never a lambda: see ``_dispose``); ``failed``: set to False."""

    def __init__(self) -> None:
        self.value = False
        self.failed = False

    def set(self, *args: object) -> None:
        self.value = True
        self.failed = bool(args) and args[0] is False
