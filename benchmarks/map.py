"""The actor map on 100,000 actors and 40,000 relations (and on 50,000 / 20,000, the
figures of earlier issues), offscreen, versus folium's own answer for many points.

Figures, all in the same process and run for one size (each size runs in a process
of its own, so memory is not shared between them):
- ``engine_start_ms``: QtWebEngine's own start (import, a first view on a blank page),
  measured first, as the app pays it once when the map is first opened.
- ``drawn_ms``: then, from "show the map" (importing the map page and creating it)
  until the page reports its actors clustered and drawn and the basemap drawn: the map
  is interactive. ``drawn_cold_ms`` adds the engine's start: what a user waits the
  first time (the issue's 3 s is held against it). The baseline is loaded in the same
  started engine, so ``ratio`` (baseline / ``drawn_ms``) compares like with like.
- ``filter_ms``: a filter change, from the call until the page reports it applied
  (markers, clusters and lines set); ``painted_ms``: until the frame showing it is
  painted (the canvases rasterised: thousands of relation lines cost about 0.1 s in
  software rendering). Every change draws every relation it keeps (mode "all", the
  heaviest; the map's default draws none at the scale of the country).
- ``click_ms``: a real left click (a Qt mouse event sent to the web view) on an actor's
  marker, until the frame showing its card is painted, for several actors.
- ``peak_rss_mb``: resident memory of the whole process tree (this process and
  its QtWebEngineProcess children), sampled after drawing, each filter and each click.
- ``baseline_drawn_ms``: folium's ``FastMarkerCluster`` for the same located actors
  (each marker bound to a popup with its name, kind and commune, so both pages answer
  the same clicks) and every relation (one ``GeoJson`` multi-line a type, in its colour
  and dashes: the map's heaviest case, every relation drawn), assets local, generated
  then loaded from a file URL, until its clusters show.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import CACHE, demo_folder, emit

SIZES = ((100_000, 40_000), (50_000, 20_000))  # actors, relations
CATALYSTS = 350
BASELINE_CAP_S = 300
CLICKS = 12
TARGETS = {  # issue #15, for 100,000 actors and 40,000 relations
    "drawn_ms": 3000,
    "painted_max_ms": 200,
    "click_max_ms": 100,
    "peak_rss_mb": 1536,
    "ratio_at_least": 2.0,
}
EARLIER_50K = {"drawn_ms": 2200, "filter_max_ms": 296}  # issue #15's "last time"


def map_database(actors: int, relations: int) -> Path:
    """A demo with exactly ``actors`` located actors and ``relations`` live relations.

    The demo's size is approximate: a slightly larger one is generated, its actors past
    the first ``actors`` (catalysts first) are removed with their relations, then the
    first ``relations`` live relations are kept. Built once, then cached."""
    path = CACHE / f"map-v2-{actors}-{relations}" / "companion.db"
    if path.exists():
        return path
    source = demo_folder(CATALYSTS, actors * 103 // 100) / "companion.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    shutil.copyfile(source, partial)
    conn = sqlite3.connect(partial)
    with conn:
        conn.execute(
            "DELETE FROM actors WHERE seq NOT IN (SELECT seq FROM actors WHERE deleted = 0"
            " AND latitude IS NOT NULL ORDER BY seq LIMIT ?)",
            (actors,),
        )
        conn.execute(
            "DELETE FROM relations WHERE source_id NOT IN (SELECT id FROM actors)"
            " OR target_id NOT IN (SELECT id FROM actors)"
        )
        conn.execute(
            "DELETE FROM relations WHERE seq NOT IN "
            "(SELECT seq FROM relations WHERE deleted = 0 ORDER BY seq LIMIT ?)",
            (relations,),
        )
    found = conn.execute("SELECT count(*) FROM actors").fetchone()[0]
    live = conn.execute("SELECT count(*) FROM relations WHERE deleted = 0").fetchone()[0]
    conn.execute("VACUUM")
    conn.close()
    if (found, live) != (actors, relations):
        raise SystemExit(f"the demo has {found} actors and {live} relations")
    os.replace(partial, path)
    return path


def process_tree_rss_mb() -> float:
    """Resident memory of this process and all its descendants, in MiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry.name)] = int(line.split()[1])
    total, todo = 0, [os.getpid()]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return round(total / 1024, 1)


def wait_until(condition, timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` (never processEvents in a loop: it leaks)."""
    from PySide6.QtCore import QEventLoop, QTimer

    end = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > end:
            return False
        loop = QEventLoop()
        QTimer.singleShot(5, loop.quit)
        loop.exec()
    return True


def run_js(view, code: str, timeout_s: float = 30):
    result: list = []
    view.page().runJavaScript(code, 0, result.append)
    wait_until(lambda: bool(result), timeout_s)
    return result[0] if result else None


def main(argv: list[str] | None = None) -> None:
    """Every size, each in a process of its own; or one size (``--actors N --relations M``)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks map")
    parser.add_argument("--actors", type=int)
    parser.add_argument("--relations", type=int)
    options = parser.parse_args(argv or [])
    if options.actors:
        measure_size(options.actors, options.relations or options.actors * 2 // 5)
        return
    for actors, relations in SIZES:
        command = [sys.executable, "-m", "benchmarks", "map"]
        command += ["--actors", str(actors), "--relations", str(relations)]
        subprocess.run(command, check=True)


def measure_size(actors: int, relations: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    database = map_database(actors, relations)
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([])
    from companion.store import Store

    store = Store.open(database)
    engine_ms = start_engine()
    record = measure_map(store)
    record["engine_start_ms"] = round(engine_ms, 1)
    record["drawn_cold_ms"] = round(engine_ms + record["drawn_ms"], 1)
    record.update(measure_baseline(store))
    store.close()
    drawn, baseline = record["drawn_ms"], record.get("baseline_drawn_ms")
    record["ratio"] = round(baseline / drawn, 1) if baseline else None
    drawn = record["drawn_cold_ms"]
    if actors == 50_000:
        record["earlier"] = EARLIER_50K
    else:
        record["targets"] = TARGETS
        record["meets_targets"] = bool(
            drawn <= TARGETS["drawn_ms"]
            and record["painted_max_ms"] <= TARGETS["painted_max_ms"]
            and record["click_max_ms"] <= TARGETS["click_max_ms"]
            and record["peak_rss_mb"] <= TARGETS["peak_rss_mb"]
            and (record["ratio"] or 0) >= TARGETS["ratio_at_least"]
        )
    emit(record)
    app.processEvents()  # once, to let the deleted views go before the application
    # This process measured one size and printed it: leave without Python's finalization,
    # where PySide 6 may abort on a refcount (bool_dealloc) after the web engine ran.
    sys.stdout.flush()
    os._exit(0)


def start_engine() -> float:
    """Start QtWebEngine as the app does the first time a page shows (import, one view on
    a blank page), in milliseconds: both pages measured next start from there."""
    started = time.perf_counter()
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView

    from companion.ui.map.scheme import register_scheme

    register_scheme()  # before any view, as the app does
    view = QWebEngineView()
    view.resize(320, 200)
    view.show()
    loaded: list[bool] = []
    view.loadFinished.connect(loaded.append)
    view.load(QUrl("about:blank"))
    if not wait_until(lambda: bool(loaded), 60):
        raise SystemExit("the web engine did not start within 60 s")
    elapsed = (time.perf_counter() - started) * 1000
    view.close()
    view.deleteLater()
    return elapsed


def filters() -> list:
    """Filter changes as a user makes them in the panel, ending back on "everything".

    Every relation is drawn (the heaviest case: the map's default draws none at the
    scale of the country until an actor is chosen), but in the change that hides them."""
    from dataclasses import replace

    from companion.maps.filters import MapFilter

    changes = [
        MapFilter(),
        MapFilter(kinds=frozenset({"association"})),
        MapFilter(region="84"),
        MapFilter(text="solid"),
        MapFilter(tags=frozenset({"Alimentation", "Mobilité"})),
        MapFilter(relations="none"),
        MapFilter(kinds=frozenset({"catalyseur", "collectivite", "fondation"})),
        MapFilter(),
        MapFilter(visibility="network"),
        MapFilter(departement="33"),
        MapFilter(),
    ]
    return [
        spec if spec.relations == "none" else replace(spec, relations="all") for spec in changes
    ]


def measure_map(store) -> dict:
    """Show the map, wait until it is drawn, then time filter changes and clicks."""
    start = time.perf_counter()
    from companion.ui.map.page import MapPage  # loads QtWebEngine: part of "show the map"

    page = MapPage(store)
    page.resize(1280, 800)
    page.show()
    view = page.view
    if not wait_until(lambda: view.is_ready and view.is_drawn, 120):
        raise SystemExit("the map did not draw within 120 s")
    drawn_ms = (time.perf_counter() - start) * 1000
    status = json.loads(run_js(view, "JSON.stringify(window.companionMapStatus)"))
    rss = process_tree_rss_mb()
    filter_ms, painted_ms, page_ms = [], [], []
    for spec in filters():
        started = time.perf_counter()
        seq = view.apply_filter(spec)
        if not wait_until(lambda seq=seq: view.last_applied.get("seq") == seq, 60):
            raise SystemExit(f"filter {spec} not applied within 60 s")
        filter_ms.append((time.perf_counter() - started) * 1000)
        page_ms.append(view.last_applied.get("ms") or 0)
        if not wait_until(lambda seq=seq: view.last_painted.get("seq") == seq, 10):
            raise SystemExit(f"filter {spec} not painted within 10 s")
        painted_ms.append((time.perf_counter() - started) * 1000)
        rss = max(rss, process_tree_rss_mb())
    click_ms = measure_clicks(store, view)
    rss = max(rss, process_tree_rss_mb())
    page.close()
    page.deleteLater()
    return {
        "bench": "map",
        "actors": status["markers"] + status["catalysts"],
        "relations": status["relations"],
        "drawn_ms": round(drawn_ms, 1),
        "filter_changes": len(filter_ms),
        "filter_p50_ms": round(statistics.median(filter_ms), 1),
        "filter_max_ms": round(max(filter_ms), 1),
        "filter_each_ms": [round(ms) for ms in filter_ms],
        "filter_in_page_each_ms": [round(ms) for ms in page_ms],
        "painted_p50_ms": round(statistics.median(painted_ms), 1),
        "painted_max_ms": round(max(painted_ms), 1),
        "painted_each_ms": [round(ms) for ms in painted_ms],
        "clicks": len(click_ms),
        "click_p50_ms": round(statistics.median(click_ms), 1),
        "click_max_ms": round(max(click_ms), 1),
        "peak_rss_mb": rss,
    }


def measure_clicks(store, view) -> list[float]:
    """Real clicks on actors' markers, each until the frame showing its card is painted.

    The actors are spread over the country (every n-th located one); the map is set at
    street level around each, where its marker stands alone, before the click."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    rows = store.conn.execute(
        "SELECT seq, id, latitude, longitude FROM actors WHERE deleted = 0"
        " AND latitude IS NOT NULL ORDER BY seq"
    ).fetchall()
    step = max(1, len(rows) // (CLICKS * 4))
    target = view.focusProxy() or view
    times: list[float] = []
    for seq, actor_id, latitude, longitude in rows[::step]:
        if len(times) == CLICKS:
            break
        run_js(view, "companionMap.map().closePopup(); 1")
        run_js(view, f"companionMap.map().setView([{latitude}, {longitude}], 18,"
                     " {animate: false}); 1")  # fmt: skip
        point = None
        if wait_until(lambda: not run_js(view, "!!document.querySelector('.leaflet-popup')"), 5):
            point = json.loads(run_js(view, f"JSON.stringify(companionMap.markerPoint({seq}))"))
        if not point:
            continue  # in a cluster even at street level (several at one address)
        started = time.perf_counter()
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(*point))
        opened = lambda wanted=actor_id: view.last_card_painted.get("actorId") == wanted  # noqa: E731
        if not wait_until(opened, 10):
            continue  # another marker lay on top of it at that point
        times.append((time.perf_counter() - started) * 1000)
    if len(times) < CLICKS // 2:
        raise SystemExit(f"only {len(times)} clicks opened their card")
    return times


def write_baseline(store, path: Path) -> int:
    """folium's FastMarkerCluster of the located actors, a popup each (name, kind, commune)."""
    import folium
    import folium.plugins

    from companion.maps import assets

    def local(path: str) -> str:
        found = assets.resolve(path)
        assert found is not None, path
        return found.path.as_uri()

    rows = store.conn.execute(
        "SELECT name, kind, coalesce(commune, ''), latitude, longitude FROM actors "
        "WHERE deleted = 0 AND latitude IS NOT NULL AND longitude IS NOT NULL"
    ).fetchall()
    folium_map = folium.Map(location=(46.6, 2.4), zoom_start=6, tiles=None, maxZoom=18)
    folium_map.default_js = [("leaflet", local("vendor/leaflet/leaflet.js"))]
    folium_map.default_css = [("leaflet_css", local("vendor/leaflet/leaflet.css"))]
    callback = (
        "function (row) { var marker = L.marker(new L.LatLng(row[0], row[1]));"
        " marker.bindPopup(row[2]); return marker; }"
    )
    data = [
        [latitude, longitude, html.escape(f"{name} ({kind}, {commune})")]
        for name, kind, commune, latitude, longitude in rows
    ]
    cluster = folium.plugins.FastMarkerCluster(data, callback=callback)
    cluster.default_js = [
        ("markerclusterjs", local("vendor/markercluster/leaflet.markercluster.js"))
    ]
    cluster.default_css = [
        ("markerclustercss", local("vendor/markercluster/MarkerCluster.css")),
        ("markerclusterdefaultcss", local("vendor/markercluster/MarkerCluster.Default.css")),
    ]
    cluster.add_to(folium_map)
    add_baseline_relations(store, folium_map)
    folium_map.save(str(path))
    return len(rows)


def add_baseline_relations(store, folium_map) -> int:
    """The relations too, as folium draws lines most cheaply: one multi-line a type,
    in its colour and dashes (as the map draws them with every relation shown)."""
    import folium

    from companion.maps.style import RELATION_STYLES

    rows = store.conn.execute(
        "SELECT r.type, s.latitude, s.longitude, t.latitude, t.longitude FROM relations r"
        " JOIN actors s ON s.id = r.source_id JOIN actors t ON t.id = r.target_id"
        " WHERE r.deleted = 0 AND s.deleted = 0 AND t.deleted = 0"
        " AND s.latitude IS NOT NULL AND t.latitude IS NOT NULL"
    ).fetchall()
    by_type: dict[str, list] = {}
    for kind, lat1, lon1, lat2, lon2 in rows:
        by_type.setdefault(kind, []).append([[lon1, lat1], [lon2, lat2]])
    for kind, lines in by_type.items():
        colour, dashes = RELATION_STYLES.get(kind, RELATION_STYLES["autre"])
        style = {"color": colour, "weight": 1, "opacity": 0.16, "dashArray": dashes or None}
        geometry = {"type": "MultiLineString", "coordinates": lines}
        folium.GeoJson(geometry, style_function=lambda _feature, style=style: style).add_to(
            folium_map
        )
    return len(rows)


def measure_baseline(store) -> dict:
    """Generate the folium page, then load it from a file URL until its markers show."""
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWebEngineWidgets import QWebEngineView

    path = CACHE / "map-baseline-fast.html"
    start = time.perf_counter()
    markers = write_baseline(store, path)
    generated_ms = (time.perf_counter() - start) * 1000
    print(f"baseline page generated in {generated_ms / 1000:.1f} s", file=sys.stderr)
    record = {
        "baseline_markers": markers,
        "baseline_page_mb": round(path.stat().st_size / 2**20, 1),
        "baseline_generate_ms": round(generated_ms, 1),
    }
    profile = QWebEngineProfile()
    view = QWebEngineView()
    view.setPage(QWebEnginePage(profile, view))
    profile.setParent(view)
    view.resize(1280, 800)
    view.show()
    loaded: list[bool] = []
    view.loadFinished.connect(loaded.append)
    started = time.perf_counter()
    view.load(QUrl.fromLocalFile(str(path)))
    budget = max(10.0, BASELINE_CAP_S - generated_ms / 1000)
    shown = "document.querySelectorAll('.marker-cluster, .leaflet-marker-icon').length"
    drawn = wait_until(lambda: bool(loaded), budget) and wait_until(
        lambda: (run_js(view, shown) or 0) > 0, budget
    )
    load_ms = (time.perf_counter() - started) * 1000
    if drawn:
        record["baseline_load_ms"] = round(load_ms, 1)
        record["baseline_drawn_ms"] = round(generated_ms + load_ms, 1)
        record["baseline_peak_rss_mb"] = process_tree_rss_mb()
    else:
        record["baseline_drawn_ms"] = None
        record["baseline_capped_after_s"] = round((generated_ms + load_ms) / 1000, 1)
    view.close()
    view.deleteLater()
    return record
