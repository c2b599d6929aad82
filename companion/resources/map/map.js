/* Companion's actor map: offline basemap, clustered actors, catalysts, relations.
 *
 * The page is built once; data arrives after load (fetched from companion: URLs
 * that the app serves from its store) and filters arrive as what to match (kinds,
 * tags, places, visibility) and the text search's ids (applyState), so a filter
 * never rebuilds the page. Actors cluster in clusters.js, relations draw in lines.js.
 * Safety: data is only ever put in the page with textContent / DOM nodes.
 */
(function () {
  "use strict";

  var glyphsReady = false;  // the kind glyphs' font has loaded

  var status = {
    started: false, basemapLayers: 0, labels: 0, dataReady: false, drawn: false,
    markers: 0, catalysts: 0, relations: 0, visible: 0, visibleRelations: 0,
    applied: -1, errors: [], timings: {}, tiles: null, tileErrors: 0
  };
  window.companionMapStatus = status;

  var map = null;
  var config = null;
  var bridge = null;
  var unsent = [];
  var labelLayers = {};
  var coarseBorders = [];  // the simplified départements' and régions' borders
  var departementNames = new Set();  // as their labels write them
  var relationLayer = null;
  var relationLines = {};
  var flowLayer = null;  // relations summed between départements ("flows")
  var departementPoints = {};  // département code -> its label's point
  var drawnState = null;  // the filter state the relations were last drawn for
  var drawnKeep = null;
  var secondDegree = false;  // around the open card: its neighbours' relations too
  var cardPopup = null;
  var lineLegend = null;  // the legend's part for the lines drawn
  var relations = [];
  var relationsShown = {};  // type -> indexes in relations of the lines drawn
  var features = new Map();  // feature id -> actor feature
  var actorKeys = [];  // ids of every actor, all clustered together
  var catalystKeys = [];  // those of the catalysts, drawn above the others
  var clusterLayer = null;  // bubbles and single actors (clusters.js)
  var markers = new Map();  // point index -> the actor's marker, once made
  var pointIndex = new Map();  // feature id -> its point index (place in actorKeys)
  var pendingState = null;
  var loading = null;
  var markerRenderer = null;
  var hoverTip = null;  // the name of the actor under the pointer
  var pendingShow = null;  // actors to show once the markers are in place
  var openKey = null;  // the actor whose card is open
  var presenting = false;
  var contactsEnabled = false;  // personal data on the card, asked one actor at a time
  var banner = null;
  var dataVersion = 0;
  var tileLayer = null;
  var attributionBox = null;
  var featureList = [];  // point index -> the actor's feature (as actorKeys)
  var everyIndex = [];  // every point index: a filter keeping all
  var everyMask = new Uint8Array(0);
  var shownIndexes = [];  // the point indexes the last filter keeps, in order
  var shownMask = new Uint8Array(0);  // point index -> 1 when the last filter keeps it
  var zones = null;  // the zones under the actors (zones.js)
  var zoneLegend = null;  // the legend's part for them
  var zonePointer = null;  // the last pointer position over the map, hovered once a frame

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function mark(name) { status.timings[name] = Math.round(performance.now()); }

  function report(event, detail) {
    var text = JSON.stringify(detail || {});
    if (bridge) { bridge.report(event, text); } else { unsent.push([event, text]); }
  }

  function fail(error) {
    status.errors.push(String(error && error.stack || error));
    report("error", { message: String(error) });
  }

  function fetchJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
  }

  function addPane(name, zIndex, interactive) {
    var pane = map.createPane(name);
    pane.style.zIndex = String(zIndex);
    if (!interactive) { pane.style.pointerEvents = "none"; }
  }

  /* Canvases on screen; vectors (SVG) for paper, where nothing moves and print stays sharp. */
  function renderer(pane, padding) {
    return config.vector ? L.svg({ pane: pane, padding: 0 })
      : L.canvas({ pane: pane, padding: padding });
  }

  function toggle(layer, visible) {
    if (visible && !map.hasLayer(layer)) { layer.addTo(map); }
    if (!visible && map.hasLayer(layer)) { map.removeLayer(layer); }
  }

  /* -- basemap ----------------------------------------------------------- */

  function drawBasemap(france, regions, departements, labels, neighbours) {
    var colours = config.basemap;
    var fills = renderer("basemap", 0.5);
    // Borders above a tile basemap (the land fill stays beneath it, where tiles are missing).
    var outlines = renderer("outlines", 0.5);
    var layers = [
      L.geoJSON(neighbours, { renderer: fills, interactive: false,
        style: { stroke: true, color: colours.neighbourBorder, weight: 0.8,
          fill: true, fillColor: colours.neighbourLand, fillOpacity: 1 } }),
      L.geoJSON(france, { renderer: fills, interactive: false,
        style: { stroke: true, color: colours.regionBorder, weight: 1.2,
          fill: true, fillColor: colours.land, fillOpacity: 1 } }),
      L.geoJSON(departements, { renderer: outlines, interactive: false,
        style: { color: colours.departementBorder, weight: 0.7, fill: false } }),
      L.geoJSON(regions, { renderer: outlines, interactive: false,
        style: { color: colours.regionBorder, weight: 1.6, fill: false } })
    ];
    layers.forEach(function (layer) { layer.addTo(map); });
    status.basemapLayers = layers.length;
    coarseBorders = [layers[2], layers[3]];
    if (localBasemap) { localBasemap.coarseHidden = false; updateLocalBasemap(); }
    labelLayers = { region: L.layerGroup(), departement: L.layerGroup() };
    labels.features.forEach(function (feature) {
      var level = feature.properties.level;
      var icon = L.divIcon({ className: "companion-label companion-label-" + level,
        html: el("span", "companion-label-text", feature.properties.name), iconSize: null });
      var c = feature.geometry.coordinates;
      L.marker([c[1], c[0]], { icon: icon, pane: "labels", interactive: false,
        keyboard: false }).addTo(labelLayers[level]);
      if (level === "departement" && feature.properties.code) {
        departementNames.add(feature.properties.name);
        departementPoints[feature.properties.code] = L.latLng(c[1], c[0]);
      }
      status.labels += 1;
    });
    map.on("zoomend", updateLabels);
    updateLabels();
    // Paper draws its own insets, numbered (export: config.overseasBoxes false).
    if (config.overseasBoxes !== false) { drawInsets(departements); }
  }

  function updateLabels() {
    var zoom = map.getZoom();
    toggle(labelLayers.region, zoom >= config.zoom.regionLabels &&
      zoom < config.zoom.departementLabels);
    toggle(labelLayers.departement, zoom >= config.zoom.departementLabels);
    scheduleDeclutter();
  }

  /* Labels never overlap each other or the map's boxes, and never hide a cluster's count
   * (clusters are drawn above them): each one takes the first place around its anchor
   * free of everything, else the one a cluster covers least (its name still reads
   * around it), else stays hidden; régions before départements. Run once a frame at the
   * most, after what moves them (zoom, pan, clusters, presentation), reads before writes. */
  var declutterPending = false;
  // Near its place (a name moved far would name another), clear of the counts if it can.
  var LABEL_ROWS = [0, -1, 1, -1.6, 1.6];
  var LABEL_COLUMNS = [0, -0.15, 0.15, -0.3, 0.3];

  function scheduleDeclutter() {
    if (declutterPending) { return; }
    declutterPending = true;
    requestAnimationFrame(function () {
      declutterPending = false;
      declutterLabels();
    });
  }

  function box(node) {
    var r = node.getBoundingClientRect();
    return { l: r.left, t: r.top, r: r.right, b: r.bottom };
  }

  function overlaps(a, b) {
    var gap = 2;
    return a.l < b.r + gap && b.l < a.r + gap && a.t < b.b + gap && b.t < a.b + gap;
  }

  function covered(a, b) {
    var w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    return w > 0 && h > 0 ? w * h : 0;
  }

  function labelTexts() {
    var texts = [];
    ["region", "departement"].forEach(function (level) {
      var group = labelLayers[level];
      if (!group || !map.hasLayer(group)) { return; }
      group.eachLayer(function (marker) {
        var element = marker.getElement();
        if (element && element.firstChild) { texts.push(element.firstChild); }
      });
    });
    return texts.concat(localLabelTexts());  // the quieter names come last
  }

  function placeLabel(at, hard, soft) {
    var width = at.r - at.l, height = at.b - at.t;
    var best = null;
    LABEL_ROWS.some(function (row) {
      return LABEL_COLUMNS.some(function (column) {
        var dx = Math.round(column * width), dy = Math.round(row * height);
        var tried = { l: at.l + dx, r: at.r + dx, t: at.t + dy, b: at.b + dy };
        if (hard.some(function (other) { return overlaps(tried, other); })) { return false; }
        var under = soft.reduce(function (sum, other) { return sum + covered(tried, other); }, 0);
        if (!best || under < best.under) { best = { dx: dx, dy: dy, box: tried, under: under }; }
        return under === 0;
      });
    });
    // Paper (config.labelCover) hides a name its numbered discs would cut.
    var most = config.labelCover === undefined ? 0.4 : config.labelCover;
    return best && best.under <= most * width * height ? best : null;
  }

  function declutterLabels() {
    var started = performance.now();
    var texts = labelTexts();
    texts.forEach(function (text) {  // writes: back to the anchors
      text.style.transform = "";
      text.classList.remove("companion-label-hidden");
    });
    var screen = box(map.getContainer());
    var hard = [];
    var soft = [];
    var obstacles = ".leaflet-control, .companion-banner, .companion-story-name-text";
    document.querySelectorAll(obstacles).forEach(function (node) {
      if (node.offsetParent !== null) { hard.push(box(node)); }
    });
    // Paper exports draw their numbered markers themselves (class companion-obstacle).
    document.querySelectorAll(".marker-cluster, .companion-obstacle").forEach(function (node) {
      soft.push(box(node));
    });
    var moves = [];
    var hidden = 0;
    var quiet = null;  // once the basemap's names come: what they must not cover
    texts.forEach(function (text) {  // reads, and the places chosen
      var at = box(text);
      if (at.r < screen.l || at.l > screen.r || at.b < screen.t || at.t > screen.b) { return; }
      if (!quiet && text.classList.contains("companion-label-quiet")) {
        // The basemap's names (communes, intercommunalités) never cover an actor.
        quiet = new BoxGrid(hard.concat(soft, actorBoxes()));
      }
      var place = quiet ? placeQuietLabel(text, at, quiet, screen) : placeLabel(at, hard, soft);
      if (place) { (quiet || hard).push(place.box); } else { hidden += 1; }
      moves.push([text, place]);
    });
    moves.forEach(function (move) {  // writes
      var place = move[1];
      if (!place) { move[0].classList.add("companion-label-hidden"); return; }
      if (place.dx || place.dy) {
        move[0].style.transform = "translate(calc(-50% + " + place.dx + "px), calc(-50% + " +
          place.dy + "px))";
      }
    });
    status.labelsHidden = hidden;
    status.labelsShown = moves.length - hidden;
    status.declutterMs = Math.round(performance.now() - started);
  }

  /* -- tile basemap -------------------------------------------------------- */

  /* Tiles come from companion: URLs only (Python answers them from its cache, and from
   * the network only when the user allows it). A missing tile is a 404: the vector
   * basemap shows through. The attribution is DOM text, never HTML. */
  function setTiles(tiles) {
    if (tileLayer) { map.removeLayer(tileLayer); tileLayer = null; }
    status.tiles = tiles ? tiles.url : null;
    status.tileErrors = 0;
    if (tiles) {
      // Below its first level (the whole country, fitted between two levels) a source's
      // tiles are shown scaled down from that level, not left out.
      var first = tiles.minZoom || 0;
      var options = { pane: "tiles", minZoom: Math.max(0, first - 1.5), minNativeZoom: first,
        maxNativeZoom: tiles.maxZoom, maxZoom: map.getMaxZoom(), keepBuffer: 1 };
      if (tiles.bounds) {
        var b = tiles.bounds;  // west, south, east, north
        options.bounds = L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
      }
      tileLayer = L.tileLayer(tiles.url, options);
      tileLayer.on("tileerror", function () { status.tileErrors += 1; });
      tileLayer.addTo(map);
    }
    attributionBox.textContent = tiles ? tiles.attribution || "" : "";
    attributionBox.hidden = !attributionBox.textContent;
    document.body.classList.toggle("companion-tiles", !!tiles);
    return status.tiles;
  }

  function addAttribution() {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      attributionBox = el("div", "companion-attribution");
      attributionBox.hidden = true;
      return attributionBox;
    };
    control.addTo(map);
  }

  /* -- local basemap: communes, intercommunalités, territories ------------- */

  /* From zoom 8 the page asks the app for the intercommunalités' outlines, from zoom 9
   * for the communes' and the départements' as precise as theirs (config.localBasemap.url:
   * data/outlines.geojson?z=…&bbox=…, served from outlines.sqlite; an export embeds them
   * as urls.outlines). It asks cell by cell of a fixed grid (tiles of zoom 6, then of
   * zoom 9) and keeps the answers: panning asks only for new cells, zooming in asks
   * nothing more. The outlines are drawn into 256-pixel tiles (a grid layer, over any
   * online tiles and under the simplified borders' pane), each once per zoom: thousands
   * of communes are not drawn again at every move. Names are labels that declutterLabels places
   * after the régions' and the départements', intercommunalités first, then communes,
   * most populous first, never over an actor, a cluster or another name. A territory
   * can be highlighted: what « Cadrer sur » framed ("frame") and the territory of
   * action of the catalyst whose card is open ("card"). */
  var localBasemap = null;  // see startLocalBasemap
  var LOCAL_CELL_LIMIT = 160;  // cells kept (a cell of zoom 9: up to ~300 communes)
  var LOCAL_LEVELS = ["commune", "epci", "departement"];  // drawn in this order
  // Names tried at most: a screen has room for fewer, and each costs its placing.
  var LOCAL_NAME_LIMIT = 150;

  function startLocalBasemap() {
    var settings = config.localBasemap;
    if (!settings) { return; }
    addPane("localOutlines", 355, false);  // under the simplified borders (outlines, 360)
    addPane("highlight", 370, false);
    localBasemap = {
      settings: settings, cells: new Map(), tick: 0, inView: [],
      embedded: config.urls && config.urls.outlines ? fetchJson(config.urls.outlines) : null,
      labels: L.layerGroup().addTo(map), labelled: new Map(), drawn: [],
      coarseHidden: false, highlights: {}, highlighted: new Set(), territories: new Map()
    };
    status.localBasemap = { cells: 0, failed: 0, tiles: 0, drawn: {}, labels: 0,
      highlighted: {}, loading: false };
    localBasemap.tiles = new LocalOutlines({ pane: "localOutlines", minZoom: settings.epciZoom,
      maxZoom: map.getMaxZoom(), updateWhenZooming: false, keepBuffer: 2 });
    localBasemap.tiles.on("loading", function () { status.localBasemap.loading = true; });
    localBasemap.tiles.on("load", function () { status.localBasemap.loading = false; });
    localBasemap.tiles.addTo(map);
    map.on("moveend", updateLocalBasemap);
    updateLocalBasemap();
  }

  /* Which answers serve this zoom ({z, grid}: the zoom asked for, its cells' tile zoom). */
  function localClass(zoom) {
    var s = localBasemap.settings;
    if (zoom < s.epciZoom) { return null; }
    return zoom < s.communeZoom ? { z: s.epciZoom, grid: s.epciGrid }
      : { z: s.communeZoom, grid: s.communeGrid };
  }

  /* The cell (its key) holding the tile x, y at this zoom. */
  function localCellKey(cls, zoom, x, y) {
    var size = Math.pow(2, zoom - cls.grid);
    return cls.z + "/" + Math.floor(x / size) + "/" + Math.floor(y / size);
  }

  /* A cell's answer, asked once: a promise of its features (none if it failed). */
  function localCell(key) {
    var cell = localBasemap.cells.get(key);
    if (cell) { cell.used = localBasemap.tick; return cell.promise; }
    var parts = key.split("/").map(Number);
    var grid = parts[0] === localBasemap.settings.epciZoom ? localBasemap.settings.epciGrid
      : localBasemap.settings.communeGrid;
    var nw = map.unproject([parts[1] * 256, parts[2] * 256], grid);
    var se = map.unproject([(parts[1] + 1) * 256, (parts[2] + 1) * 256], grid);
    var bbox = [Math.floor(nw.lng * 1e5) / 1e5, Math.floor(se.lat * 1e5) / 1e5,
      Math.ceil(se.lng * 1e5) / 1e5, Math.ceil(nw.lat * 1e5) / 1e5];
    cell = { features: null, used: localBasemap.tick };
    var url = localBasemap.settings.url + "?z=" + parts[0] + "&bbox=" + bbox.join(",");
    cell.promise = (localBasemap.embedded || fetchJson(url)).then(function (collection) {
      cell.features = collection.features;
      status.localBasemap.cells += 1;
      return cell.features;
    }).catch(function () {
      status.localBasemap.failed += 1;
      cell.features = [];
      return cell.features;
    });
    localBasemap.cells.set(key, cell);
    forgetLocalCells();
    return cell.promise;
  }

  /* The cells least recently used go once there are too many (never those in view). */
  function forgetLocalCells() {
    var cells = localBasemap.cells;
    if (cells.size <= LOCAL_CELL_LIMIT) { return; }
    var keep = new Set(localBasemap.inView);
    Array.from(cells.keys()).filter(function (key) { return !keep.has(key); })
      .sort(function (a, b) { return cells.get(a).used - cells.get(b).used; })
      .slice(0, cells.size - LOCAL_CELL_LIMIT)
      .forEach(function (key) { cells.delete(key); });
  }

  /* Web Mercator pixels at a zoom, projected once per feature and zoom. */
  function projected(feature, zoom) {
    if (feature.pz === zoom) { return feature.px; }
    var scale = 256 * Math.pow(2, zoom);
    var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    var geometry = feature.geometry;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var rings = [];
    polygons.forEach(function (polygon) {
      polygon.forEach(function (ring) {
        var points = new Float64Array(ring.length * 2);
        ring.forEach(function (c, i) {
          var x = (c[0] + 180) / 360 * scale;
          var sin = Math.sin(c[1] * Math.PI / 180);
          var y = (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale;
          points[2 * i] = x;
          points[2 * i + 1] = y;
          if (x < left) { left = x; } if (x > right) { right = x; }
          if (y < top) { top = y; } if (y > bottom) { bottom = y; }
        });
        rings.push(points);
      });
    });
    feature.pz = zoom;
    feature.px = { rings: rings, l: left, t: top, r: right, b: bottom };
    return feature.px;
  }

  function localStyle(level, zoom) {
    var colours = config.basemap;
    if (level === "commune") {  // a texture at zoom 9, lines from 11
      return { color: colours.communeBorder, width: zoom >= 11 ? 0.9 : 0.6,
        alpha: zoom >= 11 ? 1 : (zoom >= 10 ? 0.75 : 0.5) };
    }
    if (level === "epci") {  // at zoom 8, under the simplified départements' borders
      return zoom < localBasemap.settings.communeZoom
        ? { color: colours.communeBorder, width: 0.9, alpha: 1 }
        : { color: colours.epciBorder, width: zoom >= 11 ? 1.4 : 1.1, alpha: 1 };
    }
    return { color: colours.regionBorder, width: 2, alpha: 1 };  // precise départements
  }

  /* One tile: the outlines of its cell's features that cross it, one path per level. */
  function drawLocalTile(canvas, coords, features) {
    var ratio = canvas.width / 256;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineJoin = "round";
    var x0 = coords.x * 256, y0 = coords.y * 256;
    var count = 0;
    // An embedded collection holds the communes whatever the zoom: not drawn at zoom 8.
    var levels = coords.z < localBasemap.settings.communeZoom ? ["epci"] : LOCAL_LEVELS;
    levels.forEach(function (level) {
      var style = localStyle(level, coords.z);
      var margin = style.width;
      ctx.beginPath();
      features.forEach(function (feature) {
        if (feature.properties.level !== level) { return; }
        var px = projected(feature, coords.z);
        if (px.r < x0 - margin || px.l > x0 + 256 + margin || px.b < y0 - margin ||
            px.t > y0 + 256 + margin) { return; }
        count += 1;
        px.rings.forEach(function (points) {
          ctx.moveTo(points[0] - x0, points[1] - y0);
          for (var i = 2; i < points.length; i += 2) {
            ctx.lineTo(points[i] - x0, points[i + 1] - y0);
          }
          ctx.closePath();
        });
      });
      ctx.globalAlpha = style.alpha;
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.stroke();
    });
    return count;
  }

  var LocalOutlines = L.GridLayer.extend({
    createTile: function (coords, done) {
      var tile = document.createElement("canvas");
      var ratio = window.devicePixelRatio || 1;
      tile.width = tile.height = Math.round(256 * ratio);
      var cls = localClass(coords.z);
      if (!cls) { setTimeout(function () { done(null, tile); }, 0); return tile; }
      localCell(localCellKey(cls, coords.z, coords.x, coords.y)).then(function (features) {
        if (drawLocalTile(tile, coords, features)) { status.localBasemap.tiles += 1; }
        done(null, tile);
      });
      return tile;
    }
  });

  /* After a move: the cells in view asked for, their names shown, the simplified borders
   * hidden where the precise ones are drawn. */
  function updateLocalBasemap() {
    if (!localBasemap) { return; }
    var zoom = map.getZoom();
    var cls = localClass(zoom);
    var keys = [];
    if (cls) {
      var pixels = map.getPixelBounds();
      var last = Math.pow(2, zoom) - 1;
      var seen = new Set();
      for (var x = Math.max(0, Math.floor(pixels.min.x / 256));
        x <= Math.min(last, Math.floor(pixels.max.x / 256)); x++) {
        for (var y = Math.max(0, Math.floor(pixels.min.y / 256));
          y <= Math.min(last, Math.floor(pixels.max.y / 256)); y++) {
          seen.add(localCellKey(cls, zoom, x, y));
        }
      }
      keys = Array.from(seen);
    }
    localBasemap.tick += 1;
    localBasemap.inView = keys;
    var asked = keys.map(localCell);
    showLocalNames(keys);
    Promise.all(asked).then(function () {
      if (localBasemap.inView === keys) { showLocalNames(keys); }
    });
    var precise = !!cls && cls.z === localBasemap.settings.communeZoom;
    if (precise !== localBasemap.coarseHidden) {
      localBasemap.coarseHidden = precise;
      coarseBorders.forEach(function (layer) { toggle(layer, !precise); });
    }
  }

  /* Which names this zoom writes: intercommunalités' and communes' from a population
   * that lowers as the map zooms in (declutterLabels hides those with no room). */
  function wantsName(properties, zoom, around) {
    var at = properties.label;
    if (!around.contains([at[1], at[0]])) { return false; }
    // Paris is named once, as its département is.
    if (properties.level === "departement" || departementNames.has(properties.name)) {
      return false;
    }
    if (localBasemap.highlighted.has(properties.level + ":" + properties.code)) { return true; }
    var floor = (localBasemap.settings.namePopulation[properties.level] || {})[
      String(Math.min(Math.floor(zoom), 12))];  // the map zooms by quarter steps
    return floor !== undefined && properties.pop >= floor;
  }

  function localLabel(feature) {
    var p = feature.properties;
    var size = p.level === "epci" ? "" : (p.pop >= 100000 ? " companion-label-city"
      : (p.pop >= 20000 ? " companion-label-town" : ""));
    var icon = L.divIcon({ className: "companion-label companion-label-" + p.level + size,
      html: el("span", "companion-label-text companion-label-quiet", p.name), iconSize: null });
    var marker = L.marker([p.label[1], p.label[0]], { icon: icon, pane: "labels",
      interactive: false, keyboard: false });
    marker.companionFeature = feature;
    return marker;
  }

  /* The territories highlighted first, then intercommunalités' names, then communes', the
   * most populous first. */
  function nameRank(properties) {
    var highlighted = localBasemap.highlighted.has(properties.level + ":" + properties.code);
    return (highlighted ? 1e12 : 0) + (properties.level === "epci" ? 1e9 : 0) + properties.pop;
  }

  function showLocalNames(keys) {
    var zoom = map.getZoom();
    var around = map.getBounds().pad(0.1);
    var wanted = new Map();
    var drawn = new Set();
    var counts = { commune: 0, epci: 0, departement: 0 };
    keys.forEach(function (key) {
      var cell = localBasemap.cells.get(key);
      (cell && cell.features || []).forEach(function (feature) {
        var p = feature.properties;
        if (!drawn.has(feature.id)) {
          drawn.add(feature.id);
          counts[p.level] += 1;
        }
        if (!wanted.has(feature.id) && wantsName(p, zoom, around)) {
          wanted.set(feature.id, feature);
        }
      });
    });
    localBasemap.drawn = Array.from(drawn);
    if (wanted.size > LOCAL_NAME_LIMIT) {
      var ranked = Array.from(wanted.values()).sort(function (a, b) {
        return nameRank(b.properties) - nameRank(a.properties);
      });
      wanted = new Map(ranked.slice(0, LOCAL_NAME_LIMIT).map(function (feature) {
        return [feature.id, feature];
      }));
    }
    localBasemap.labelled.forEach(function (marker, id) {
      if (wanted.has(id)) { return; }
      localBasemap.labels.removeLayer(marker);
      localBasemap.labelled.delete(id);
    });
    wanted.forEach(function (feature, id) {
      if (localBasemap.labelled.has(id)) { return; }
      var marker = localLabel(feature);
      localBasemap.labels.addLayer(marker);
      localBasemap.labelled.set(id, marker);
    });
    status.localBasemap.drawn = counts;
    status.localBasemap.labels = localBasemap.labelled.size;
    scheduleDeclutter();
  }

  /* The names for declutterLabels, in the order they are placed. */
  function localLabelTexts() {
    if (!localBasemap) { return []; }
    var markers = Array.from(localBasemap.labelled.values());
    markers.sort(function (a, b) {
      return nameRank(b.companionFeature.properties) - nameRank(a.companionFeature.properties);
    });
    var texts = [];
    markers.forEach(function (marker) {
      var element = marker.getElement();
      if (element && element.firstChild) {
        element.firstChild.companionFeature = marker.companionFeature;
        texts.push(element.firstChild);
      }
    });
    return texts;
  }

  /* Boxes by cells of 64 pixels: hundreds of names placed against hundreds of markers
   * without comparing each with all. */
  function BoxGrid(boxes) {
    this.cells = new Map();
    boxes.forEach(this.push, this);
  }

  BoxGrid.prototype.keys = function (b) {
    var keys = [];
    for (var x = Math.floor(b.l / 64); x <= Math.floor(b.r / 64); x++) {
      for (var y = Math.floor(b.t / 64); y <= Math.floor(b.b / 64); y++) { keys.push(x + ":" + y); }
    }
    return keys;
  };

  BoxGrid.prototype.push = function (b) {
    this.keys(b).forEach(function (key) {
      var cell = this.cells.get(key);
      if (cell) { cell.push(b); } else { this.cells.set(key, [b]); }
    }, this);
  };

  BoxGrid.prototype.some = function (test, b) {
    return this.keys(b).some(function (key) {
      return (this.cells.get(key) || []).some(test);
    }, this);
  };

  /* A commune's name may go a little farther from its point than a région's, as long as
   * its middle stays inside the commune, but never over anything, nor across the map's
   * edge. */
  var QUIET_ROWS = [0, -1, 1, -2, 2, -3, 3];
  var QUIET_COLUMNS = [0, -0.3, 0.3, -0.6, 0.6];

  function placeQuietLabel(text, at, grid, screen) {
    var width = at.r - at.l, height = at.b - at.t;
    var found = null;
    var feature = text.companionFeature;
    var zoom = map.getZoom();
    var origin = map.getPixelBounds().min;
    var frame = map.getContainer().getBoundingClientRect();
    var inside = function (box) {
      if (!feature) { return true; }
      return insideOutline(projected(feature, zoom),
        (box.l + box.r) / 2 - frame.left + origin.x, (box.t + box.b) / 2 - frame.top + origin.y);
    };
    QUIET_ROWS.some(function (row) {
      return QUIET_COLUMNS.some(function (column) {
        var dx = Math.round(column * width), dy = Math.round(row * height);
        var tried = { l: at.l + dx, r: at.r + dx, t: at.t + dy, b: at.b + dy };
        if (tried.l < screen.l + 2 || tried.r > screen.r - 2 || tried.t < screen.t + 2 ||
            tried.b > screen.b - 2) { return false; }
        // Boxes are compared with a gap: those in the cells around count too.
        var around = { l: tried.l - 2, r: tried.r + 2, t: tried.t - 2, b: tried.b + 2 };
        if (grid.some(function (other) { return overlaps(tried, other); }, around)) {
          return false;
        }
        if ((dx || dy) && !inside(tried)) { return false; }
        found = { dx: dx, dy: dy, box: tried };
        return true;
      });
    });
    return found;
  }

  /* Whether a point (world pixels) lies inside projected rings (even-odd rule). */
  function insideOutline(px, x, y) {
    if (x < px.l || x > px.r || y < px.t || y > px.b) { return false; }
    var inside = false;
    px.rings.forEach(function (points) {
      var n = points.length / 2;
      for (var i = 0, j = n - 1; i < n; j = i++) {
        var xi = points[2 * i], yi = points[2 * i + 1];
        var xj = points[2 * j], yj = points[2 * j + 1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
    });
    return inside;
  }

  /* What the basemap's names never cover: clusters, the actors' markers, actors' labels. */
  function actorBoxes() {
    var boxes = [];
    document.querySelectorAll(".marker-cluster, .companion-actor-label").forEach(function (node) {
      boxes.push(box(node));
    });
    if (!markerRenderer || !markerRenderer._layers) { return boxes; }
    var frame = map.getContainer().getBoundingClientRect();
    var size = map.getSize();
    Object.keys(markerRenderer._layers).forEach(function (id) {
      var marker = markerRenderer._layers[id];
      if (!marker.getLatLng) { return; }
      var p = map.latLngToContainerPoint(marker.getLatLng());
      if (p.x < -20 || p.y < -20 || p.x > size.x + 20 || p.y > size.y + 20) { return; }
      var r = (marker.getRadius ? marker.getRadius() : 8) + 2;
      boxes.push({ l: frame.left + p.x - r, t: frame.top + p.y - r,
        r: frame.left + p.x + r, b: frame.top + p.y + r });
    });
    return boxes;
  }

  /* territories: [{level, code}] (commune, epci, departement, region); none clears the
   * slot. "card" territories are drawn only while that actor's card is open. */
  function highlightTerritories(slot, territories, actorId) {
    if (!localBasemap) { return 0; }
    var old = localBasemap.highlights[slot];
    if (old) { map.removeLayer(old.layer); }
    delete localBasemap.highlights[slot];
    status.localBasemap.highlighted[slot] = 0;
    if (slot === "card" && actorId && !cardShows(actorId)) { territories = null; }
    var layer = L.layerGroup().addTo(map);
    var entry = { layer: layer, actorId: actorId || null, territories: territories || [] };
    localBasemap.highlights[slot] = entry;
    // Their names come first.
    localBasemap.highlighted = new Set();
    Object.keys(localBasemap.highlights).forEach(function (name) {
      localBasemap.highlights[name].territories.forEach(function (t) {
        localBasemap.highlighted.add(t.level + ":" + t.code);
      });
    });
    updateLocalBasemap();
    if (!territories || !territories.length) { return 0; }
    territories.forEach(function (territory) {
      territoryFeature(territory.level, territory.code).then(function (feature) {
        if (localBasemap.highlights[slot] !== entry || !feature) { return; }
        var colours = config.basemap;
        layer.addLayer(L.GeoJSON.geometryToLayer(feature, { pane: "highlight",
          interactive: false, color: colours.highlightHalo, weight: 8, opacity: 0.5,
          lineJoin: "round", fill: true, fillColor: colours.highlightHalo, fillOpacity: 0.07 }));
        layer.addLayer(L.GeoJSON.geometryToLayer(feature, { pane: "highlight",
          interactive: false, color: colours.highlight, weight: 2.2, fill: false,
          lineJoin: "round" }));
        status.localBasemap.highlighted[slot] += 1;
        report("highlighted", { slot: slot, level: territory.level, code: territory.code });
      });
    });
    return territories.length;
  }

  function cardShows(actorId) {
    var feature = openKey !== null ? features.get(openKey) : null;
    return !!feature && feature.properties.actor_id === actorId;
  }

  function territoryFeature(level, code) {
    var key = level + ":" + code;
    if (!localBasemap.territories.has(key)) {
      var url = localBasemap.settings.territoryUrl + "?level=" + encodeURIComponent(level) +
        "&code=" + encodeURIComponent(code);
      localBasemap.territories.set(key, fetchJson(url).catch(function () { return null; }));
    }
    return localBasemap.territories.get(key);
  }

  /* For tests: the features of the cells in view, the names written, what is hidden. */
  function localBasemapState() {
    return { drawn: localBasemap ? localBasemap.drawn : [],
      labelled: localBasemap ? Array.from(localBasemap.labelled.keys()) : [],
      cells: localBasemap ? localBasemap.cells.size : 0,
      coarseHidden: !!(localBasemap && localBasemap.coarseHidden) };
  }

  /* -- actors -------------------------------------------------------------- */

  /* A circle marker with its kind's glyph drawn inside, on the same canvas, once
   * the glyph font has loaded (before, and where it cannot load, a plain circle). */
  var markerScale = 1;  // larger in presentation, for a room (see setPresentation)

  var GlyphMarker = L.CircleMarker.extend({
    _updateBounds: function () {
      this._radius = this.options.radius * markerScale;
      L.CircleMarker.prototype._updateBounds.call(this);
    },
    _updatePath: function () {
      L.CircleMarker.prototype._updatePath.call(this);
      var glyph = glyphsReady && config.kindGlyphs[this.feature.properties.kind];
      var ctx = this._renderer && this._renderer._ctx;
      if (!glyph || !ctx || this._empty()) { return; }
      ctx.save();
      ctx.font = Math.round(this._radius * 1.1) + "px CompanionGlyphs";
      ctx.fillStyle = "#ffffff";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(glyph, this._point.x, this._point.y + 0.5);
      ctx.restore();
    }
  });

  function loadGlyphs() {
    if (!config.glyphFont || !window.FontFace || !config.kindGlyphs) {
      status.glyphs = false;
      return;
    }
    fetch(config.glyphFont).then(function (response) {
      if (!response.ok) { throw new Error(config.glyphFont + ": " + response.status); }
      return response.arrayBuffer();
    }).then(function (bytes) {
      return new FontFace("CompanionGlyphs", bytes).load();
    }).then(function (loaded) {
      document.fonts.add(loaded);
      glyphsReady = true;
      status.glyphs = true;
      document.querySelectorAll(".companion-swatch[data-kind]").forEach(function (swatch) {
        swatch.textContent = config.kindGlyphs[swatch.dataset.kind] || "";
        swatch.classList.add("companion-swatch-glyph");
      });
      map.eachLayer(function (layer) { if (layer._redraw) { layer._redraw(); } });
    }).catch(function () { status.glyphs = false; });  // plain circles then
  }

  function makeMarker(feature, renderer) {
    var p = feature.properties;
    var c = feature.geometry.coordinates;
    var catalyst = p.kind === "catalyseur";
    var marker = new GlyphMarker([c[1], c[0]], {
      renderer: renderer,
      radius: catalyst ? 9 : 8,
      color: p.private ? "#222222" : "#ffffff",
      weight: catalyst ? 2.5 : (p.private ? 1.5 : 1),
      dashArray: p.private ? "2 2" : null,
      fillColor: config.kindColours[p.kind] || config.kindColours.autre,
      fillOpacity: p.approximate ? 0.5 : 0.92  // at its commune's centre: not its place
    });
    marker.feature = feature;
    return marker;
  }

  /* An actor's marker, made when it is first shown alone (or spread out of its bubble)
   * and kept: with 100,000 actors, most are only ever counted in a bubble. */
  function markerAt(index) {
    var marker = markers.get(index);
    if (!marker) {
      marker = makeMarker(features.get(actorKeys[index]), markerRenderer);
      marker.above = marker.feature.properties.kind === "catalyseur";
      marker.on("click", onActorClick);
      marker.on("dblclick", onActorDoubleClick);
      marker.on("mouseover", onActorOver);
      marker.on("mouseout", onActorOut);
      markers.set(index, marker);
    }
    return marker;
  }

  /* Every actor, catalysts included, clusters in one layer (see clusters.js): bubbles
   * are icons in the marker pane, single actors markers of one canvas in a pane under
   * them (a canvas swallows the clicks over its whole area: a second one above would
   * leave the others unclickable). Catalysts are drawn last (on top). */
  function buildActors(collection) {
    features = new Map();
    markers = new Map();
    pointIndex = new Map();
    actorKeys = [];
    catalystKeys = [];
    overseasKeys = {};
    var lats = [], lngs = [];
    status.tagsLoaded = false;
    collection.features.forEach(function (feature) {
      features.set(feature.id, feature);
      pointIndex.set(feature.id, actorKeys.length);
      actorKeys.push(feature.id);
      lngs.push(feature.geometry.coordinates[0]);
      lats.push(feature.geometry.coordinates[1]);
      if (feature.properties.kind === "catalyseur") { catalystKeys.push(feature.id); }
      var code = feature.properties.departement || "";
      if (code.slice(0, 2) === "97") { (overseasKeys[code] = overseasKeys[code] || []).push(feature.id); }
    });
    featureList = collection.features;
    everyIndex = actorKeys.map(function (_, index) { return index; });
    everyMask = new Uint8Array(actorKeys.length).fill(1);
    shownIndexes = everyIndex;
    shownMask = everyMask;
    if (clusterLayer) { map.removeLayer(clusterLayer); }
    clusterLayer = null;
    // Paper (config.clusters false): no marker here, the export draws every actor itself.
    if (config.clusters !== false) {
      clusterLayer = new window.CompanionClusters.ClusterLayer({
        marker: markerAt,
        // Wider at the scale of the country: fewer bubbles, room for the régions' names;
        // and as much wider as the bubbles are larger (presentation), so none overlap.
        radius: function (zoom) {
          if (config.clusterRadius === 0) { return 0; }  // a handout: no bubble on paper
          return (zoom <= 5 ? 55 : (zoom <= 7 ? 80 : 50)) * markerScale;
        }
      });
      clusterLayer.setPoints(lats, lngs);
      clusterLayer.on("update", function (event) {
        status.clusters = event.clusters;
        status.singles = event.singles;
        scheduleDeclutter();
      });
      clusterLayer.on("spread", scheduleDeclutter);
      clusterLayer.addTo(map);
    }
    status.markers = actorKeys.length - catalystKeys.length;
    status.catalysts = catalystKeys.length;
  }

  /* -- relations ----------------------------------------------------------- */

  /* The live page's data come as columns (a third of GeoJSON's size, parsed sooner,
   * see maps/payload.py); an export embeds GeoJSON. Both become the same features. */
  var NO_TAGS = Object.freeze([]);
  var mercatorX = window.CompanionClusters.mercatorX;
  var mercatorY = window.CompanionClusters.mercatorY;

  function actorFeatures(data) {
    if (data.format !== "columns") { return data; }
    var count = data.seq.length;
    var features = new Array(count);
    for (var i = 0; i < count; i++) {
      features[i] = { type: "Feature", id: data.seq[i],
        geometry: { type: "Point", coordinates: [data.lon[i] / 1e5, data.lat[i] / 1e5] },
        properties: { actor_id: data.id[i], name: data.name[i], kind: data.kind[i],
          commune: data.commune[i], departement: data.departement[i],
          private: (data.flags[i] & 1) === 1, approximate: (data.flags[i] & 2) === 2,
          tags: NO_TAGS } };  // they come next (addTags)
    }
    return { type: "FeatureCollection", features: features };
  }

  /* A filter on tags waits for them (see flush). */
  function tagsLoaded() {
    status.tagsLoaded = true;
    if (pendingState && status.dataReady && !loading) { flush(); }
  }

  /* The live page's actors' tags, once they are drawn: (actor, tag) pairs as columns. */
  function addTags(data) {
    for (var i = 0; i < data.seq.length; i++) {
      var feature = features.get(data.seq[i]);
      if (!feature) { continue; }
      var p = feature.properties;
      if (p.tags === NO_TAGS) { p.tags = []; }
      p.tags.push(data.tagNames[data.tag[i]]);
    }
    tagsLoaded();
    var open = openKey === null ? null : features.get(openKey);
    if (open && cardPopup && open.properties.tags.length) { cardPopup.setContent(card(open)); }
  }

  /* Relations as columns name their ends by key: their places are the actors'. */
  function relationFeatures(data) {
    if (data.format !== "columns") { return data; }
    var found = [];
    for (var i = 0; i < data.seq.length; i++) {
      var from = features.get(data.source[i]), to = features.get(data.target[i]);
      if (!from || !to) { continue; }
      found.push({ type: "Feature", id: data.seq[i],
        geometry: { type: "LineString",
          coordinates: [from.geometry.coordinates, to.geometry.coordinates] },
        properties: { type: data.type[i], source: data.source[i],
          target: data.target[i] } });
    }
    return { type: "FeatureCollection", features: found };
  }

  function buildRelations(collection) {
    relations = collection.features.map(function (feature) {
      var c = feature.geometry.coordinates;
      var from = feature.properties.source, to = feature.properties.target;
      var fromDep = departementOf(from), toDep = departementOf(to);
      // LatLng objects made once: each redraw would otherwise convert 2 per line.
      return { type: feature.properties.type, from: from, to: to,
        fromIndex: pointIndex.get(from), toIndex: pointIndex.get(to),  // see flush
        fromDep: fromDep, toDep: toDep, overseas: zone(fromDep) !== zone(toDep),
        // Its ends in Web Mercator units: drawn as they are (lines.js).
        units: [mercatorX(c[0][0]), mercatorY(c[0][1]), mercatorX(c[1][0]), mercatorY(c[1][1])] };
    });
    relationsShown = {};
    status.relations = relations.length;
    if (relationLayer) { map.removeLayer(relationLayer); }
    if (flowLayer) { map.removeLayer(flowLayer); }
    var lines = renderer("relations", 0.3);
    flowLayer = L.layerGroup();
    relationLayer = L.layerGroup();
    relationLines = {};
    // One multi-line per type: thousands of relations cost a handful of layers.
    Object.keys(config.relationStyles).forEach(function (type) {
      var style = config.relationStyles[type];
      relationLines[type] = new window.CompanionLines.SegmentLines({ renderer: lines,
        color: style[0], dashArray: style[1] || null, weight: relationWeight(),
        opacity: relationOpacity() });
      relationLayer.addLayer(relationLines[type]);
    });
  }

  /* Thousands of lines over a whole country are a haze: faint far out, clear up close. */
  function relationOpacity() {
    if (config.relationOpacity) { return config.relationOpacity; }  // paper: one, readable
    var zoom = map.getZoom();
    return zoom < 7 ? 0.16 : (zoom < 9 ? 0.35 : 0.65);
  }

  /* One pixel where they are thousands (drawn as hairlines: several times faster in
   * software), wider where a few are read one by one. */
  function relationWeight() {
    return map.getZoom() < 9 ? 1 : 1.5;
  }

  function restyleRelations() {
    var opacity = relationOpacity(), weight = relationWeight();
    Object.keys(relationLines).forEach(function (type) {
      relationLines[type].setStyle({ opacity: opacity, weight: weight });
    });
    status.relationWeight = weight;
  }

  function sameList(a, b) {
    if (!a || a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  function departementOf(key) {
    var feature = features.get(key);
    return feature ? feature.properties.departement || "" : "";
  }

  /* Metropolitan France is one zone, each overseas département its own: a line between
   * two zones would cross an ocean (the map shows overseas apart). */
  function zone(departement) {
    var overseas = departement.slice(0, 2) === "97" || departement.slice(0, 2) === "98";
    return overseas ? departement : "metro";
  }

  /* The relations the state asks for (indexes in ``relations``): see RELATION_MODES in
   * maps/filters.py. Lines to overseas are left out and counted. */
  function wantedRelations(state, keep) {
    var mode = state.relations || config.relations || "auto";
    var types = state.relationTypes ? new Set(state.relationTypes) : null;
    var shown = [];
    var overseas = 0;
    var available = 0;  // between the actors shown, of the types asked for
    var around = null;
    if (mode === "auto" && !state.territory) {
      around = new Set(openKey === null ? [] : [openKey]);
      if (secondDegree) {
        relations.forEach(function (r) {
          if (r.from === openKey || r.to === openKey) { around.add(r.from); around.add(r.to); }
        });
      }
    }
    relations.forEach(function (r, index) {
      if (types && !types.has(r.type)) { return; }
      if (keep && !(keep[r.fromIndex] && keep[r.toIndex])) { return; }
      available += 1;
      if (mode === "none") { return; }
      if (around && !(around.has(r.from) || around.has(r.to))) { return; }
      if (r.overseas) { overseas += 1; return; }
      shown.push(index);
    });
    return { mode: mode, shown: shown, overseas: overseas, available: available };
  }

  /* Only the types whose lines changed are set again: thousands of lines cost
   * a canvas redraw (about 0.1 s in software), a filter often keeps them. */
  function drawRelations(state, keep) {
    drawnState = state;
    drawnKeep = keep;
    var wanted = wantedRelations(state, keep);
    var byType = {};
    Object.keys(relationLines).forEach(function (type) { byType[type] = []; });
    if (wanted.mode !== "flows") {
      wanted.shown.forEach(function (index) {
        (byType[relations[index].type] || byType.autre).push(index);
      });
    }
    Object.keys(byType).forEach(function (type) {
      var shown = byType[type];
      if (sameList(relationsShown[type], shown)) { return; }
      relationsShown[type] = shown;
      var units = new Float64Array(shown.length * 4);
      shown.forEach(function (index, n) {
        var ends = relations[index].units;
        units[n * 4] = ends[0]; units[n * 4 + 1] = ends[1];
        units[n * 4 + 2] = ends[2]; units[n * 4 + 3] = ends[3];
      });
      relationLines[type].setUnits(units);
    });
    toggle(relationLayer, wanted.mode !== "flows" && wanted.shown.length > 0);
    drawFlows(wanted.mode === "flows" ? wanted.shown : []);
    status.visibleRelations = wanted.shown.length;
    status.relationTypesDrawn = Object.keys(byType).filter(function (type) {
      return wanted.mode !== "flows" && byType[type].length > 0;
    });
    status.availableRelations = wanted.available;
    status.relationMode = wanted.mode;
    status.overseasRelations = wanted.overseas;
    updateLineLegend(wanted.mode === "flows" ? null : byType, wanted);
    report("relations", { mode: wanted.mode, drawn: wanted.shown.length,
      available: wanted.available, overseas: wanted.overseas, flows: status.flows || 0,
      around: openKey !== null });
  }

  function redrawRelations() {
    if (drawnState) { drawRelations(drawnState, drawnKeep); }
  }

  /* Whether the lines drawn depend on the card open ("auto" outside a territory). */
  function relationsFollowCard() {
    var mode = (drawnState && drawnState.relations) || config.relations || "auto";
    return mode === "auto" && !(drawnState && drawnState.territory);
  }

  /* Relations between départements, one line a pair, as wide as they are many. */
  function drawFlows(indexes) {
    flowLayer.clearLayers();
    var pairs = {};
    indexes.forEach(function (index) {
      var r = relations[index];
      if (!r.fromDep || !r.toDep || r.fromDep === r.toDep) { return; }
      var key = r.fromDep < r.toDep ? r.fromDep + "|" + r.toDep : r.toDep + "|" + r.fromDep;
      pairs[key] = (pairs[key] || 0) + 1;
    });
    var count = 0;
    Object.keys(pairs).forEach(function (key) {
      var ends = key.split("|");
      var a = departementPoints[ends[0]], b = departementPoints[ends[1]];
      if (!a || !b) { return; }
      var n = pairs[key];
      var line = L.polyline([a, b], { pane: "relations", interactive: false,
        color: config.flowColour || "#5b4a8b", weight: 1 + 1.6 * Math.log2(1 + n),
        opacity: 0.55, lineCap: "round" });
      flowLayer.addLayer(line);
      count += 1;
    });
    toggle(flowLayer, count > 0);
    status.flows = count;
  }

  /* -- popup card ---------------------------------------------------------- */

  function onActorClick(event) {
    L.DomEvent.stop(event);
    openCard(event.layer || event.target);
  }

  function onActorOver(event) {
    var layer = event.layer || event.target;
    if (!layer || !layer.feature) { return; }
    if (!hoverTip) {
      hoverTip = L.tooltip({ direction: "top", offset: [0, -10], className: "companion-hover" });
    }
    hoverTip.setLatLng(layer.getLatLng()).setContent(el("span", null, layer.feature.properties.name));
    map.openTooltip(hoverTip);
    status.hovered = layer.feature.id;
  }

  function onActorOut() {
    if (hoverTip) { map.closeTooltip(hoverTip); }
    status.hovered = null;
  }

  function onActorDoubleClick(event) {
    L.DomEvent.stop(event);
    var layer = event.layer || event.target;
    report("select", { actorId: layer.feature.properties.actor_id });
  }

  function card(feature) {
    var p = feature.properties;
    var root = el("div", "companion-card");
    root.appendChild(el("div", "companion-card-name", p.name));
    var kind = el("div", "companion-card-kind");
    var swatch = el("span", "companion-swatch");
    swatch.style.background = config.kindColours[p.kind] || config.kindColours.autre;
    kind.appendChild(swatch);
    kind.appendChild(document.createTextNode(config.kindLabels[p.kind] || p.kind));
    root.appendChild(kind);
    if (p.private) { root.appendChild(el("div", "companion-card-private", config.labels.private)); }
    if (p.commune) {
      var place = p.departement ? p.commune + " (" + p.departement + ")" : p.commune;
      root.appendChild(el("div", "companion-card-commune", place));
    }
    if (p.approximate && config.labels.approximate) {
      root.appendChild(el("div", "companion-card-approximate", config.labels.approximate));
    }
    if (p.tags && p.tags.length) {
      var tags = el("div", "companion-card-tags");
      p.tags.forEach(function (tag) { tags.appendChild(el("span", "companion-tag", tag)); });
      root.appendChild(tags);
    }
    if (contactsEnabled && !presenting) {
      // Personal data never travels with the map's data: asked for this one actor.
      var contacts = el("div", "companion-card-contacts", config.labels.loadingContacts);
      contacts.dataset.actorId = p.actor_id;
      root.appendChild(contacts);
      report("contacts", { actorId: p.actor_id });
    }
    if (!presenting) {
      var button = el("button", "companion-card-open", config.labels.openInDirectory);
      button.type = "button";
      button.addEventListener("click", function () {
        report("select", { actorId: p.actor_id });
      });
      root.appendChild(button);
      if (p.kind === "catalyseur" && config.labels.catalystProfile) {
        var profile = el("button", "companion-card-open companion-card-profile",
                         config.labels.catalystProfile);
        profile.type = "button";
        profile.addEventListener("click", function () {
          report("profile", { actorId: p.actor_id });
        });
        root.appendChild(profile);
      }
      if (config.labels.placeOnMap && p.actor_id) {
        var placeButton = el("button", "companion-card-open companion-card-place",
                             config.labels.placeOnMap);
        placeButton.type = "button";
        placeButton.style.marginLeft = "6px";
        placeButton.addEventListener("click", function () { startPlacing(feature.id); });
        root.appendChild(placeButton);
      }
      if ((p.commune || p.departement) && config.labels.territoryProfile) {
        var territory = el("button", "companion-card-open companion-card-territory",
                           config.labels.territoryProfile);
        territory.type = "button";
        territory.style.marginLeft = "6px";
        territory.addEventListener("click", function () {
          report("territory", { actorId: p.actor_id });
        });
        root.appendChild(territory);
      }
    }
    var mode = drawnState && (drawnState.relations || config.relations);
    if (mode === "auto" && !drawnState.territory && config.labels.secondDegree) {
      var degree = el("button", "companion-card-degree",
        secondDegree ? config.labels.firstDegree : config.labels.secondDegree);
      degree.type = "button";
      degree.addEventListener("click", function () {
        secondDegree = !secondDegree;
        degree.textContent = secondDegree ? config.labels.firstDegree : config.labels.secondDegree;
        redrawRelations();
      });
      root.appendChild(degree);
    }
    return root;
  }

  function removeContacts() {
    document.querySelectorAll(".companion-card-contacts").forEach(function (node) {
      node.remove();
    });
  }

  function contactLine(parent, className, text) {
    if (text) { parent.appendChild(el("div", className, text)); }
  }

  /* Python's answer to "contacts": filled in only if that card is still open. */
  function showContacts(answer) {
    if (!contactsEnabled || presenting) { removeContacts(); return 0; }
    var filled = 0;
    document.querySelectorAll(".companion-card-contacts").forEach(function (node) {
      if (node.dataset.actorId !== answer.actorId) { return; }
      node.textContent = "";
      node.appendChild(el("div", "companion-contacts-title", config.labels.contacts));
      contactLine(node, "companion-contact-email", answer.email);
      contactLine(node, "companion-contact-phone", answer.phone);
      (answer.people || []).forEach(function (person) {
        var row = el("div", "companion-contact-person");
        row.appendChild(el("div", "companion-contact-name",
          person.role ? person.name + " – " + person.role : person.name));
        contactLine(row, "companion-contact-email", person.email);
        contactLine(row, "companion-contact-phone", person.phone);
        node.appendChild(row);
      });
      if (!answer.email && !answer.phone && !(answer.people || []).length) {
        node.appendChild(el("div", "companion-contact-none", config.labels.noContacts));
      }
      filled += 1;
    });
    return filled;
  }

  function setContacts(enabled) {
    contactsEnabled = !!enabled;
    if (!contactsEnabled) { removeContacts(); }
    return contactsEnabled;
  }

  /* -- overseas insets ----------------------------------------------------- */

  /* As French national maps show them: while the map shows metropolitan France as a
   * whole, each overseas département has a box of its own in the bottom-left corner,
   * its outline and the actors the filter keeps there as dots, with their count.
   * A click (or Enter) on a box takes the map there. */
  var OVERSEAS = ["971", "972", "973", "974", "976"];
  var insets = [];  // { code, name, button, frame, counter, map, dots, bounds, count }
  var insetPanel = null;
  var overseasKeys = {};  // département code -> ids of the actors located there

  function drawInsets(departements) {
    var shapes = {};
    departements.features.forEach(function (feature) {
      if (OVERSEAS.indexOf(feature.properties.code) >= 0) {
        shapes[feature.properties.code] = feature;
      }
    });
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      insetPanel = el("div", "companion-insets");
      insetPanel.hidden = true;
      L.DomEvent.disableClickPropagation(insetPanel);
      L.DomEvent.disableScrollPropagation(insetPanel);
      OVERSEAS.forEach(function (code) {
        var shape = shapes[code];
        if (!shape) { return; }
        var button = el("button", "companion-inset");
        button.type = "button";
        button.dataset.code = code;
        var frame = el("div", "companion-inset-map");
        var caption = el("div", "companion-inset-name", shape.properties.nom);
        var count = el("span", "companion-inset-count", "0");
        button.appendChild(frame);
        button.appendChild(count);
        button.appendChild(caption);
        insetPanel.appendChild(button);
        insets.push({ code: code, name: shape.properties.nom, shape: shape, button: button,
          frame: frame, counter: count, map: null, dots: null, bounds: null, count: 0 });
      });
      return insetPanel;
    };
    control.addTo(map);
    insets.forEach(function (inset) {
      inset.button.addEventListener("click", function () { goOverseas(inset); });
    });
    map.on("zoomend moveend resize", updateInsets);
    updateInsetDots();  // the actors may have been drawn before the basemap
    updateInsets();
  }

  /* The box's own little map, made the first time it is shown (it needs a size). */
  function insetMap(inset) {
    if (inset.map) { return inset.map; }
    var colours = config.basemap;
    var small = L.map(inset.frame, { zoomControl: false, attributionControl: false,
      dragging: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
      keyboard: false, touchZoom: false, zoomSnap: 0, fadeAnimation: false,
      zoomAnimation: false, markerZoomAnimation: false, inertia: false });
    small.getContainer().style.background = colours.sea;
    var renderer = L.canvas({ padding: 0 });
    var outline = L.geoJSON(inset.shape, { renderer: renderer, interactive: false,
      style: { stroke: true, color: colours.regionBorder, weight: 0.8, fill: true,
        fillColor: colours.land, fillOpacity: 1 } }).addTo(small);
    inset.bounds = outline.getBounds();
    inset.renderer = renderer;
    inset.dots = L.layerGroup().addTo(small);
    inset.map = small;
    return small;
  }

  function insetsWanted() {
    return insets.length > 0 && map.getSize().x >= 480 && wholeCountry(bounds());
  }

  function updateInsets() {
    if (!insetPanel) { return; }
    var wanted = insetsWanted();
    if (insetPanel.hidden === !wanted) { return; }
    insetPanel.hidden = !wanted;
    status.insets = wanted ? insets.length : 0;
    if (!wanted) { return; }
    insets.forEach(function (inset) {
      insetMap(inset).invalidateSize({ pan: false });
      inset.map.fitBounds(inset.bounds, { padding: [3, 3], animate: false });
      drawInsetDots(inset);
    });
    scheduleDeclutter();
  }

  /* The actors the filter keeps in each overseas département, as dots and a count. */
  function updateInsetDots() {
    insets.forEach(function (inset) {
      var keys = overseasKeys[inset.code] || [];
      inset.shownKeys = keys.filter(isShown);
      inset.count = inset.shownKeys.length;
      var name = config.labels.insetTitle[inset.count === 1 ? 0 : 1]
        .replace("{name}", inset.name).replace("{n}", String(inset.count));
      inset.counter.textContent = String(inset.count);
      inset.button.title = name;
      inset.button.setAttribute("aria-label", name);
      if (insetPanel && !insetPanel.hidden) { drawInsetDots(inset); }
    });
    status.insetCounts = insets.map(function (inset) { return [inset.code, inset.count]; });
  }

  function drawInsetDots(inset) {
    if (!inset.dots) { return; }
    var keys = inset.shownKeys || [];
    if (inset.drawn && inset.drawn.presenting === presenting && sameList(inset.drawn.keys, keys)) {
      return;  // a filter that changes nothing overseas
    }
    inset.drawn = { keys: keys, presenting: presenting };
    inset.dots.clearLayers();
    var placed = new Set();  // one dot a kind and place (about a kilometre): a box is small
    keys.forEach(function (key) {
      var feature = features.get(key);
      var c = feature.geometry.coordinates;
      var spot = feature.properties.kind + ":" + Math.round(c[1] * 80) + ":" + Math.round(c[0] * 80);
      if (placed.has(spot)) { return; }
      placed.add(spot);
      inset.dots.addLayer(L.circleMarker([c[1], c[0]], { renderer: inset.renderer,
        interactive: false, radius: presenting ? 3.5 : 2.5, weight: 0.5, color: "#ffffff",
        fillColor: config.kindColours[feature.properties.kind] || config.kindColours.autre,
        fillOpacity: 0.95 }));
    });
  }


  function goOverseas(inset) {
    forgetFit();
    var box = inset.bounds || L.geoJSON(inset.shape).getBounds();
    map.fitBounds(box, { padding: [32, 32], animate: false });
  }

  /* -- presentation -------------------------------------------------------- */

  function setTitle(title) {
    if (!banner) {
      banner = el("div", "companion-banner");
      banner.id = "companion-banner";
      document.body.appendChild(banner);
    }
    banner.textContent = title || "";
    banner.hidden = !presenting || !title;
    return banner.textContent;
  }

  /* In presentation the presenter's keys step through views (Python decides);
   * taken before Leaflet, which would pan the map with them. */
  var PRESENTER_KEYS = { ArrowRight: "next", PageDown: "next", " ": "next",
    ArrowLeft: "previous", PageUp: "previous", Escape: "leave" };

  /* The page's own shortcuts, whatever the mode: the web view keeps the keys it is
   * given, so the window's shortcuts would never see them while the map has the focus. */
  function pageShortcut(event) {
    if (event.key === "F5" && !event.ctrlKey && !event.altKey) { return "present"; }
    if (event.ctrlKey && event.shiftKey && (event.key === "F" || event.key === "f")) {
      return "drawer";
    }
    return null;
  }

  function onPresenterKey(event) {
    var action = presenting ? PRESENTER_KEYS[event.key] : pageShortcut(event);
    if (!action) { return; }
    event.preventDefault();
    event.stopPropagation();
    report("key", { action: action });
  }

  /* Symbols, labels and controls for a projector: as large as the screen is tall
   * (1.35 at 1080 pixels), markers and the box's dots included. */
  function setScale(scale) {
    document.body.style.setProperty("--companion-scale", String(scale));
    status.scale = scale;
    if (scale === markerScale) { return; }
    markerScale = scale;
    if (clusterLayer) { clusterLayer.refresh(); }  // bubbles as far apart as they are large
    if (!markerRenderer) { return; }
    Object.keys(markerRenderer._layers).forEach(function (id) {
      var layer = markerRenderer._layers[id];
      layer.setRadius(layer.options.radius);
    });
  }

  function fitScale() {
    var scale = Math.min(1.75, Math.max(1.2, window.innerHeight / 800));
    setScale(presenting ? Math.round(scale * 20) / 20 : 1);
  }

  function setPresentation(on, title) {
    presenting = !!on;
    document.body.classList.toggle("presentation", presenting);
    fitScale();
    if (presenting) { contactsEnabled = false; removeContacts(); }
    map.closePopup();
    setTitle(title);
    map.invalidateSize({ pan: false });
    scheduleDeclutter();
    return presenting;
  }

  /* -- stories (« récits », maps/stories.py, ui/map/stories_panel.py) ------------
   * A story's step: its caption (counter « 2 / 5 », title, text) at the top left in
   * presentation, and its highlighted actors with their links drawn above the clusters,
   * in a pane without pointer events (clicks reach the markers under it) but for the
   * highlighted actors' own dots, which open their cards; the line legend names the
   * links' types. Python sends the step (showStory); an exported page (the handout)
   * brings it in its config (config.story). Redrawn after every filter state (finish). */
  var STORY_RING = "#ffb300";
  var story;  // undefined until first drawn; null: none; else {title, text, counter, actors, links}
  var storyLayer = null;
  var storyRenderer = null;
  var storyCaption = null;

  function storyPane() {
    if (!map.getPane("story")) { addPane("story", 615, false); }  // above the cluster icons
    return "story";
  }

  function showStory(step) {
    story = step || null;
    updateStoryCaption();
    drawStory();
    return storyStatus();
  }

  function updateStoryCaption() {
    if (!storyCaption) {
      // Top left, under the banner: the overseas boxes take the bottom left corner.
      var control = L.control({ position: "topleft" });
      control.onAdd = function () {
        var box = el("div", "companion-story-caption");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      };
      control.addTo(map);
      storyCaption = control.getContainer();
    }
    storyCaption.textContent = "";
    if (story) {
      storyCaption.appendChild(el("div", "companion-story-counter", story.counter));
      if (story.title) { storyCaption.appendChild(el("div", "companion-story-title", story.title)); }
      if (story.text) { storyCaption.appendChild(el("div", "companion-story-text", story.text)); }
    }
    // Shown in presentation only (CSS): the map's own editing stays uncovered.
    storyCaption.classList.toggle("companion-story-on", !!story);
    fitStoryCaption();
    scheduleDeclutter();
  }

  /* A long text is written smaller (down to 60 %) until the caption holds it whole; a
   * very long one may then take half the height. */
  var CAPTION_SCALES = [1, 0.9, 0.8, 0.7, 0.6];

  function fitStoryCaption() {
    if (!storyCaption || !story || storyCaption.offsetParent === null) { return; }
    var fits = function (scale) {
      storyCaption.style.setProperty("--story-scale", String(scale));
      return storyCaption.scrollHeight <= storyCaption.clientHeight + 1;
    };
    storyCaption.classList.remove("companion-story-long");
    if (CAPTION_SCALES.some(fits)) { return; }
    storyCaption.classList.add("companion-story-long");
    CAPTION_SCALES.some(fits);
  }

  /* The padding a fitted extent keeps clear of the map's boxes while a caption shows
   * (the caption, the overseas boxes, the legend): [left, top, right, bottom] in pixels.
   * Each box is kept clear either beside it or above/below it; of these choices, the one
   * showing the extent largest (on a wide screen, mostly: beside them all). */
  function storyPadding(bounds) {
    var top = bannerHeight();
    if (!storyCaption || !story || !presenting || storyCaption.offsetParent === null) {
      return null;  // no caption on screen
    }
    fitStoryCaption();
    var frame = map.getContainer().getBoundingClientRect();
    var size = map.getSize();
    var sides = [];  // per box: [side, amount] beside it, [side, amount] above or below it
    [storyCaption, insetPanel, document.querySelector(".companion-legend")].forEach(
      function (node) {
        if (!node || node.hidden || node.offsetParent === null) { return; }
        var r = node.getBoundingClientRect();
        var l = r.left - frame.left, t = r.top - frame.top, margin = 14;
        var across = l + r.width / 2 < size.x / 2 ? [0, l + r.width + margin]
          : [2, size.x - l + margin];
        var along = t + r.height / 2 < size.y / 2 ? [1, t + r.height + margin]
          : [3, size.y - t + margin];
        sides.push([across, along]);
      });
    var best = null;
    for (var choice = 0; choice < (1 << sides.length); choice++) {
      var padding = [0, top, 0, 0];
      sides.forEach(function (options, index) {
        var side = options[(choice >> index) & 1];
        padding[side[0]] = Math.max(padding[side[0]], side[1]);
      });
      var free = L.point(padding[0] + padding[2], padding[1] + padding[3]);
      if (size.x - free.x < 0.3 * size.x || size.y - free.y < 0.3 * size.y) { continue; }
      var zoom = map.getBoundsZoom(bounds, false, free);
      if (!best || zoom > best.zoom) { best = { zoom: zoom, padding: padding }; }
    }
    return best ? best.padding : [0, top, 0, 0];  // no room clear of them all: the boxes lie over it
  }

  /* A highlighted actor's name goes on its right, else its left, below or above: the
   * place that hides least of the map's boxes (the legend, the caption), of the names
   * placed before it and of itself off the screen.
   * Places are computed from the actor's point, not read from the page: a zoom's
   * animation would show the name midway. */
  var storyNames = [];  // {node, at}: each name and its actor's LatLng
  var namesPending = false;
  var nameSizes = window.ResizeObserver ? new ResizeObserver(function () {
    scheduleStoryNames();
  }) : null;

  /* Once a frame at most, after what moves the map or resizes a name. */
  function scheduleStoryNames() {
    if (namesPending) { return; }
    namesPending = true;
    requestAnimationFrame(function () {
      namesPending = false;
      placeStoryNames();
    });
  }

  function namePlaces(w, h, gap) {  // offsets of the name's top left from its point
    var side = 0.75 * gap, drop = 0.45 * gap;
    return [[gap, -h / 2], [-gap - w, -h / 2], [-w / 2, gap], [-w / 2, -gap - h],
      [side, drop], [side, -drop - h], [-side - w, drop], [-side - w, -drop - h]];
  }

  /* Rings and dots as large as the markers are (larger in presentation, see setScale). */
  var storyCircles = [];
  var storyCircleScale = 1;

  function scaleStoryCircles() {
    storyCircles.forEach(function (circle) {
      circle.setRadius(circle.options.baseRadius * markerScale);
    });
    storyCircleScale = markerScale;
  }

  function placeStoryNames() {
    if (storyCircleScale !== markerScale) { scaleStoryCircles(); }
    if (!storyNames.length) { return; }
    var frame = map.getContainer().getBoundingClientRect();
    var screen = { l: frame.left, t: frame.top, r: frame.right, b: frame.bottom };
    var boxes = [];
    document.querySelectorAll(".leaflet-control").forEach(function (node) {
      if (node.offsetParent !== null) { boxes.push(box(node)); }
    });
    var banner = document.getElementById("companion-banner");
    if (banner && !banner.hidden && presenting) { boxes.push(box(banner)); }
    var gap = 16 * markerScale + 10;  // clear of the ring
    storyNames.forEach(function (name) {  // the rings themselves
      var p = map.latLngToContainerPoint(name.at), r = gap - 6;
      var x = frame.left + p.x, y = frame.top + p.y;
      boxes.push({ l: x - r, t: y - r, r: x + r, b: y + r });
    });
    storyNames.forEach(function (name) {
      var point = map.latLngToContainerPoint(name.at);
      var w = name.node.offsetWidth, h = name.node.offsetHeight;
      var best = null;
      namePlaces(w, h, gap).forEach(function (offset) {
        var l = frame.left + point.x + offset[0], t = frame.top + point.y + offset[1];
        var at = { l: l, t: t, r: l + w, b: t + h };
        // What it would hide (or lose off the screen): the least, in this order.
        var cost = w * h - covered(at, screen);
        boxes.forEach(function (other) { cost += covered(at, other); });
        if (!best || cost < best.cost) { best = { cost: cost, offset: offset, at: at }; }
      });
      boxes.push(best.at);  // the next names keep clear of this one
      name.node.style.left = Math.round(best.offset[0]) + "px";
      name.node.style.top = Math.round(best.offset[1]) + "px";
    });
  }

  function featureLatLng(feature) {
    var c = feature.geometry.coordinates;
    return L.latLng(c[1], c[0]);
  }

  function drawStory() {
    if (story === undefined) {
      story = (config && config.story) || null;
      if (story) { updateStoryCaption(); }
    }
    if (!storyLayer) {
      storyLayer = L.layerGroup().addTo(map);
      storyRenderer = L.svg({ pane: storyPane(), padding: 0.5 });  // vector in a PDF too
      map.on("move moveend zoomend resize viewreset", scheduleStoryNames);
    }
    storyLayer.clearLayers();
    storyNames = [];
    storyCircles = [];
    if (nameSizes) { nameSizes.disconnect(); }
    status.storyActors = [];
    status.storyLinks = 0;
    var hadLinks = status.storyLinkTypes > 0;
    storyLinkTypesDrawn = {};
    drawStoryShapes();
    scaleStoryCircles();
    status.storyLinkTypes = Object.keys(storyLinkTypesDrawn).length;
    if (lastLineLegend && (hadLinks || status.storyLinkTypes)) {
      updateLineLegend(lastLineLegend[0], lastLineLegend[1]);  // the links' types in it, or out
    }
    placeStoryNames();
  }

  function drawStoryShapes() {
    if (!story) { return; }
    var shown = isShown;
    var renderer = storyRenderer;
    (story.links || []).forEach(function (link) {
      if (!shown(link[0]) || !shown(link[1])) { return; }
      var a = features.get(link[0]), b = features.get(link[1]);
      if (zone(a.properties.departement || "") !== zone(b.properties.departement || "")) {
        return;  // never across the ocean
      }
      var ends = [featureLatLng(a), featureLatLng(b)];
      var style = config.relationStyles[link[2]] || config.relationStyles.autre || ["#555"];
      storyLayer.addLayer(L.polyline(ends, { renderer: renderer, interactive: false,
        color: "#ffffff", weight: 9, opacity: 0.85, lineCap: "round" }));
      storyLayer.addLayer(L.polyline(ends, { renderer: renderer, interactive: false,
        color: style[0], dashArray: style[1] || null, weight: 4.5, opacity: 1 }));
      storyLinkTypesDrawn[config.relationStyles[link[2]] ? link[2] : "autre"] = true;
      status.storyLinks += 1;
    });
    (story.actors || []).forEach(function (key) {
      if (!shown(key)) { return; }
      var feature = features.get(key);
      var at = featureLatLng(feature);
      var p = feature.properties;
      var ring = L.circleMarker(at, { renderer: renderer, interactive: false,
        radius: 18, baseRadius: 16, color: STORY_RING, weight: 6, opacity: 0.95, fill: false });
      storyLayer.addLayer(ring);
      storyCircles.push(ring);
      // The actor itself, above its cluster if it is in one: a click opens its card (an
      // SVG path takes the clicks on itself only, the rest of the pane lets them through).
      var dot = L.circleMarker(at, { renderer: renderer, interactive: true,
        bubblingMouseEvents: false, radius: 11, baseRadius: 10, color: "#ffffff", weight: 2.5,
        fillColor: config.kindColours[p.kind] || config.kindColours.autre, fillOpacity: 1 });
      dot.on("click", function (event) {
        L.DomEvent.stop(event);
        var marker = markerOf(key);
        if (marker) { openCard(marker); }
      });
      storyLayer.addLayer(dot);
      storyCircles.push(dot);
      var name = el("span", "companion-story-name-text", p.name);
      storyLayer.addLayer(L.marker(at, { pane: storyPane(), interactive: false, keyboard: false,
        icon: L.divIcon({ className: "companion-story-name", iconSize: null, html: name }) }));
      storyNames.push({ node: name, at: at });
      if (nameSizes) { nameSizes.observe(name); }  // its font may change (presentation)
      status.storyActors.push(key);
    });
  }

  /* The types of the highlighted links drawn: the line legend explains them too. */
  var lastLineLegend = null;
  var storyLinkTypesDrawn = {};

  function storyLinkTypes() { return storyLinkTypesDrawn; }

  function storyStatus() {
    return { shown: !!story, presenting: presenting,
      caption: storyCaption && story ? storyCaption.textContent : "",
      captionVisible: !!storyCaption && storyCaption.offsetParent !== null,
      actors: status.storyActors || [], links: status.storyLinks || 0 };
  }

  /* The actor whose card is open (its UUID), for "add the current map as a step". */
  function openActor() {
    var feature = openKey === null ? null : features.get(openKey);
    return feature ? feature.properties.actor_id || null : null;
  }

  /* -- extent -------------------------------------------------------------- */

  function round(value) { return Math.round(value * 1e5) / 1e5; }

  function bounds() {
    var b = map.getBounds();
    return [round(b.getSouth()), round(b.getWest()), round(b.getNorth()), round(b.getEast())];
  }

  /* The extent a view asked for is kept until the user moves the map: when the
   * window changes size (entering full screen), it is fitted again. */
  var fitted = null;

  function fit(box) {
    var bounds = L.latLngBounds([[box[0], box[1]], [box[2], box[3]]]);
    // A story step's caption and the legend (see "stories"), else the whole country
    // between the overseas boxes and the legend.
    var padding = storyPadding(bounds);
    if (!padding) {
      var room = wholeCountry(box) ? sideRoom() : [0, 0];
      padding = [room[0], bannerHeight(), room[1], 0];
    }
    map.fitBounds(bounds, { animate: false, paddingTopLeft: [padding[0], padding[1]],
      paddingBottomRight: [padding[2], padding[3]] });
  }

  function wholeCountry(box) {
    var metro = config.metropole;
    if (!metro) { return false; }
    var centre = [(metro[0] + metro[2]) / 2, (metro[1] + metro[3]) / 2];
    return box[0] <= centre[0] && box[2] >= centre[0] && box[1] <= centre[1] &&
      box[3] >= centre[1] && box[3] - box[1] >= 0.8 * (metro[3] - metro[1]);
  }

  /* The whole of metropolitan France is fitted between the overseas boxes (left) and
   * the legend (right), so that neither hides a part of it (Corsica, the west coast). */
  function sideRoom() {
    if (map.getSize().x < 480) { return [0, 0]; }
    var left = 0;
    if (insetPanel) {
      var hidden = insetPanel.hidden;
      insetPanel.hidden = false;
      left = insetPanel.offsetWidth ? insetPanel.offsetWidth + 10 : 0;
      insetPanel.hidden = hidden;
    }
    var legend = document.querySelector(".companion-legend");
    // (a cluster's count at the coast spreads past the land: room for half of one)
    var right = legend && legend.offsetWidth ? legend.offsetWidth + 20 : 0;
    // A narrow map keeps its width for the country: the boxes then lie over the sea.
    return left + right <= 0.5 * map.getSize().x ? [left, right] : [0, 0];
  }

  function fitBounds(box) {
    fitted = box;
    map.invalidateSize({ pan: false });
    fit(box);
    return bounds();
  }

  function refit() {
    if (fitted) { fit(fitted); }
  }

  var touched = false;  // the user moved the map

  function forgetFit() { fitted = null; touched = true; }

  /* The view on these actors (a filter's results): those of the zone most of them are in
   * (metropolitan France or one overseas département), never an ocean between them. */
  function fitKeys(keys) {
    var zones = {};
    keys.forEach(function (key) {
      var feature = features.get(key);
      if (!feature) { return; }
      var name = zone(feature.properties.departement || "");
      (zones[name] = zones[name] || []).push(feature.geometry.coordinates);
    });
    var points = Object.keys(zones).map(function (name) { return zones[name]; })
      .sort(function (a, b) { return b.length - a.length; })[0];
    if (!points) { return; }
    var south = 90, west = 180, north = -90, east = -180;
    points.forEach(function (c) {
      south = Math.min(south, c[1]); north = Math.max(north, c[1]);
      west = Math.min(west, c[0]); east = Math.max(east, c[0]);
    });
    var margin = 0.02;  // a lone actor: a town's width around it
    fitted = [south - margin, west - margin, north + margin, east + margin];
    // Clear of the legend (bottom right) when the map is wide enough to spare it.
    var legend = document.querySelector(".companion-legend");
    var right = legend && legend.offsetWidth < 0.4 * map.getSize().x ? legend.offsetWidth : 0;
    map.fitBounds([[fitted[0], fitted[1]], [fitted[2], fitted[3]]],
      { animate: false, paddingTopLeft: [40, 40 + bannerHeight()],
        paddingBottomRight: [40 + right, 40], maxZoom: 12 });
  }

  function bannerHeight() {
    return presenting && banner && !banner.hidden ? banner.offsetHeight : 0;
  }

  function openCard(marker) {
    var options = { maxWidth: presenting ? 440 : 320, autoPanPadding: [24, 24] };
    if (presenting) {
      // Large text: keep the card clear of the banner and of the legend.
      var legend = document.querySelector(".companion-legend");
      options.autoPanPaddingTopLeft = [24, bannerHeight() + 24];
      options.autoPanPaddingBottomRight = [(legend ? legend.offsetWidth : 0) + 24, 24];
    }
    report("opened", { actorId: marker.feature.properties.actor_id });
    var popup = L.popup(options).setLatLng(marker.getLatLng());
    popup.setContent(card(marker.feature)).openOn(map);  // closes the card open before
    openKey = marker.feature.id;
    cardPopup = popup;
    if (relationsFollowCard()) { redrawRelations(); }  // this actor's relations
    var opened = marker.feature.properties.actor_id;
    requestAnimationFrame(function () {  // once the frame showing the card is painted
      setTimeout(function () { report("cardPainted", { actorId: opened }); }, 0);
    });
    return popup;
  }

  /* Zoom (at once, no animation to be cut short by the next filter) to where the
   * actor leaves its bubble, or to the last zoom and spread the bubble out when it
   * never does (actors at one address), then open its card. */
  function revealMarker(key) {
    if (clusterLayer) { clusterLayer.reveal(pointIndex.get(key), openCard); }
  }

  /* Putting an actor where it really is: a pin to drag (or a click where it goes);
   * the app asks before it changes anything (Python: "placed"), Esc gives up. */
  var placing = null;  // { key, pin, hint }

  var pendingPlace = null;  // an actor to place once the markers are in place

  function startPlacing(key) {
    if (!status.drawn || loading) { pendingPlace = key; return false; }
    var feature = features.get(key);
    if (!feature || presenting) { return false; }
    stopPlacing();
    map.closePopup();
    var c = feature.geometry.coordinates;
    map.setView([c[1], c[0]], Math.max(map.getZoom(), 13), { animate: false });
    var pin = L.marker([c[1], c[0]], {
      draggable: true, autoPan: true, keyboard: false, zIndexOffset: 1000,
      icon: L.divIcon({ className: "companion-place-pin", iconSize: [28, 28],
        html: el("span", "companion-place-pin-dot") })
    }).addTo(map);
    var hint = el("div", "companion-place-hint",
      config.labels.placeHint.replace("{name}", feature.properties.name));
    map.getContainer().appendChild(hint);
    L.DomEvent.disableClickPropagation(hint);
    placing = { key: key, pin: pin, hint: hint };
    var place = function (latlng) {
      report("placed", { actorId: feature.properties.actor_id, lat: latlng.lat, lng: latlng.lng });
    };
    pin.on("dragend", function () { place(pin.getLatLng()); });
    placing.onClick = function (event) { pin.setLatLng(event.latlng); place(event.latlng); };
    map.on("click", placing.onClick);
    map.getContainer().classList.add("companion-placing");
    status.placing = key;
    return true;
  }

  function stopPlacing() {
    if (!placing) { return false; }
    map.off("click", placing.onClick);
    map.removeLayer(placing.pin);
    placing.hint.remove();
    map.getContainer().classList.remove("companion-placing");
    placing = null;
    status.placing = null;
    return true;
  }

  function onPlacingKey(event) {
    if (placing && event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      stopPlacing();
      report("placing", { cancelled: true });
    }
  }

  /* The directory's selection on the map: one actor is zoomed to until it is out of
   * its cluster, and its card opens; several are fitted in view. Those the filters hide
   * (or without a place) are counted back to the app. */
  function showActors(keys) {
    if (!status.drawn || loading) { pendingShow = keys; return; }
    var shown = keys.filter(isShown);
    report("shown", { asked: keys.length, shown: shown.length });
    if (!shown.length) { return; }
    forgetFit();
    map.closePopup();
    if (shown.length === 1) {
      revealMarker(shown[0]);
      return;
    }
    var box = L.latLngBounds(shown.map(function (key) { return featureLatLng(features.get(key)); }));
    map.fitBounds(box, { padding: [48, 48], maxZoom: 13, animate: false });
  }

  /* -- filters ------------------------------------------------------------- */

  function applyState(state) {
    pendingState = state;
    if (status.dataReady && !loading) { flush(); }
  }

  function difference(a, b) {
    var out = [];
    a.forEach(function (key) { if (!b.has(key)) { out.push(key); } });
    return out;
  }

  /* The actors a state keeps (their point indexes, in order), or null for all: those
   * whose fields match (state.match: see filters.page_match) among the text search's
   * (state.actors, found by the store) or among all. */
  function keptIndexes(state) {
    var match = state.match || null;
    var text = state.actors || null;
    if (!match && !text) { return null; }
    var among = function (list) { return list ? new Set(list) : null; };
    var kinds = among(match && match.kinds), tags = among(match && match.tags);
    var departements = among(match && match.departements);
    var privacy = match && typeof match.private === "boolean" ? match.private : null;
    var tagged = function (t) { return tags.has(t); };
    var candidates = text ? text.map(function (key) { return pointIndex.get(key); }) : everyIndex;
    var kept = [];
    for (var n = 0; n < candidates.length; n++) {
      var index = candidates[n];
      if (index === undefined) { continue; }
      var p = featureList[index].properties;
      if ((kinds && !kinds.has(p.kind)) || (departements && !departements.has(p.departement)) ||
          (privacy !== null && p.private !== privacy) || (tags && !p.tags.some(tagged))) {
        continue;
      }
      kept.push(index);
    }
    return kept;
  }

  /* Whether the last filter keeps this actor (by its key). */
  function isShown(key) {
    var index = pointIndex.get(key);
    return index !== undefined && shownMask[index] === 1;
  }

  function keysOf(indexes) {
    return indexes.map(function (index) { return actorKeys[index]; });
  }

  function flush() {
    var state = pendingState;
    if (!state) { return; }
    if (state.match && state.match.tags && !status.tagsLoaded) { return; }  // see addTags
    pendingState = null;
    var started = performance.now();
    zones.show(state.zones);
    updateZoneLegend();
    var kept = keptIndexes(state);
    shownIndexes = kept || everyIndex;
    shownMask = everyMask;
    if (kept) {
      shownMask = new Uint8Array(actorKeys.length);
      kept.forEach(function (index) { shownMask[index] = 1; });
    }
    var keep = kept ? shownMask : null;  // for the relations: both ends kept
    var visible = shownIndexes.length;
    if (config.clusters === false) {  // paper: nothing to cluster, the export draws them
      drawRelations(state, keep);
      loading = { seq: state.seq || 0, started: started, visible: visible };
      finish();
      return;
    }
    if (openKey === null || !isShown(openKey)) { map.closePopup(); }  // else kept open
    status.catalystsShown = catalystKeys.filter(isShown).length;
    drawRelations(state, keep);
    if (state.fit && kept && visible) { fitKeys(keysOf(kept)); }
    loading = { seq: state.seq || 0, started: started, visible: visible };
    clusterLayer.setShown(shownIndexes);
    finish();
  }

  function finish() {
    var done = loading;
    loading = null;
    updateInsetDots();
    drawStory();  // its highlighted actors, among those now shown
    scheduleDeclutter();
    status.visible = done.visible;
    status.applied = done.seq;
    if (!status.drawn) {
      mark("drawn");
      status.drawn = true;
      report("drawn", { markers: status.markers, catalysts: status.catalysts,
        relations: status.relations, visible: done.visible });
    }
    report("applied", { seq: done.seq, visible: done.visible,
      relations: status.visibleRelations, ms: performance.now() - done.started });
    // And once the frame showing it is painted (no frame comes while the page is hidden).
    requestAnimationFrame(function () {
      setTimeout(function () {
        report("painted", { seq: done.seq, ms: performance.now() - done.started });
      }, 0);
    });
    if (pendingState) { setTimeout(flush, 0); return; }
    if (pendingShow) {
      var keys = pendingShow;
      pendingShow = null;
      showActors(keys);
    }
    if (pendingPlace !== null) {
      var key = pendingPlace;
      pendingPlace = null;
      startPlacing(key);
    }
  }

  /* -- start --------------------------------------------------------------- */

  function connectBridge() {
    return new Promise(function (resolve) {
      if (typeof qt === "undefined" || typeof QWebChannel === "undefined") {
        resolve(null);
        return;
      }
      new QWebChannel(qt.webChannelTransport, function (channel) {
        resolve(channel.objects.bridge || null);
      });
    });
  }

  function loadData() {
    status.dataReady = false;
    mark("dataRequested");
    var urls = config.urls;
    // A reload asks again, past any cache: the store changed.
    var suffix = dataVersion ? "?v=" + dataVersion : "";
    dataVersion += 1;
    var noZones = { type: "FeatureCollection", features: [] };
    var zoneData = urls.zones ? fetchJson(urls.zones + suffix).catch(function (error) {
      fail(error);
      return noZones;
    }) : Promise.resolve(noZones);
    return Promise.all([fetchJson(urls.actors + suffix), fetchJson(urls.relations + suffix),
      zoneData])
      .then(function (parts) {
        mark("dataParsed");
        buildActors(actorFeatures(parts[0]));
        buildRelations(relationFeatures(parts[1]));
        zones.build(parts[2]);
        updateZoneLegend();
        mark("layersBuilt");
        // Only the cards show them: not worth waiting for before drawing.
        if (config.tagsUrl) {
          var built = features;  // not those of a later reload
          fetchJson(config.tagsUrl + suffix).then(function (tags) {
            if (features === built) { addTags(tags); }
          }).catch(function (error) {
            fail(error);
            tagsLoaded();  // a filter on tags waits no longer (it keeps none)
          });
        } else {
          tagsLoaded();
        }
        status.dataReady = true;
        if (!pendingState) { pendingState = { actors: null, relationTypes: null, seq: 0 }; }
        if (!loading) { flush(); }
      });
  }

  var SVG = "http://www.w3.org/2000/svg";

  /* A short line drawn as the map draws it: colour, dashes, width. */
  function lineSwatch(colour, dash, width) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "companion-line-swatch");
    svg.setAttribute("viewBox", "0 0 28 10");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "5");
    line.setAttribute("x2", "27"); line.setAttribute("y2", "5");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", String(width));
    if (dash) { line.setAttribute("stroke-dasharray", dash); }
    svg.appendChild(line);
    return svg;
  }

  /* The lines on the map explained on the map (and so in presentation and exports):
   * the types drawn now, or the flows; lines to overseas that are not drawn. */
  function updateLineLegend(byType, wanted) {
    lastLineLegend = [byType, wanted];  // stories: drawn again with the highlighted links
    if (!lineLegend) { return; }
    lineLegend.textContent = "";
    var rows = [];
    if (byType) {
      var highlighted = storyLinkTypes();
      Object.keys(config.relationStyles).forEach(function (type) {
        if (!(byType[type] || []).length && !highlighted[type]) { return; }
        var style = config.relationStyles[type];
        rows.push([lineSwatch(style[0], style[1], 2), config.relationLabels[type] || type]);
      });
    } else if (status.flows) {
      rows.push([lineSwatch(config.flowColour || "#5b4a8b", "", 4), config.labels.flowsLegend]);
    }
    if (rows.length) {
      lineLegend.appendChild(el("div", "companion-legend-title", config.labels.relationsLegend));
      rows.forEach(function (row) {
        var line = el("div", "companion-legend-row");
        line.appendChild(row[0]);
        line.appendChild(document.createTextNode(row[1]));
        lineLegend.appendChild(line);
      });
    }
    if (wanted.overseas && config.labels.overseasNotDrawn) {
      var sentence = config.labels.overseasNotDrawn[wanted.overseas > 1 ? 1 : 0];
      lineLegend.appendChild(el("div", "companion-legend-note",
        sentence.replace("{n}", String(wanted.overseas))));
    }
  }

  /* The zones drawn, explained in the legend: each by name, or each layer (category). */
  function updateZoneLegend() {
    if (!zoneLegend) { return; }
    zoneLegend.textContent = "";
    var rows = zones.legendRows();
    if (!rows.length) { return; }
    zoneLegend.appendChild(el("div", "companion-legend-title", config.labels.zonesLegend));
    rows.forEach(function (row) {
      var line = el("div", "companion-legend-row");
      line.appendChild(row[2] ? lineSwatch(row[0], row[1], 2) : zoneSwatch(row[0], row[1]));
      var text = row[3] || config.labels.zonesLegend;
      line.appendChild(document.createTextNode(row.length > 4 ? text + " (" + row[4] + ")" : text));
      zoneLegend.appendChild(line);
    });
  }

  /* A small area drawn as the map draws a zone: tinted, outlined. */
  function zoneSwatch(colour, dash) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "companion-line-swatch");
    svg.setAttribute("viewBox", "0 0 28 10");
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", "2"); rect.setAttribute("y", "1");
    rect.setAttribute("width", "24"); rect.setAttribute("height", "8");
    rect.setAttribute("fill", colour); rect.setAttribute("fill-opacity", "0.25");
    rect.setAttribute("stroke", colour); rect.setAttribute("stroke-width", "1.5");
    if (dash) { rect.setAttribute("stroke-dasharray", dash); }
    svg.appendChild(rect);
    return svg;
  }

  /* The pointer over the map, past the actors: the zone under it named (once a frame). */
  function onMapPointer(event) {
    var first = zonePointer === null;
    zonePointer = event.latlng;
    if (!first) { return; }
    requestAnimationFrame(function () {
      var at = zonePointer;
      zonePointer = null;
      if (!at || status.hovered) { zones.hover(null); return; }  // an actor's name shows
      zones.hover(zones.at(at), at);
      status.hoveredZone = zones.hovered ? zones.hovered.feature.id : null;
    });
  }

  /* A click on the map that no actor took: the card of the zone there, if any. */
  function onMapClick(event) {
    if (placing) { return; }
    var layer = zones.at(event.latlng);
    if (!layer) { return; }
    L.popup({ className: "companion-zone-popup", maxWidth: 320, autoPan: false })
      .setLatLng(event.latlng).setContent(zones.card(layer)).openOn(map);
    status.openedZone = layer.feature.id;
  }

  function addLegend() {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = el("div", "companion-legend");
      box.appendChild(el("div", "companion-legend-title", config.labels.legend));
      Object.keys(config.kindLabels).forEach(function (kind) {
        var row = el("div", "companion-legend-row");
        var swatch = el("span", "companion-swatch");
        swatch.style.background = config.kindColours[kind];
        swatch.dataset.kind = kind;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(config.kindLabels[kind]));
        box.appendChild(row);
      });
      var privateRow = el("div", "companion-legend-row");
      privateRow.appendChild(el("span", "companion-swatch companion-swatch-private"));
      privateRow.appendChild(document.createTextNode(config.labels.private));
      box.appendChild(privateRow);
      lineLegend = el("div", "companion-legend-lines");
      box.appendChild(lineLegend);
      zoneLegend = el("div", "companion-legend-zones");
      box.appendChild(zoneLegend);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function start(leafletMap, pageConfig) {
    map = leafletMap;
    config = pageConfig;
    mark("start");
    status.started = true;
    // Whatever goes wrong later in a handler is kept too (tests read status.errors).
    window.addEventListener("error", function (event) {
      status.errors.push(String(event.message || event.error));
    });
    loadGlyphs();
    map.getContainer().style.background = config.basemap.sea;
    addPane("basemap", 200, false);
    addPane("tiles", 250, false);
    addPane("outlines", 360, false);
    addPane("labels", 380, false);
    addPane("relations", 390, false);
    addPane("actors", 410, true);  // under the cluster icons (markerPane, 600)
    markerRenderer = L.canvas({ pane: "actors", padding: 0.3 });
    zones = new CompanionZones.Zones(map,
      { el: el, vector: config.vector, colour: config.zoneColour });
    map.on("mousemove", onMapPointer);
    map.on("mouseout", function () { zonePointer = null; zones.hover(null); });
    map.on("click", onMapClick);
    startLocalBasemap();
    addAttribution();  // first: the bottom corners stack later controls above
    addLegend();
    L.control.scale({ imperial: false, maxWidth: config.scaleWidth || 100 }).addTo(map);
    map.on("zoomend", restyleRelations);
    map.on("popupclose", function (event) {
      if (event.popup !== cardPopup) { return; }
      openKey = null;
      cardPopup = null;
      highlightTerritories("card", null);
      if (relationsFollowCard()) { redrawRelations(); }
    });
    map.on("moveend", function () { report("moved", { bounds: bounds() }); });
    map.on("moveend resize", scheduleDeclutter);
    window.addEventListener("keydown", onPresenterKey, true);
    window.addEventListener("keydown", onPlacingKey, true);
    map.on("resize", function () {
      fitScale();  // the window went full screen after presentation began
      refit();
    });
    map.on("dragstart", forgetFit);
    map.getContainer().addEventListener("wheel", forgetFit, { passive: true });
    // A click is not a move: only what moves the map forgets the extent asked for.
    map.on("boxzoomstart", forgetFit);
    map.getContainer().addEventListener("dblclick", forgetFit);
    map.getContainer().addEventListener("keydown", function (event) {
      if (/^(Arrow|Page)|^[-+=]$/.test(event.key)) { forgetFit(); }
    });
    if (map.zoomControl) { map.zoomControl.getContainer().addEventListener("click", forgetFit); }
    map.on("contextmenu", function (event) {
      if (presenting) { return; }
      var zone = zones.at(event.latlng);
      report("contextmenu", { lat: event.latlng.lat, lng: event.latlng.lng,
        zone: zone ? { id: zone.feature.properties.zone_id, name: zone.feature.properties.name }
          : null });
    });
    var urls = config.urls;
    // Neighbouring countries are a backdrop: a data folder built before them still draws.
    var noCountries = { type: "FeatureCollection", features: [] };
    var basemap = Promise.all([fetchJson(urls.france), fetchJson(urls.regions),
      fetchJson(urls.departements), fetchJson(urls.labels),
      fetchJson(urls.neighbours).catch(function () { return noCountries; })])
      .then(function (parts) {
        drawBasemap(parts[0], parts[1], parts[2], parts[3], parts[4]);
        // The whole country, as large as the window allows (again when it changes size).
        if (config.metropole && config.fitCountry !== false && !fitted && !touched) {
          fitBounds(config.metropole);
        }
        mark("basemapDrawn");
      });
    var bridged = connectBridge().then(function (found) {
      bridge = found;
      if (bridge) {
        unsent.forEach(function (item) { bridge.report(item[0], item[1]); });
        unsent = [];
      }
    });
    Promise.all([basemap, bridged, loadData()]).then(function () {
      report("ready", { markers: status.markers, basemapLayers: status.basemapLayers,
        bounds: bounds() });
    }).catch(fail);
  }


  /* An actor's marker (made if need be: it may be in a bubble, or filtered out). */
  function markerOf(key) {
    return clusterLayer && pointIndex.has(key) ? markerAt(pointIndex.get(key)) : null;
  }

  window.companionMap = {
    start: start,
    applyState: applyState,
    reload: function () { return loadData().catch(fail); },
    showActors: showActors,
    startPlacing: startPlacing,
    stopPlacing: stopPlacing,
    pinPoint: function () {
      if (!placing) { return null; }
      var point = map.latLngToContainerPoint(placing.pin.getLatLng());
      var frame = map.getContainer().getBoundingClientRect();
      return [Math.round(frame.left + point.x), Math.round(frame.top + point.y)];
    },
    fitShown: function () {
      if (shownIndexes.length) { fitKeys(keysOf(shownIndexes)); }
      return bounds();
    },
    openCard: function (key) {
      var marker = markerOf(key);
      return marker ? openCard(marker) : null;
    },
    map: function () { return map; },
    clusterCount: function () { return document.querySelectorAll(".marker-cluster").length; },
    /* The actors the filter keeps (features), for an export that draws them itself. */
    shownFeatures: function () {
      var shown = [];
      shownIndexes.forEach(function (index) { shown.push(featureList[index]); });
      return shown;
    },
    /* The legend's box (kinds and lines): an export may move it beside the map. */
    legend: function () { return document.querySelector(".companion-legend"); },
    declutterLabels: declutterLabels,
    /* Where an actor's own marker is drawn in the page (CSS pixels), or null while it
     * sits in a cluster or off screen: tests click there with real mouse events. */
    markerPoint: function (key) {
      var marker = markerOf(key);
      if (!marker || !marker._map) { return null; }
      var point = map.latLngToContainerPoint(marker.getLatLng());
      var box = map.getContainer().getBoundingClientRect();
      return [Math.round(box.left + point.x), Math.round(box.top + point.y)];
    },
    bounds: bounds,
    fitBounds: fitBounds,
    setPresentation: setPresentation,
    setTitle: setTitle,
    setContacts: setContacts,
    setTiles: setTiles,
    tileCount: function () { return document.querySelectorAll(".leaflet-tile-loaded").length; },
    tilesLoading: function () { return !!tileLayer && tileLayer.isLoading(); },
    showContacts: showContacts,
    isPresenting: function () { return presenting; },
    highlightTerritories: highlightTerritories,
    localBasemapState: localBasemapState,
    showStory: showStory,
    storyStatus: storyStatus,
    openActor: openActor,
    /* The zones drawn (tests, exports): each one's key, name and style. */
    zones: function () {
      return zones.drawn() ? zones.features.map(function (f) {
        return { key: f.id, name: f.properties.name, style: zones.style(f) };
      }) : [];
    },
    /* A point inside a zone (CSS pixels in the page), or null: where a test clicks. */
    zonePoint: function (key, fraction) {
      var found = null;
      if (zones.layer) {
        zones.layer.eachLayer(function (layer) { if (layer.feature.id === key) { found = layer; } });
      }
      if (!found || !zones.drawn()) { return null; }
      var b = found.getBounds(), f = fraction || [0.5, 0.5];
      var at = L.latLng(b.getSouth() + (b.getNorth() - b.getSouth()) * f[1],
        b.getWest() + (b.getEast() - b.getWest()) * f[0]);
      var point = map.latLngToContainerPoint(at);
      var box = map.getContainer().getBoundingClientRect();
      return [Math.round(box.left + point.x), Math.round(box.top + point.y)];
    }
  };
})();
