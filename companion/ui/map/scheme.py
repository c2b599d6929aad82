"""The ``companion:`` URL scheme that serves the map page, and the map's request log.

Only QtCore and QtWebEngineCore here (no QtWebEngineWidgets): registering the
scheme is cheap. Everything the page loads comes through ``MapSchemeHandler``;
``RequestLog`` sees every request the page makes and blocks any that would
leave the machine.

Basemap tiles (``companion://map/tiles/<source>/<z>/<x>/<y>``) are answered from a pool of
their own: a tile may wait on the network (seconds), and must not hold up the page's data
or a background job. The answer goes back to the main thread before ``reply()``: Qt does not
document the request job as thread-safe, and the engine deletes a job on the main thread
whenever the page drops its request (a tile panned away), so only there can "is the job
still alive?" and ``reply()`` happen without a race.
"""

from __future__ import annotations

import atexit
from functools import cache

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject, QThreadPool, QUrl
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from shiboken6 import isValid

from companion.maps import assets
from companion.maps.server import MapServer, Response
from companion.ui.common.jobs import Job, run_in_background

SCHEME = assets.SCHEME.encode()
# Schemes the page may use without leaving the machine.
LOCAL_SCHEMES = frozenset({assets.SCHEME, "data", "blob", "qrc"})
QWEBCHANNEL_RESOURCE = ":/qtwebchannel/qwebchannel.js"
TILE_THREADS = 4  # cache reads go on while up to two tiles wait on the network


@cache
def tile_pool() -> QThreadPool:
    """The threads that answer basemap tiles (never the global pool: jobs run there)."""
    pool = QThreadPool()
    pool.setMaxThreadCount(TILE_THREADS)
    atexit.register(_drain, pool)
    return pool


def _drain(pool: QThreadPool) -> None:
    """At exit: drop the tiles not started, let the running ones end before Python does."""
    pool.clear()
    pool.waitForDone(5_000)


class SchemeTooLate(RuntimeError):
    """QtWebEngine had started before the ``companion:`` scheme was registered."""


def register_scheme() -> None:
    """Register ``companion:`` with QtWebEngine (once; before any web engine object exists)."""
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME)).name() == QByteArray(SCHEME):
        return
    scheme = QWebEngineUrlScheme(QByteArray(SCHEME))
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    flag = QWebEngineUrlScheme.Flag
    # Secure (like https): fetch() and a secure context; its own origin for CORS.
    scheme.setFlags(flag.SecureScheme | flag.CorsEnabled | flag.FetchApiAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)
    if QWebEngineUrlScheme.schemeByName(QByteArray(SCHEME)).name() != QByteArray(SCHEME):
        raise SchemeTooLate("register the companion: scheme before creating any web view")


class MapSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``companion://map/…`` requests; what reads the store is built off the UI thread."""

    def __init__(self, server: MapServer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = server

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt API
        url = job.requestUrl()
        if job.requestMethod() != QByteArray(b"GET") or url.host() != assets.HOST:
            job.fail(QWebEngineUrlRequestJob.Error.RequestDenied)
            return
        path = url.path().lstrip("/")
        if url.hasQuery():  # the basemap's viewport: outlines.geojson?z=…&bbox=…
            path += "?" + url.query(QUrl.ComponentFormattingOption.FullyEncoded)
        if MapServer.is_tile(path):
            self._answer_tile(job, path)
        elif path == assets.QWEBCHANNEL_PATH:
            _reply(job, _qwebchannel_js())
        elif MapServer.is_slow(path):
            # No parent: the job outlives this handler if the page closes meanwhile.
            worker = run_in_background(lambda _report, _cancel: self.server.respond(path))
            worker.succeeded.connect(lambda response: _reply(job, response))
            worker.failed.connect(
                lambda _error: _fail(job, QWebEngineUrlRequestJob.Error.RequestFailed)
            )
        else:
            _reply(job, self.server.respond(path))

    def _answer_tile(self, job: QWebEngineUrlRequestJob, path: str) -> None:
        server = self.server

        def answer(_report: object, _cancel: object) -> Response | None:
            # A tile the page no longer wants (panned away) is not fetched.
            return server.respond(path) if isValid(job) else None

        worker = Job(answer)
        worker.succeeded.connect(lambda response: _reply(job, response))
        worker.failed.connect(lambda _error: _fail(job, QWebEngineUrlRequestJob.Error.UrlNotFound))
        worker.start(tile_pool())


def _qwebchannel_js() -> Response | None:
    file = QFile(QWEBCHANNEL_RESOURCE)
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        return None
    return Response(bytes(file.readAll().data()), "text/javascript")


def _reply(job: QWebEngineUrlRequestJob, response: Response | None) -> None:
    if not isValid(job):  # the page went away meanwhile
        return
    if response is None:
        job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
        return
    if response.status >= 400:  # the page's fetch sees a 400 (as it sees UrlNotFound's 404)
        job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
        return
    buffer = QBuffer(job)
    buffer.setData(QByteArray(response.body))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    job.reply(QByteArray(response.mime.encode()), buffer)


def _fail(job: QWebEngineUrlRequestJob, error: QWebEngineUrlRequestJob.Error) -> None:
    if isValid(job):
        job.fail(error)


class RequestLog(QWebEngineUrlRequestInterceptor):
    """Records every URL the map's pages request, and blocks those that would leave the machine."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.urls: list[QUrl] = []
        self.blocked: list[QUrl] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 - Qt API
        url = info.requestUrl()
        self.urls.append(QUrl(url))
        if url.scheme() not in LOCAL_SCHEMES:
            self.blocked.append(QUrl(url))
            info.block(True)

    def schemes(self) -> set[str]:
        """The schemes of every request seen so far."""
        return {url.scheme() for url in self.urls}
