"""Talking to the hub over HTTP: retries, back-off, and errors a person can read.

Connection failures, timeouts and 5xx answers are retried with exponential
back-off; a 429 waits what ``Retry-After`` asks (bounded). Everything else
becomes a ``SyncError`` whose French message names what failed.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from companion.errors import CompanionError
from companion.i18n import _
from companion.protocol.messages import PROTOCOL, PROTOCOL_HEADER

ATTEMPTS = 5
BACKOFF_S = 0.5  # first wait; doubles each attempt
MAX_BACKOFF_S = 30.0
MAX_RETRY_AFTER_S = 120.0
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class SyncError(CompanionError):
    """A sync failed; the message says what, in French."""


class SyncCancelled(SyncError):
    pass


class RequestTooLarge(SyncError):
    """413: the hub takes smaller requests (a push can be split)."""


def check_hub_url(url: str, allow_insecure: bool = False) -> str:
    """The hub's base URL without its trailing slash; plain http only to this machine.
    An address typed without its scheme (« hub.exemple.org ») is completed with https://."""
    url = url.strip()
    if url and "://" not in url and not url.startswith("/"):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(_("Adresse du hub invalide : « {url} »").format(url=url))
    if parts.scheme == "http" and not allow_insecure and not _loopback(parts.hostname):
        raise SyncError(
            _(
                "Adresse non chiffrée refusée : « {url} » (https:// requis, sauf vers ce poste)."
            ).format(url=url)
        )
    return url.strip().rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HubApi:
    """One hub, one token; ``request`` returns the JSON answer of a successful call."""

    def __init__(
        self,
        url: str,
        token: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.url = url
        self.cancel = cancel
        self._sleep = sleep
        self.client = httpx.Client(
            base_url=url,
            transport=transport,
            timeout=TIMEOUT,
            headers={
                "Authorization": f"Bearer {token}",
                PROTOCOL_HEADER: str(PROTOCOL),
                "User-Agent": "Companion",
            },
        )
        self.offset_ms: int | None = None  # hub time minus local time, from the last answer

    def close(self) -> None:
        self.client.close()

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise SyncCancelled(_("Synchronisation annulée."))

    def wait(self, seconds: float) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
        elif self.cancel is not None:
            self.cancel.wait(seconds)
        else:
            time.sleep(seconds)
        self.check_cancel()

    def request(
        self,
        method: str,
        path: str,
        accept: tuple[int, ...] = (200,),
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Send, retrying what may pass next time; the JSON body of an accepted answer."""
        for attempt in range(ATTEMPTS):
            self.check_cancel()
            last = attempt == ATTEMPTS - 1
            sent = time.time_ns() // 1_000_000
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.TransportError as error:  # connection, timeout, protocol
                if last:
                    raise SyncError(
                        _("Le hub ne répond pas ({url}) : {detail}").format(
                            url=self.url, detail=_describe(error)
                        )
                    ) from error
                self.wait(_backoff(attempt))
                continue
            if response.status_code in accept:
                data = _json(response)
                self._learn_time(data, sent)
                return data
            if response.status_code == 429 and not last:
                self.wait(_retry_after(response, attempt))
                continue
            if response.status_code >= 500 and not last:
                self.wait(_backoff(attempt))
                continue
            if response.status_code == 413:
                raise RequestTooLarge(_refusal(self.url, response))
            raise SyncError(_refusal(self.url, response))
        raise AssertionError("unreachable")

    def _learn_time(self, data: dict[str, Any], sent_ms: int) -> None:
        server = data.get("server_time_ms")
        if isinstance(server, int):
            received = time.time_ns() // 1_000_000
            self.offset_ms = server - (sent_ms + received) // 2


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF_S, BACKOFF_S * 2**attempt)


def _retry_after(response: httpx.Response, attempt: int) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        seconds = _backoff(attempt)
    return max(0.0, min(MAX_RETRY_AFTER_S, seconds))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except (ValueError, RecursionError) as error:
        raise SyncError(_("Réponse illisible du hub (pas du JSON).")) from error
    if not isinstance(data, dict):
        raise SyncError(_("Réponse illisible du hub (pas un objet JSON)."))
    return data


def _hub_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"]
    return response.reason_phrase


def _refusal(url: str, response: httpx.Response) -> str:
    status = response.status_code
    if status == 401:
        return _("Jeton refusé par le hub ({url}) : vérifiez-le ou demandez-en un nouveau.").format(
            url=url
        )
    if status == 426:
        return _("Le hub parle une autre version du protocole : mettez Companion à jour.")
    if status == 413:
        return _("Envoi trop volumineux pour le hub ({message}).").format(
            message=_hub_message(response)
        )
    if status == 429:
        return _("Le hub reçoit trop de demandes : réessayez dans quelques minutes.")
    if status >= 500:
        return _("Le hub a rencontré une erreur ({status}) : réessayez plus tard.").format(
            status=status
        )
    return _("Le hub a refusé la demande ({status}) : {message}").format(
        status=status, message=_hub_message(response)
    )


def _describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return _("délai dépassé")
    if isinstance(error, httpx.ConnectError):
        return _("connexion impossible")
    return str(error) or type(error).__name__
