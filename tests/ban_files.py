"""Address files for the tests, in the Base Adresse Nationale's format (generated, never
downloaded), and a BAN-like HTTP server on 127.0.0.1 that serves them with byte ranges
and can cut a transfer midway.
"""

from __future__ import annotations

import gzip
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;"
    "code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;"
    "libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;"
    "cad_parcelles"
)
# Streets of Nogent-sur-Marne (94130, INSEE 94052) with their first number's position.
NOGENT_STREETS = [
    ("Rue des Écoles", 2.4801, 48.8371),
    ("Avenue de la République", 2.4700, 48.8400),
    ("Grande Rue Charles de Gaulle", 2.4820, 48.8360),
]


def ban_row(number, rep, street, postcode, insee, commune, lon, lat) -> str:
    return (
        f"{insee}_x_{number:05d};;{number};{rep};{street};{postcode};{insee};{commune};;;0;0;"
        f"{lon};{lat};entrée;;;{commune.upper()};{street.upper()};commune;commune;1;"
    )


def nogent_rows(count: int, seed: int = 1) -> list[str]:
    """``count`` addresses in Nogent-sur-Marne: the three streets above (numbers 1 to 40),
    then numbered streets with scattered positions (so the gzip stays large)."""
    rng = random.Random(seed)
    rows = []
    for street, lon, lat in NOGENT_STREETS:
        for number in range(1, 41):
            place = (round(lon + number * 1e-5, 6), round(lat + number * 1e-5, 6))
            rows.append(ban_row(number, "", street, "94130", "94052", "Nogent-sur-Marne", *place))
    while len(rows) < count:
        street = f"Rue Numéro {rng.randrange(1, 900)}"
        rows.append(ban_row(rng.randrange(1, 3000), "", street, "94130", "94052",
                            "Nogent-sur-Marne", round(2.47 + rng.random() / 50, 6),
                            round(48.83 + rng.random() / 50, 6)))  # fmt: skip
    return rows[:count]


def ban_bytes(rows: list[str]) -> bytes:
    return gzip.compress(("\n".join([HEADER, *rows]) + "\n").encode("utf-8"), mtime=0)


def ban_file(path: Path, rows: list[str]) -> Path:
    path.write_bytes(ban_bytes(rows))
    return path


@dataclass
class BanServer:
    """Serves ``files`` (name -> bytes) under ``/csv/<name>``; ``cut_after``: the next
    whole-or-partial answer stops after that many bytes and the connection is closed."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_after: int | None = None
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # path, Range
    url: str = ""


@contextmanager
def ban_server(files: dict[str, bytes]) -> Iterator[BanServer]:
    state = BanServer(dict(files))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            wanted = self.headers.get("Range")
            state.requests.append((self.path, wanted))
            data = (
                state.files.get(self.path.rsplit("/", 1)[-1])
                if self.path.startswith("/csv/")
                else None
            )
            if data is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start, status = 0, 200
            if wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
                start, status = int(wanted[6:-1]), 206
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            body = data[start:]
            self.send_response(status)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            cut, state.cut_after = state.cut_after, None
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # the transfer stops midway
                return
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/csv"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
