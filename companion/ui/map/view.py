"""The web view that shows the actor map, and the bridge between its page and Python.

The page is loaded once, by URL, from the ``companion:`` scheme, in an
off-the-record profile (nothing written to disk). It fetches its data after
load; a filter change is pushed with ``apply_filter`` as the list of visible
actors, never by rebuilding the page. The page talks back through a
QWebChannel object, ``bridge``: status events and "select this actor".

Personal data (e-mail, phone, people) never goes with the map's data. Only
when ``set_contacts(True)`` and outside presentation mode does the page ask
for one actor's contacts (the card it opens), and only then does Python send
that actor's.
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

from companion.maps import assets, payload
from companion.maps.escape import script_json
from companion.maps.filters import MapFilter, page_state
from companion.maps.server import MapServer, TileProvider
from companion.maps.views import Bounds
from companion.network import territories as territory
from companion.network.profiles import get_profile
from companion.store import Store
from companion.ui.map.scheme import SCHEME, MapSchemeHandler, RequestLog, register_scheme


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
    applied = Signal(object)  # a filter state is in the page: seq, visible, ms
    painted = Signal(object)  # the frame showing a filter state is painted: seq, ms
    actor_activated = Signal(str)  # the user asked to open this actor (UUID)
    profile_requested = Signal(str)  # the user asked for this catalyst's profile (UUID)
    territory_requested = Signal(str)  # the user asked for this actor's territory profile (UUID)
    page_error = Signal(str)
    context_requested = Signal(float, float)  # right click on the map: latitude, longitude
    moved = Signal(object)  # the extent changed: (south, west, north, east)
    contacts_sent = Signal(str)  # one actor's contacts went to the page (UUID)
    presenter_key = Signal(str)  # in presentation: "next", "previous" or "leave"
    page_key = Signal(str)  # the map has the focus: "present" (F5), "drawer" (Ctrl+Shift+F)
    actor_placed = Signal(str, float, float)  # the user put this actor here (UUID, lat, lng)
    actor_opened = Signal(str)  # the user opened this actor's card on the map (UUID)
    actors_shown = Signal(int, int)  # show_actors: how many were asked, how many are in view
    relations_drawn = Signal(object)  # mode, drawn, available, overseas, flows, around
    territory_highlighted = Signal(object)  # a territory's outline is drawn: slot, level, code

    def __init__(
        self, store: Store, parent: QWidget | None = None, tiles: TileProvider | None = None
    ) -> None:
        register_scheme()
        super().__init__(parent)
        self.store = store
        self.filter = MapFilter()
        self._seq = 0
        self.is_ready = False
        self.is_drawn = False
        self.last_applied: dict[str, Any] = {}
        self.last_card_painted: dict[str, Any] = {}  # the card last shown: its actorId
        self.last_painted: dict[str, Any] = {}
        self.bounds: Bounds | None = None  # the extent on screen, as the page last reported
        self.pending_bounds: Bounds | None = None  # to fit once the page is ready
        self.show_contacts = False
        self.presenting = False
        self.title = ""
        self.tiles: dict[str, Any] | None = None  # the tile layer the page shows (setTiles)
        self.pending_actors: list[int | None] | None = None  # show_actors before "ready"
        self.pending_place: int | None = None  # start_placing before "ready"
        self.story: dict[str, Any] | None = None  # the story step on the map (show_story)
        self._unplaced = 0  # of the last show_actors: actors without a place
        self.frame_territories: list[dict[str, str]] = []  # highlighted (« Cadrer sur »)
        self.context_zone: tuple[str, str] | None = None  # under the last right click: id, name

        profile = QWebEngineProfile()  # no storage name: off the record
        self.request_log = RequestLog(profile)
        profile.setUrlRequestInterceptor(self.request_log)
        server = MapServer(store.path)
        server.tiles = tiles
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

    def apply_filter(self, spec: MapFilter, fit: bool = False) -> int:
        """Show only what ``spec`` keeps (``fit``: and bring it into view); the number that
        ``applied`` will report."""
        self.filter = spec
        self._seq += 1
        state = {**page_state(self.store.conn, spec), "seq": self._seq, "fit": fit}
        self.page().runJavaScript(f"companionMap.applyState({script_json(state)});")
        return self._seq

    def reload_data(self) -> None:
        """Fetch the actors and relations again (after an edit, an import or a sync).

        The page is not rebuilt; the current filter is applied to the new data.
        """
        if self.is_ready:
            self.page().runJavaScript("companionMap.reload();")
            self.apply_filter(self.filter)

    def fit_bounds(self, bounds: Bounds) -> None:
        """Show this extent (south, west, north, east), once the page is ready if it is not."""
        if not self.is_ready:
            self.pending_bounds = bounds
        self._run("fitBounds", list(bounds))

    def show_actors(self, actor_ids: list[str]) -> None:
        """Bring these actors into view (one: zoomed to and its card open); those the
        filters hide or that have no place are counted in ``actors_shown``."""
        keys = payload.actor_keys(self.store.conn, actor_ids)
        self.pending_actors = keys + [None] * (len(actor_ids) - len(keys))
        if self.is_ready:
            self._show_pending_actors()

    def _show_pending_actors(self) -> None:
        asked = self.pending_actors
        self.pending_actors = None
        if asked is None:
            return
        keys = [key for key in asked if key is not None]
        if keys:
            self._run("showActors", keys)
        else:
            self.actors_shown.emit(len(asked), 0)
        self._unplaced = len(asked) - len(keys)

    def start_placing(self, actor_id: str) -> None:
        """A pin to drag to where the actor really is (``actor_placed`` once dropped)."""
        keys = payload.actor_keys(self.store.conn, [actor_id])
        if not keys:
            return
        if self.is_ready:
            self._run("startPlacing", keys[0])
        else:
            self.pending_place = keys[0]

    def stop_placing(self) -> None:
        self._run("stopPlacing")

    def fit_shown(self) -> None:
        """Bring the actors the filter shows into view."""
        self._run("fitShown")

    def set_presentation(self, on: bool, title: str = "") -> None:
        """Presentation style (large text, title banner, no contacts) on or off."""
        self.presenting = on
        self.title = title
        if on:
            self.show_contacts = False
        self._run("setPresentation", on, title)

    def set_title(self, title: str) -> None:
        """The banner's text (shown in presentation mode only)."""
        self.title = title
        self._run("setTitle", title)

    def show_story(self, step: dict[str, Any] | None) -> None:
        """A story's step over the map: ``{title, text, counter, actors, links}`` (keys, see
        ``maps.stories.step_highlight``): its caption in presentation, its actors and
        links highlighted; None takes it away."""
        self.story = step
        self._run("showStory", step)

    def ask_open_actor(self, answer: Callable[[str | None], None]) -> None:
        """Call ``answer`` with the UUID of the actor whose card is open (None: no card)."""
        if not self.is_ready:
            answer(None)
            return

        def received(value: object) -> None:
            answer(value if isinstance(value, str) and value else None)

        self.page().runJavaScript("companionMap.openActor() || ''", 0, received)

    def set_contacts(self, enabled: bool) -> None:
        """Let the popup card show the actor's contacts (never in presentation mode)."""
        self.show_contacts = enabled and not self.presenting
        self._run("setContacts", self.show_contacts)

    def set_tiles(self, tiles: dict[str, Any] | None) -> None:
        """Show a tile layer under the markers ({url, attribution, minZoom, maxZoom, bounds}),
        or none (None); the page is not reloaded."""
        self.tiles = tiles
        self._run("setTiles", tiles)

    def highlight_territories(self, slot: str, territories: list[tuple[str, str]]) -> None:
        """Outline these territories ((level, code): commune, epci, departement, region) in
        a highlight ``slot``: "frame" stays until changed; an empty list clears it."""
        found = [{"level": level, "code": code} for level, code in territories]
        if slot == "frame":
            self.frame_territories = found
        self._run("highlightTerritories", slot, found)

    def _highlight_card(self, actor_id: str) -> None:
        """A catalyst's card opened: its territory of action (from its profile) outlined."""
        profile = get_profile(self.store, actor_id)
        found = []
        for text in profile.territories if profile else ():
            try:
                found.append(dict(zip(("level", "code"), territory.split(text), strict=True)))
            except ValueError:
                continue
        if found:
            self._run("highlightTerritories", "card", found, actor_id)

    def _run(self, function: str, *arguments: Any) -> None:
        if self.is_ready:  # else applied on "ready"
            values = ", ".join(script_json(value) for value in arguments)
            self.page().runJavaScript(f"companionMap.{function}({values});")

    def _send_contacts(self, actor_id: str) -> None:
        if not self.show_contacts or self.presenting:
            return
        answer = actor_contacts(self.store, actor_id)
        if answer is not None:
            self.page().runJavaScript(f"companionMap.showContacts({script_json(answer)});")
            self.contacts_sent.emit(actor_id)

    def _on_event(self, name: str, detail: dict) -> None:
        if name == "ready":
            self.is_ready = True
            self._take_bounds(detail)
            if self.tiles is not None:
                self._run("setTiles", self.tiles)
            if self.presenting or self.show_contacts:
                self._run("setPresentation", self.presenting, self.title)
                self._run("setContacts", self.show_contacts)
            if self.frame_territories:
                self._run("highlightTerritories", "frame", self.frame_territories)
            if self.story is not None:
                self._run("showStory", self.story)
            self.ready.emit(detail)
            if self.filter != MapFilter():
                self.apply_filter(self.filter)
            if self.pending_bounds is not None:
                self.fit_bounds(self.pending_bounds)
                self.pending_bounds = None
            self._show_pending_actors()
            if self.pending_place is not None:
                self._run("startPlacing", self.pending_place)
                self.pending_place = None
        elif name == "moved":
            if self._take_bounds(detail):
                self.moved.emit(self.bounds)
        elif name == "contextmenu":
            lat, lng = detail.get("lat"), detail.get("lng")
            zone = detail.get("zone")
            self.context_zone = (
                (zone["id"], zone["name"])
                if isinstance(zone, dict)
                and isinstance(zone.get("id"), str)
                and isinstance(zone.get("name"), str)
                else None
            )
            if isinstance(lat, int | float) and isinstance(lng, int | float):
                self.context_requested.emit(float(lat), float(lng))
        elif name == "key" and self.presenting:
            if detail.get("action") in ("next", "previous", "leave"):
                self.presenter_key.emit(detail["action"])
        elif name == "key":
            if detail.get("action") in ("present", "drawer"):
                self.page_key.emit(detail["action"])
        elif name == "contacts" and isinstance(detail.get("actorId"), str):
            self._send_contacts(detail["actorId"])
        elif name == "drawn":
            self.is_drawn = True
            self.drawn.emit(detail)
        elif name == "applied":
            self.last_applied = detail
            self.applied.emit(detail)
        elif name == "painted":
            self.last_painted = detail
            self.painted.emit(detail)
        elif name == "opened" and isinstance(detail.get("actorId"), str):
            self._highlight_card(detail["actorId"])
            self.actor_opened.emit(detail["actorId"])
        elif name == "cardPainted":
            self.last_card_painted = detail
        elif name == "highlighted":
            self.territory_highlighted.emit(detail)
        elif name == "shown":
            asked, shown = detail.get("asked"), detail.get("shown")
            if isinstance(asked, int) and isinstance(shown, int):
                self.actors_shown.emit(asked + self._unplaced, shown)
        elif name == "placed" and isinstance(detail.get("actorId"), str):
            lat, lng = detail.get("lat"), detail.get("lng")
            if isinstance(lat, int | float) and isinstance(lng, int | float):
                self.actor_placed.emit(detail["actorId"], float(lat), float(lng))
        elif name == "relations":
            self.relations_drawn.emit(detail)
        elif name == "select" and isinstance(detail.get("actorId"), str):
            self.actor_activated.emit(detail["actorId"])
        elif name == "profile" and isinstance(detail.get("actorId"), str):
            self.profile_requested.emit(detail["actorId"])
        elif name == "territory" and isinstance(detail.get("actorId"), str):
            self.territory_requested.emit(detail["actorId"])
        elif name == "error":
            self.page_error.emit(str(detail.get("message", "")))

    def _take_bounds(self, detail: dict) -> bool:
        box = detail.get("bounds")
        if isinstance(box, list) and len(box) == 4:
            if all(isinstance(value, int | float) for value in box):
                self.bounds = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
                return True
        return False


def actor_contacts(store: Store, actor_id: str) -> dict[str, Any] | None:
    """One actor's e-mail, phone and people (name, role, e-mail, phone), for its card."""
    actor = store.get_actor(actor_id)
    if actor is None:
        return None
    people = [
        {
            "name": member.person.full_name,
            "role": member.role,
            "email": member.person.email or "",
            "phone": member.person.phone or "",
        }
        for member in store.members_of(actor_id)
    ]
    return {
        "actorId": actor_id,
        "email": actor.email or "",
        "phone": actor.phone or "",
        "people": people,
    }
