"""What the app's sync jobs run, off the UI thread: Qt-free, each on a store of its own.

These functions import the sync client (httpx) and the credentials (keyring)
when called, never when this module is imported: the main window imports it at
start-up. Each returns a dataclass; the UI turns it into words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.errors import CompanionError
from companion.i18n import _

if TYPE_CHECKING:
    from companion.store import Store
    from companion.sync.client import SyncReport

Progress = Callable[[int, int, str], None]
PROBE_TIMEOUT_S = 5.0


class HubUnreachable(CompanionError):
    """No answer at all from the hub (no network, hub down): the laptop is offline."""


@dataclass(frozen=True)
class HubMember:
    name: str
    role: str


@dataclass(frozen=True)
class SyncOutcome:
    report: SyncReport | None = None
    error: str | None = None
    offline: bool = False
    cancelled: bool = False


def hub_status(url: str, token: str, cancel: threading.Event | None = None) -> dict[str, Any]:
    """The hub's ``GET /v1/status`` answer. ``HubUnreachable`` if nothing answers (one
    attempt, a short timeout: no retries to wait through); ``SyncError`` if it refuses."""
    import httpx

    from companion.sync.hubapi import HubApi

    api = HubApi(url, token, cancel=cancel)
    try:
        try:
            api.client.get("/v1/status", timeout=PROBE_TIMEOUT_S)
        except httpx.TransportError as error:
            detail = (
                _("délai dépassé")
                if isinstance(error, httpx.TimeoutException)
                else _("connexion impossible")
            )
            raise HubUnreachable(
                _("Le hub ne répond pas ({url}) : {detail}").format(url=url, detail=detail)
            ) from error
        # It answers: the checked request turns a refusal into the hub client's words.
        return api.request("GET", "/v1/status")
    finally:
        api.close()


def check_connection(url: str, token: str) -> HubMember:
    """The member this token belongs to, or the French reason it cannot connect."""
    from companion.sync.hubapi import check_hub_url

    status = hub_status(check_hub_url(url), token.strip())
    member = status.get("member")
    if not isinstance(member, dict):
        return HubMember("", "")
    return HubMember(str(member.get("name") or ""), str(member.get("role") or ""))


def is_reachable(url: str) -> bool:
    """Whether the hub answers at all (any HTTP answer will do; no token sent)."""
    import httpx

    try:
        with httpx.Client(timeout=PROBE_TIMEOUT_S) as client:
            client.get(url.rstrip("/") + "/v1/status", headers={"User-Agent": "Companion"})
    except httpx.HTTPError:
        return False
    return True


def run_sync(database: Path, report: Progress, cancel: threading.Event) -> SyncOutcome:
    """One sync of the store at ``database`` with its hub: first a quick look whether the
    hub answers (offline: no sync, no wait), then the client's push and pull."""
    from companion.store import Store
    from companion.sync import state

    store = Store.open(database)
    try:
        previous_error = state.get(store.conn, state.LAST_ERROR)
        try:
            return _sync(store, database.parent, report, cancel)
        except CompanionError as error:
            cancelled = cancel.is_set()  # the cancel flag unwound the client: not an error
            with store.db.atomic():  # kept for the next start (the client keeps only its own)
                state.put(store.conn, state.LAST_ERROR, previous_error if cancelled else str(error))
            if cancelled:
                return SyncOutcome(cancelled=True)
            return SyncOutcome(error=str(error), offline=_is_offline(error))
    finally:
        store.close()


def _sync(store: Store, data_dir: Path, report: Progress, cancel: threading.Event) -> SyncOutcome:
    from companion.app.hub_connection import MEMBER_NAME
    from companion.sync import credentials, state
    from companion.sync.client import SyncClient

    url = state.get(store.conn, state.HUB_URL)
    if not url:
        raise CompanionError(_("Aucun hub configuré."))
    token = credentials.load_token(data_dir, url)
    if not token:
        raise CompanionError(
            _("Aucun jeton pour le hub « {url} » : reconnectez-vous au hub.").format(url=url)
        )
    report(0, 0, _("Connexion au hub…"))
    status = hub_status(url, token, cancel)
    member = status.get("member")
    if isinstance(member, dict) and member.get("name"):
        if store.setting(MEMBER_NAME) != str(member["name"]):
            store.set_setting(MEMBER_NAME, str(member["name"]))
    result = SyncClient(store, url, token).sync(progress=report, cancel=cancel)
    return SyncOutcome(report=result)


def _is_offline(error: BaseException) -> bool:
    """An error that means no connection: nothing answered, or the link dropped."""
    if isinstance(error, HubUnreachable):
        return True
    import httpx

    return isinstance(error.__cause__, httpx.TransportError)
