"""The web view that shows the actor map, and the bridge between its page and Python.

The page is loaded once, by URL, from the ``companion:`` scheme, in an
off-the-record profile (nothing written to disk). It fetches its data after
load; a filter change is pushed with ``apply_filter`` as the list of visible
actors, never by rebuilding the page. The page talks back through a
QWebChannel object, ``bridge``: status events and "select this actor".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from companion.maps import assets
from companion.maps.escape import script_json
from companion.maps.filters import MapFilter, page_state
from companion.maps.server import MapServer
from companion.store import Store
from companion.ui.map_scheme import SCHEME, MapSchemeHandler, RequestLog, register_scheme


class MapBridge(QObject):
    """The object the page sees as ``bridge``: the page calls ``report(name, json)``.

    It has no signals on purpose: QWebChannel would forward each of them to the
    page. Its one slot is all the page can call; events go to a Python callback.
    """

    def __init__(self, receive: Callable[[str, dict], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._receive = receive

    @Slot(str, str)
    def report(self, name: str, detail: str) -> None:
        try:
            parsed = json.loads(detail)
        except ValueError:
            parsed = {}
        self._receive(name, parsed if isinstance(parsed, dict) else {})


class MapView(QWebEngineView):
    """The actor map over one store."""

    ready = Signal(object)  # basemap and data loaded
    drawn = Signal(object)  # every marker of the first state is in place
    applied = Signal(object)  # a filter state is on screen: seq, visible, ms
    actor_activated = Signal(str)  # the user asked to open this actor (UUID)
    page_error = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        register_scheme()
        super().__init__(parent)
        self.store = store
        self.filter = MapFilter()
        self._seq = 0
        self.is_ready = False
        self.is_drawn = False
        self.last_applied: dict[str, Any] = {}

        profile = QWebEngineProfile()  # no storage name: off the record
        self.request_log = RequestLog(profile)
        profile.setUrlRequestInterceptor(self.request_log)
        server = MapServer(store.path)
        server.prefetch()  # page and data get built while the web engine starts
        self.scheme_handler = MapSchemeHandler(server, profile)
        profile.installUrlSchemeHandler(SCHEME, self.scheme_handler)
        page = QWebEnginePage(profile, self)
        # Parented after the page, the profile is deleted after it (as Qt requires).
        profile.setParent(self)
        self.profile = profile

        self.bridge = MapBridge(self._on_event, self)
        self.channel = QWebChannel(page)
        self.channel.registerObject("bridge", self.bridge)
        page.setWebChannel(self.channel)
        self.setPage(page)
        self.setContextMenuPolicy(self.contextMenuPolicy().NoContextMenu)

    def load_map(self) -> None:
        """Load the page; its data follows, then ``ready`` and ``drawn`` are emitted."""
        self.is_ready = self.is_drawn = False
        self.load(QUrl(assets.url(assets.PAGE_PATH)))

    def apply_filter(self, spec: MapFilter) -> int:
        """Show only what ``spec`` keeps; the number that ``applied`` will report."""
        self.filter = spec
        self._seq += 1
        state = {**page_state(self.store.conn, spec), "seq": self._seq}
        self.page().runJavaScript(f"companionMap.applyState({script_json(state)});")
        return self._seq

    def reload_data(self) -> None:
        """Fetch the actors and relations again (after an edit, an import or a sync)."""
        if self.is_ready:
            self.page().runJavaScript("companionMap.reload();")

    def _on_event(self, name: str, detail: dict) -> None:
        if name == "ready":
            self.is_ready = True
            self.ready.emit(detail)
            if self.filter != MapFilter():
                self.apply_filter(self.filter)
        elif name == "drawn":
            self.is_drawn = True
            self.drawn.emit(detail)
        elif name == "applied":
            self.last_applied = detail
            self.applied.emit(detail)
        elif name == "select" and isinstance(detail.get("actorId"), str):
            self.actor_activated.emit(detail["actorId"])
        elif name == "error":
            self.page_error.emit(str(detail.get("message", "")))
