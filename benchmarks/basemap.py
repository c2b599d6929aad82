"""The basemap at the scale of a commune: one viewport's answer from ``outlines.sqlite``.

Prints one JSON object: the route (``MapServer.respond``, as the page asks) for a
1366x768 window over Île-de-France at zooms 8 to 12, first request and then p50/p95
of repeated ones, with the size of each answer, and what the page asks at zoom 9 (one
cell, a 256-pixel tile of zoom 9). Then each answer parsed (``json.loads``, as the page
must parse it too). The baseline is the plain way of serving an offline basemap: one
GeoJSON file of every commune and intercommunalité, read whole (from the disk cache,
as the viewport's file is), and parsed.
Run through ``python -m benchmarks basemap``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import zlib
from pathlib import Path

from benchmarks.common import emit, summary, time_ms
from companion.geo.outlines import Outlines, OutlinesMissing
from companion.maps.server import MapServer

REPEATS = 30
TARGET_MS = 100.0  # at zoom 8 over Île-de-France, p95
WINDOW = (1366, 768)
PARIS_EAST = (48.75, 2.5)  # the view's centre: Paris and the Marne valley


def window_bbox(zoom: int) -> str:
    """The bounds a 1366x768 window shows at ``zoom`` around ``PARIS_EAST``."""
    scale = 256 * 2**zoom
    lat, lon = PARIS_EAST
    centre_y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale

    def latitude(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))

    width, height = WINDOW
    half_lon = width / scale * 180
    south, north = latitude(centre_y + height / 2), latitude(centre_y - height / 2)
    return f"{lon - half_lon:.5f},{south:.5f},{lon + half_lon:.5f},{north:.5f}"


def whole_file(folder: Path) -> Path:
    """Every commune's and intercommunalité's outline in one GeoJSON file."""
    import sqlite3

    outlines = Outlines()
    db = sqlite3.connect(outlines.path)
    zdict = db.execute("SELECT value FROM meta WHERE key = 'zdict'").fetchone()[0]
    rows = db.execute("SELECT feature FROM area WHERE level IN ('commune', 'epci')")
    parts = [zlib.decompressobj(zdict=zdict).decompress(row[0]) for row in rows]
    db.close()
    path = folder / "communes.geojson"
    path.write_bytes(b'{"type":"FeatureCollection","features":[' + b",".join(parts) + b"]}")
    return path


def main() -> int:
    server = MapServer(Path("unused.db"))  # the outlines need no store
    record: dict[str, object] = {"bench": "basemap", "window": "x".join(map(str, WINDOW))}
    try:
        for zoom in (8, 9, 10, 12):
            path = f"data/outlines.geojson?z={zoom}&bbox={window_bbox(zoom)}"
            first = time_ms(lambda path=path: server.respond(path))
            response = server.respond(path)
            if response is None or response.status != 200:
                print(f"no answer for {path}", file=sys.stderr)
                return 1
            samples = [time_ms(lambda path=path: server.respond(path)) for _ in range(REPEATS)]
            record[f"z{zoom}_first_ms"] = round(first, 2)
            record.update(summary(samples, f"z{zoom}_"))
            record[f"z{zoom}_features"] = len(json.loads(response.body)["features"])
            record[f"z{zoom}_kib"] = round(len(response.body) / 1024)
            record[f"z{zoom}_with_parse_ms"] = round(
                time_ms(lambda path=path: json.loads(server.respond(path).body)), 2
            )
        cell = "data/outlines.geojson?z=9&bbox=2.10938,48.69096,2.8125,49.15297"  # a z9 tile
        samples = [time_ms(lambda: server.respond(cell)) for _ in range(REPEATS)]
        record.update(summary(samples, "z9_cell_"))
    except OutlinesMissing as error:
        print(f"{error}: run `make data`", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        path = whole_file(Path(folder))
        path.read_bytes()  # into the disk cache, as the viewport's file is
        samples = [time_ms(path.read_bytes) for _ in range(REPEATS)]
        record["baseline"] = "one GeoJSON file of every commune and EPCI, read whole"
        record.update(summary(samples, "baseline_"))
        record["baseline_kib"] = round(path.stat().st_size / 1024)
        record["baseline_with_parse_ms"] = round(time_ms(lambda: json.loads(path.read_bytes())), 2)
    record["target_z8_p95_ms"] = TARGET_MS
    record["ok"] = record["z8_p95_ms"] < TARGET_MS
    emit(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
