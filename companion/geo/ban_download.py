"""Downloading a département's addresses from the Base Adresse Nationale, when the user
allowed it (``ONLINE_SETTING``, off by default: without it no request is ever made).

The file (``adresses-94.csv.gz``, tens of MB) arrives in the data folder as
``adresses-94.csv.gz.part``; a cut connection, a cancel or a closed app leave that part
where it is, and the next attempt asks only for the rest (HTTP ``Range``, with
``If-Range`` so that a file republished meanwhile starts again from its first byte).
Complete, the file is checked whole (``check_file``: gzip intact, the BAN's columns, the
département asked for) before ``build_index`` replaces that département's addresses in
one transaction; then the part is deleted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from companion import __version__, filemodes
from companion.errors import CompanionError
from companion.geo.address_files import check_departement, check_file
from companion.geo.addresses import build_index
from companion.i18n import _

DEFAULT_BASE_URL = "https://adresse.data.gouv.fr/data/ban/adresses/latest/csv"
BASE_URL_SETTING = "addresses.ban_url"  # the store's setting that replaces DEFAULT_BASE_URL
ONLINE_SETTING = "addresses.online"  # "1": the user allowed downloads
ATTEMPTS = 3  # transfers cut in a row before giving up (the next attempt resumes)
TIMEOUT = httpx.Timeout(60.0, connect=10.0)

Progress = Callable[[int, int, str], None]


class DownloadRefused(CompanionError):
    """Online features are off: nothing was asked of the network."""


def file_name(departement: str) -> str:
    return f"adresses-{departement}.csv.gz"


def part_path(data_dir: Path, departement: str) -> Path:
    return Path(data_dir) / f"{file_name(departement)}.part"


def download_departement(
    departement: str,
    data_dir: Path,
    *,
    online: bool,
    base_url: str = DEFAULT_BASE_URL,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    attempts: int = ATTEMPTS,
    client: httpx.Client | None = None,
) -> tuple[str, int]:
    """Download a département's BAN file (resuming its part), check it, index it; returns
    (département, addresses). ``online`` False: a French refusal, and no request."""
    if not online:
        raise DownloadRefused(
            _("Le téléchargement des adresses n'est pas autorisé : cochez « Autoriser le "
              "téléchargement des adresses » dans les Préférences.")
        )  # fmt: skip
    code = check_departement(departement)
    url = f"{(base_url or DEFAULT_BASE_URL).rstrip('/')}/{file_name(code)}"
    part = part_path(data_dir, code)
    own = client is None
    client = client or httpx.Client(
        timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": f"Companion/{__version__}"}
    )
    try:
        fetch_resumable(client, url, part, progress, cancel, attempts)
    finally:
        if own:
            client.close()
    try:
        found = check_file(part, shown_name=url)
        if found != code:
            raise CompanionError(
                _("« {url} » contient les adresses du département {found}, pas du {code}.").format(
                    url=url, found=found, code=code
                )
            )
    except CompanionError:
        _discard(part)  # complete but wrong: the next attempt starts afresh
        raise
    result = build_index(part, data_dir, progress, cancel, name=file_name(code))
    _discard(part)
    return result


def fetch_resumable(
    client: httpx.Client,
    url: str,
    part: Path,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    attempts: int = ATTEMPTS,
) -> None:
    """``url`` into ``part``, after the bytes ``part`` already holds. A transfer cut after
    it brought bytes resumes at once, ``attempts`` times at most; a failure raises a
    French error and the part stays, for the next attempt."""
    while True:
        have = part.stat().st_size if part.is_file() else 0
        tag = _tag_path(part)
        headers = {}
        if have:
            headers["Range"] = f"bytes={have}-"
            if tag.is_file():
                headers["If-Range"] = tag.read_text(encoding="utf-8").strip()
        received = [0]
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 416 and have:
                    return  # the part holds the whole file already
                if response.status_code not in (200, 206):
                    raise CompanionError(_refusal(url, response.status_code))
                start = _start_of(response, have)
                validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
                if validator and not start:
                    filemodes.private_file(tag).write_text(validator, encoding="utf-8")
                total = _total(response, start)
                _write(response, part, start, total, progress, cancel, received)
                return
        except httpx.TransportError as error:
            attempts -= 1
            if received[0] and attempts > 0:
                continue  # the transfer went forward before it was cut: resume at once
            raise CompanionError(
                _("Téléchargement interrompu ({url} : {detail}) ; il reprendra où il s'est "
                  "arrêté.").format(url=url, detail=_describe(error))
            ) from error  # fmt: skip


def _write(
    response: httpx.Response,
    part: Path,
    start: int,
    total: int,
    progress: Progress | None,
    cancel: threading.Event | None,
    received: list[int],
) -> None:
    """The body into ``part`` from ``start``, each block flushed as it comes: a cut
    transfer keeps what it brought."""
    done = start
    with filemodes.open_private(part, "r+b" if start and part.exists() else "wb") as out:
        out.seek(start)
        out.truncate()
        for block in response.iter_bytes():  # as it comes: no block held back
            if cancel is not None and cancel.is_set():
                raise CompanionError(_("Téléchargement annulé : les adresses n'ont pas changé."))
            out.write(block)
            out.flush()
            done += len(block)
            received[0] += len(block)
            if progress:
                progress(done, total, _("{done} sur {total} Mo téléchargés").format(
                    done=f"{done / 1e6:.1f}", total=f"{total / 1e6:.1f}" if total else "?"
                ))  # fmt: skip


def _start_of(response: httpx.Response, have: int) -> int:
    """Where the answer's bytes go: ``have`` for a 206 honouring the range, 0 for a whole
    file (a server without ranges, or a file changed since the part began)."""
    if response.status_code == 200:
        return 0
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    if match is None or int(match.group(1)) != have:
        raise CompanionError(_("Réponse inattendue du serveur (plage d'octets)."))
    return have


def _total(response: httpx.Response, start: int) -> int:
    match = re.search(r"/(\d+)$", response.headers.get("Content-Range", ""))
    if match:
        return int(match.group(1))
    length = response.headers.get("Content-Length", "")
    return start + int(length) if length.isdigit() else 0


def _tag_path(part: Path) -> Path:
    return part.with_name(part.name + ".etag")


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    _tag_path(part).unlink(missing_ok=True)


def _refusal(url: str, status: int) -> str:
    if status == 404:
        return _("« {url} » n'existe pas (404) : vérifiez le numéro du département.").format(
            url=url
        )
    return _("Le serveur a refusé « {url} » ({status}).").format(url=url, status=status)


def _describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return _("délai dépassé")
    if isinstance(error, httpx.ConnectError):
        return _("connexion impossible")
    return _("connexion coupée")
