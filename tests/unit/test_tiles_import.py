"""Importing a basemap file (MBTiles): checked, copied into basemaps/, served read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tile_server import make_mbtiles

from companion.maps.tiles import (
    BBox,
    TileCache,
    TileError,
    TileFetcher,
    available_sources,
    import_mbtiles,
)
from tests.french import fr

PLAN = {
    "name": "Plan du réseau",
    "format": "png",
    "bounds": "-5.2,41.3,9.6,51.1",
    "minzoom": "5",
    "maxzoom": "7",
    "attribution": "© le réseau",
}
TILES = {(5, 16, 11): b"z5 tile", (7, 64, 44): b"z7 tile"}


def test_import_copies_and_serves_the_file(tmp_path):
    original = make_mbtiles(tmp_path / "reseau.mbtiles", PLAN, TILES)
    data = tmp_path / "data"
    source = import_mbtiles(original, data)
    assert source.name == fr("Fond de carte importé : Plan du réseau")
    assert source.read_only and source.url is None
    assert source.path == data / "basemaps" / "plan-du-reseau.mbtiles" and source.path.is_file()
    assert (source.format, source.min_zoom, source.max_zoom) == ("png", 5, 7)
    assert source.bounds == BBox(-5.2, 41.3, 9.6, 51.1)
    assert source.attribution == "© le réseau"
    assert [p.name for p in source.path.parent.iterdir()] == ["plan-du-reseau.mbtiles"]
    original.unlink()  # the copy stands on its own
    cache = TileCache(data)
    fetcher = TileFetcher(cache, online=True)
    assert fetcher.get(source, 5, 16, 11) == b"z5 tile"  # XYZ in, TMS on disk
    assert fetcher.get(source, 7, 64, 44) == b"z7 tile"
    assert fetcher.get(source, 6, 32, 22) is None  # never fetched: a basemap has no URL
    cache.close()
    assert source in available_sources(data)  # registered: found again at the next start


def test_missing_zooms_and_name_come_from_the_file(tmp_path):
    original = make_mbtiles(tmp_path / "sans-nom.mbtiles", {"format": "jpg"}, TILES)
    source = import_mbtiles(original, tmp_path / "data")
    assert source.name == fr("Fond de carte importé : sans-nom")
    assert (source.format, source.min_zoom, source.max_zoom, source.bounds) == ("jpg", 5, 7, None)


def test_importing_the_same_basemap_again_replaces_it(tmp_path):
    data = tmp_path / "data"
    import_mbtiles(make_mbtiles(tmp_path / "v1.mbtiles", PLAN, TILES), data)
    newer = make_mbtiles(tmp_path / "v2.mbtiles", PLAN, {(5, 16, 11): b"new edition"})
    source = import_mbtiles(newer, data)
    assert len(list((data / "basemaps").iterdir())) == 1
    cache = TileCache(data)
    assert cache.get(source, 5, 16, 11) == b"new edition" and cache.stats(source).count == 1
    cache.close()


def bad_files(folder: Path) -> list[tuple[Path, str]]:
    text = folder / "notes.mbtiles"
    text.write_text("ceci n'est pas une base de données " * 50)
    no_tiles = folder / "sans-tuiles.mbtiles"
    with sqlite3.connect(no_tiles) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    empty = make_mbtiles(folder / "vide.mbtiles", PLAN, {})
    odd = make_mbtiles(folder / "format.mbtiles", {**PLAN, "format": "tiff"}, TILES)
    return [
        (text, "ce n'est pas une base SQLite lisible"),
        (no_tiles, fr("la table « tiles » manque")),
        (empty, "il ne contient aucune tuile"),
        (odd, fr("format de tuiles « tiff » non pris en charge")),
        (folder / "absent.mbtiles", "fichier introuvable"),
    ]


def test_a_bad_file_is_refused_with_its_name(tmp_path):
    data = tmp_path / "data"
    for path, reason in bad_files(tmp_path):
        with pytest.raises(TileError) as refused:
            import_mbtiles(path, data)
        message = str(refused.value)
        assert str(path) in message and reason in message
        if path.exists():
            assert "n'est pas un fichier MBTiles valide" in message
    assert not (data / "basemaps").exists()  # nothing copied


def test_a_broken_file_in_basemaps_is_left_out(tmp_path):
    data = tmp_path / "data"
    (data / "basemaps").mkdir(parents=True)
    (data / "basemaps" / "abime.mbtiles").write_bytes(b"\x00" * 100)
    import_mbtiles(make_mbtiles(tmp_path / "ok.mbtiles", PLAN, TILES), data)
    names = [source.name for source in available_sources(data)]
    assert names == ["OpenStreetMap (standard)", fr("Fond de carte importé : Plan du réseau")]
