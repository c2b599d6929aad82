"""The hub's HTTP API (docs/SYNC.md, "Hub"): an ASGI app served by uvicorn.

Every request carries the protocol header (missing: 400, another version: 426)
and a bearer token (401 otherwise), checked before anything else is read.
Errors are JSON: ``{"error": code, "message": French text}``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from companion.geo.address_files import DEPARTEMENT
from companion.hub import wire
from companion.hub.addresses import address_file, address_files
from companion.hub.limits import BodyLimit, BodyTooLarge, Limits, TokenBuckets
from companion.hub.merge import BatchConflict
from companion.hub.storage import HubStore
from companion.hub.toolbox import RangeNotSatisfiable, parse_range
from companion.i18n import _
from companion.protocol.fields import INT64_MAX
from companion.protocol.hlc import physical_ms
from companion.protocol.messages import MAX_BATCH_CHANGES, PROTOCOL, PROTOCOL_HEADER, ProtocolError

CHUNK = 256 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": code, "message": message}, status, headers=headers)


class Guard:
    """Protocol version, then bearer token, on every request; the member goes in scope state."""

    def __init__(self, app: ASGIApp, store: HubStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = _refusal(headers.get(PROTOCOL_HEADER))
        if refusal is None:
            scheme, _space, token = headers.get("authorization", "").partition(" ")
            member = None
            if scheme.lower() == "bearer" and token.strip():
                member = await run_in_threadpool(self.store.authenticate, token.strip())
            if member is None:
                refusal = error(
                    401, "unauthorized", _("Jeton d'accès absent, inconnu ou révoqué."),
                    {"WWW-Authenticate": "Bearer"},
                )  # fmt: skip
            else:
                scope.setdefault("state", {})["member"] = member
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _refusal(version: str | None) -> Response | None:
    if version is None:
        message = _("En-tête {header} manquant.").format(header=PROTOCOL_HEADER)
        return error(400, "protocol_missing", message)
    if version.strip() != str(PROTOCOL):
        message = _(
            "Version de protocole {theirs} non prise en charge (le hub parle la version "
            "{ours}) : mettez Companion à jour."
        ).format(theirs=version.strip(), ours=PROTOCOL)
        return JSONResponse(
            {"error": "protocol_mismatch", "message": message, "protocol": PROTOCOL}, 426
        )
    return None


def create_app(store: HubStore, limits: Limits | None = None) -> ASGIApp:
    """The hub's ASGI app over ``store``."""
    limits = limits or Limits()
    buckets = TokenBuckets(limits.push_burst, limits.push_rate)

    async def status(request: Request) -> Response:
        member = request.state.member
        state = await run_in_threadpool(store.state)
        return JSONResponse({
            "protocol": PROTOCOL, "epoch": state.epoch, "hub_seq": state.seq,
            "server_time_ms": physical_ms(),
            "member": {"id": member.id, "name": member.name, "role": member.role},
            "limits": {
                "max_batch_changes": MAX_BATCH_CHANGES,
                "max_request_bytes": limits.max_request_bytes, "max_pull": limits.max_pull,
            },
        })  # fmt: skip

    async def push(request: Request) -> Response:
        member = request.state.member
        wait = buckets.take(member.id)
        if wait > 0:
            seconds = str(max(1, math.ceil(wait)))
            message = _("Trop d'envois : réessayez dans {seconds} s.").format(seconds=seconds)
            return error(429, "rate_limited", message, {"Retry-After": seconds})
        try:
            parsed, invalid = wire.push_request_from_json(wire.parse_json(await request.body()))
        except ProtocolError as problem:
            return error(400, "invalid", _("Envoi refusé : {problem}.").format(problem=problem))
        try:
            outcome = await run_in_threadpool(store.push, member, parsed, invalid)
        except BatchConflict:
            return error(409, "batch_conflict", _("Ce numéro de lot appartient à un autre membre."))
        body = wire.push_response_to_json(outcome.response)
        return JSONResponse(body, outcome.status)

    def pull(request: Request) -> Response:
        since = _integer(request.query_params.get("since"), 0)
        limit = _integer(request.query_params.get("limit"), limits.max_pull)
        if since is None:
            message = _("Paramètre since invalide : un entier de 0 à {max} est attendu.")
            return error(400, "invalid", message.format(max=INT64_MAX))
        if limit is None or not 1 <= limit <= limits.max_pull:
            message = _("Paramètre limit invalide : un entier de 1 à {max} est attendu.")
            return error(400, "invalid", message.format(max=limits.max_pull))
        grouped = request.query_params.get("format") == "records"
        page = store.pull_page(since, limit)
        return Response(
            wire.pull_page_to_json_text(page, physical_ms(), grouped),
            media_type="application/json",
        )

    def manifest(request: Request) -> Response:
        state = store.state()
        return JSONResponse({
            "items": [wire.manifest_item_to_json(item) for item in store.manifest()],
            "epoch": state.epoch, "server_time_ms": physical_ms(),
        })  # fmt: skip

    def toolbox_file(request: Request) -> Response:
        sha256 = request.path_params["sha256"]
        found = store.toolbox_file(sha256) if _SHA256.match(sha256) else None
        if found is None:
            return error(404, "not_found", _("Fichier inconnu du hub."))
        return _file_response(found[0], found[1], sha256, request.headers.get("range"))

    def addresses_manifest(request: Request) -> Response:
        files = address_files(store)
        asked = request.query_params.get("departements")
        if asked is not None:
            codes = [code for code in asked.split(",") if code]
            bad = [code for code in codes if not DEPARTEMENT.fullmatch(code)]
            if bad or not codes or len(codes) > 120:
                message = _("Paramètre departements invalide : des numéros de département "
                            "séparés par des virgules sont attendus.")  # fmt: skip
                return error(400, "invalid", message)
            files = [f for f in files if f.departement in codes]
        return JSONResponse({
            "departements": [f.to_json() for f in files], "server_time_ms": physical_ms(),
        })  # fmt: skip

    def addresses_file(request: Request) -> Response:
        code = request.path_params["departement"]
        if not DEPARTEMENT.fullmatch(code):
            return error(400, "invalid", _("Numéro de département invalide."))
        entry = address_file(store, code)
        found = store.files_dir / entry.sha256 if entry is not None else None
        if found is None or not found.is_file():
            return error(404, "not_found", _("Adresses de ce département absentes du hub."))
        return _file_response(found, entry.size, entry.sha256, request.headers.get("range"))

    async def too_large(request: Request, exc: Exception) -> Response:
        return _too_large(limits.max_request_bytes)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = _("Adresse inconnue.") if exc.status_code == 404 else str(exc.detail)
        return error(exc.status_code, "not_found" if exc.status_code == 404 else "http", message)

    routes = [
        Route("/v1/status", status),
        Route("/v1/push", push, methods=["POST"]),
        Route("/v1/pull", pull),
        Route("/v1/toolbox/manifest", manifest),
        Route("/v1/toolbox/files/{sha256}", toolbox_file),
        Route("/v1/addresses/manifest", addresses_manifest),
        Route("/v1/addresses/files/{departement}", addresses_file),
    ]
    middleware = [
        Middleware(Guard, store=store),  # type: ignore[arg-type]
        Middleware(  # type: ignore[arg-type]
            BodyLimit,
            limit=limits.max_request_bytes,
            refuse=lambda: _too_large(limits.max_request_bytes),
        ),
    ]

    async def server_error(request: Request, exc: Exception) -> Response:
        return error(500, "server", _("Erreur interne du hub ; réessayez plus tard."))

    handlers = {BodyTooLarge: too_large, HTTPException: http_error, 500: server_error}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.router.redirect_slashes = False  # "/v1/status/" is unknown: a JSON 404, no redirect
    return app


def _too_large(limit: int) -> Response:
    message = _("Requête trop volumineuse (plus de {megabytes} Mo).").format(
        megabytes=round(limit / 1_048_576, 1)
    )
    return error(413, "too_large", message, {"Connection": "close"})


def _integer(text: str | None, default: int) -> int | None:
    """A query parameter as a 64-bit integer ≥ 0 (ASCII digits only), its default when
    absent or empty, None otherwise."""
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= INT64_MAX else None


def _file_response(path: Path, size: int, sha256: str, range_header: str | None) -> Response:
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"'}
    try:
        wanted = parse_range(range_header, size)
    except RangeNotSatisfiable:
        headers["Content-Range"] = f"bytes */{size}"
        return error(416, "range", _("Plage d'octets hors du fichier."), headers)
    start, end = wanted if wanted is not None else (0, size - 1)
    headers["Content-Length"] = str(end - start + 1)
    if wanted is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(
        _read(path, start, end - start + 1),
        206 if wanted is not None else 200,
        headers=headers,
        media_type="application/octet-stream",
    )


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                return
            length -= len(block)
            yield block
