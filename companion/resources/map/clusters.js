/* Companion's actor clusters: which actors gather into one bubble at a zoom, and the
 * Leaflet layer that shows the bubbles and the single actors of the part in view.
 *
 * Actors are arrays of coordinates, not objects: the clusters of the zoom shown are
 * computed when they are needed (one pass over a grid, a few milliseconds for 100,000
 * actors) for the view and a screen around it. Bubbles are DOM icons (a click zooms in,
 * Tab and Enter reach them); only the single actors near the view get a marker, made by
 * the page (`options.marker`). A bubble that cannot split spreads its actors out.
 */
(function () {
  "use strict";

  /* Web Mercator in [0, 1]² (Leaflet's EPSG:3857 up to a scale): x east, y south. */
  function mercatorX(lng) { return lng / 360 + 0.5; }

  function mercatorY(lat) {
    var sin = Math.sin(lat * Math.PI / 180);
    var y = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
    return y < 0 ? 0 : (y > 1 ? 1 : y);
  }

  var TILE = 256;

  function scaleAt(zoom) { return TILE * Math.pow(2, zoom); }  // pixels for [0, 1]

  /* Greedy clustering at one scale. Each point, in the order given, joins the nearest
   * seed within `radius` pixels, or becomes one. The grid's cells are a radius wide:
   * a seed within reach is in the point's cell or one of the eight around it.
   * `area` ([x0, y0, x1, y1] in [0, 1] units, or null): points outside are left out.
 * A radius of 0 leaves every point alone but those on the very same pixel.
   * Returns each point's cluster (`of`, -1 when left out) and each cluster's count,
   * seed (its first point) and summed coordinates (for its centre). */
  function clusterPoints(points, indexes, scale, radius, area) {
    var of = new Int32Array(points.x.length).fill(-1);
    var seedX = [], seedY = [], seed = [], count = [], sumLat = [], sumLng = [];
    if (radius <= 0) { radius = 0.5; }  // no clustering: only points on one pixel meet
    var cells = new Map();
    var reach = radius * radius;
    var x0 = area ? area[0] : 0, y0 = area ? area[1] : 0;
    var x1 = area ? area[2] : 1, y1 = area ? area[3] : 1;
    var width = Math.ceil(scale / radius) + 3;  // cells a row (a numeric key is cheaper)
    for (var n = 0; n < indexes.length; n++) {
      var i = indexes[n];
      var ux = points.x[i], uy = points.y[i];
      if (ux < x0 || ux > x1 || uy < y0 || uy > y1) { continue; }
      var px = ux * scale, py = uy * scale;
      var cx = Math.floor(px / radius) + 1, cy = Math.floor(py / radius) + 1;
      var best = -1, bestDistance = reach;
      for (var dy = -1; dy <= 1; dy++) {
        for (var dx = -1; dx <= 1; dx++) {
          var seeds = cells.get((cy + dy) * width + cx + dx);
          if (!seeds) { continue; }
          for (var s = 0; s < seeds.length; s++) {
            var c = seeds[s];
            var ex = seedX[c] - px, ey = seedY[c] - py;
            var distance = ex * ex + ey * ey;
            if (distance <= bestDistance) { best = c; bestDistance = distance; }
          }
        }
      }
      if (best < 0) {
        best = count.length;
        seedX.push(px); seedY.push(py); seed.push(i); count.push(0);
        sumLat.push(0); sumLng.push(0);
        var key = cy * width + cx;
        var cell = cells.get(key);
        if (cell) { cell.push(best); } else { cells.set(key, [best]); }
      }
      of[i] = best;
      count[best] += 1;
      sumLat[best] += points.lat[i];
      sumLng[best] += points.lng[i];
    }
    return { of: of, seed: seed, count: count, sumLat: sumLat, sumLng: sumLng };
  }

  /* Where n markers spread around a point (pixel offsets): a ring, a spiral past nine. */
  function spreadOffsets(n, spacing) {
    var offsets = [];
    if (n <= 9) {
      var ring = Math.max(spacing * 1.6, spacing * n / (2 * Math.PI));
      for (var i = 0; i < n; i++) {
        var angle = -Math.PI / 2 + 2 * Math.PI * i / n;
        offsets.push([ring * Math.cos(angle), ring * Math.sin(angle)]);
      }
      return offsets;
    }
    // An Archimedean spiral, a spacing further out each turn, a spacing between two.
    var theta = 0, first = spacing * 1.6, r = first;
    for (var j = 0; j < n; j++) {
      offsets.push([r * Math.cos(theta), r * Math.sin(theta)]);
      theta += spacing / r;
      r = first + spacing * theta / (2 * Math.PI);
    }
    return offsets;
  }

  function bubble(count) {
    var size = count < 10 ? "small" : (count < 100 ? "medium" : "large");
    var inner = document.createElement("div");
    var text = document.createElement("span");
    text.textContent = String(count);
    inner.appendChild(text);
    return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40) });
  }

  var ClusterLayer = L.Layer.extend({
    options: {
      pane: "markerPane",
      radius: function () { return 80; },  // pixels, for a whole zoom
      marker: null,  // function (index) -> the page's marker for this point (cached there)
      spacing: 22  // pixels between the markers of a bubble spread out
    },

    initialize: function (options) {
      L.setOptions(this, options);
      this._points = { x: new Float64Array(0), y: new Float64Array(0), lat: [], lng: [] };
      this._shown = [];
      this._clusters = null;  // the clusters of one zoom, over an area
      this._computed = new WeakMap();  // shown points (array) -> their clusters, last made
      this._icons = new Map();  // "zoom:seed:count" -> bubble marker on the map
      this._singles = new Map();  // point index -> its marker on the map
      this._spread = null;  // the bubble spread out: { cluster, markers, legs }
    },

    /* Every actor's place (lat/lng arrays, by point index). */
    setPoints: function (lats, lngs) {
      var n = lats.length;
      var x = new Float64Array(n), y = new Float64Array(n);
      for (var i = 0; i < n; i++) { x[i] = mercatorX(lngs[i]); y[i] = mercatorY(lats[i]); }
      this._points = { x: x, y: y, lat: lats, lng: lngs };
      this._shown = [];
      this.refresh();
    },

    /* The points the filter keeps, in the order they cluster (earlier ones seed). */
    setShown: function (indexes) {
      this._shown = indexes;
      this._unspread();
      // The same array again (the page's "every actor"): its clusters, if still right.
      this._clusters = this._computed.get(indexes) || null;
      if (this._map) { this._update(); }
    },

    refresh: function () {
      this._clusters = null;
      this._computed = new WeakMap();
      this._unspread();
      if (this._map) { this._update(); }
    },

    onAdd: function (map) {
      map.on("moveend viewreset", this._update, this);
      map.on("zoomstart", this._unspread, this);
      map.on("click", this._unspread, this);
      this._update();
    },

    onRemove: function (map) {
      map.off("moveend viewreset", this._update, this);
      map.off("zoomstart", this._unspread, this);
      map.off("click", this._unspread, this);
      this._unspread();
      this._icons.forEach(function (icon) { map.removeLayer(icon); });
      this._singles.forEach(function (marker) { map.removeLayer(marker); });
      this._icons = new Map();
      this._singles = new Map();
    },

    /* The view (with `pad` screens around it) in [0, 1] units. */
    _area: function (pad) {
      var map = this._map;
      var scale = scaleAt(map.getZoom());
      var pixels = map.getPixelBounds();
      var w = (pixels.max.x - pixels.min.x) * pad, h = (pixels.max.y - pixels.min.y) * pad;
      return [(pixels.min.x - w) / scale, (pixels.min.y - h) / scale,
        (pixels.max.x + w) / scale, (pixels.max.y + h) / scale];
    },

    _zoom: function () { return Math.round(this._map.getZoom()); },

    /* The clusters for the view: those already computed while the view stays well inside
     * the area they cover, else computed for the view and a screen around it. */
    _current: function () {
      var zoom = this._zoom();
      var wanted = this._area(0.5);
      var had = this._clusters;
      if (had && had.zoom === zoom && had.area[0] <= wanted[0] && had.area[1] <= wanted[1] &&
          had.area[2] >= wanted[2] && had.area[3] >= wanted[3]) {
        return had;
      }
      var area = this._area(1);
      var found = clusterPoints(this._points, this._shown, scaleAt(zoom),
        this.options.radius(zoom), area);
      found.zoom = zoom;
      found.area = area;
      this._clusters = found;
      this._computed.set(this._shown, found);
      return found;
    },

    _update: function () {
      var map = this._map;
      if (!map) { return; }
      var clusters = this._current();
      var view = this._area(0.25);
      var icons = new Map(), singles = new Map();
      for (var c = 0; c < clusters.count.length; c++) {
        var seed = clusters.seed[c];
        var n = clusters.count[c];
        var lat = clusters.sumLat[c] / n, lng = clusters.sumLng[c] / n;
        var x = mercatorX(lng), y = mercatorY(lat);
        if (x < view[0] || x > view[2] || y < view[1] || y > view[3]) { continue; }
        if (n === 1) {
          singles.set(seed, true);
          continue;
        }
        var key = clusters.zoom + ":" + seed + ":" + n;
        icons.set(key, { cluster: c, lat: lat, lng: lng, count: n });
      }
      var self = this;
      this._icons.forEach(function (icon, key) {
        if (!icons.has(key)) { map.removeLayer(icon); self._icons.delete(key); }
      });
      this._singles.forEach(function (marker, index) {
        if (!singles.has(index)) { map.removeLayer(marker); self._singles.delete(index); }
      });
      icons.forEach(function (wanted, key) {
        var icon = self._icons.get(key);
        if (icon) { icon.cluster = wanted.cluster; return; }
        icon = L.marker([wanted.lat, wanted.lng], { pane: self.options.pane,
          icon: bubble(wanted.count), title: "", riseOnHover: true });
        icon.cluster = wanted.cluster;
        icon.count = wanted.count;
        icon.on("click", function (event) {
          L.DomEvent.stop(event);
          self._open(icon);
        });
        icon.addTo(map);
        self._icons.set(key, icon);
      });
      var added = [];
      singles.forEach(function (_, index) {
        if (self._singles.has(index)) { return; }
        var marker = self.options.marker(index);
        self._singles.set(index, marker);
        added.push(marker);
      });
      // Catalysts last, drawn above the actors around them.
      added.sort(function (a, b) { return (a.above ? 1 : 0) - (b.above ? 1 : 0); });
      added.forEach(function (marker) { marker.addTo(map); });
      if (added.length) {
        this._singles.forEach(function (marker) {
          if (marker.above && added.indexOf(marker) < 0) { marker.bringToFront(); }
        });
      }
      this.fire("update", { clusters: this._icons.size, singles: this._singles.size });
    },

    /* The points of a cluster (of the clusters computed last). */
    _members: function (cluster) {
      var of = this._clusters.of, members = [];
      for (var n = 0; n < this._shown.length; n++) {
        if (of[this._shown[n]] === cluster) { members.push(this._shown[n]); }
      }
      return members;
    },

    /* A click on a bubble: zoom until it splits, or spread it out where it never does. */
    _open: function (icon) {
      var map = this._map;
      var members = this._members(icon.cluster);
      var points = this._points;
      var bounds = L.latLngBounds(members.map(function (i) {
        return [points.lat[i], points.lng[i]];
      }));
      var zoom = map.getBoundsZoom(bounds.pad(0.1));
      var same = bounds.getSouthWest().equals(bounds.getNorthEast(), 1e-9);
      if (same || map.getZoom() >= map.getMaxZoom()) {
        this._spreadOut(icon, members);
        return;
      }
      zoom = Math.max(zoom, this._zoom() + 1);
      map.setView(bounds.getCenter(), Math.min(zoom, map.getMaxZoom()));
    },

    _spreadOut: function (icon, members) {
      this._unspread();
      var map = this._map;
      var centre = map.latLngToLayerPoint(icon.getLatLng());
      var offsets = spreadOffsets(members.length, this.options.spacing);
      var self = this;
      var spread = { icon: icon, markers: [], legs: [] };
      members.forEach(function (index, n) {
        var marker = self.options.marker(index);
        var at = map.layerPointToLatLng(centre.add(offsets[n]));
        spread.markers.push({ index: index, marker: marker, home: marker.getLatLng() });
        spread.legs.push(L.polyline([icon.getLatLng(), at], { color: "#34495e", weight: 1.5,
          opacity: 0.6, interactive: false, renderer: marker.options.renderer }).addTo(map));
        marker.setLatLng(at);
        if (!marker._map) { marker.addTo(map); }
      });
      spread.markers.forEach(function (item) { if (item.marker.above) { item.marker.bringToFront(); } });
      icon.setOpacity(0.35);
      this._spread = spread;
      this.fire("spread", { count: members.length });
    },

    _unspread: function () {
      var spread = this._spread;
      if (!spread) { return; }
      this._spread = null;
      var map = this._map;
      var singles = this._singles;
      spread.legs.forEach(function (leg) { leg.remove(); });
      spread.markers.forEach(function (item) {
        item.marker.setLatLng(item.home);
        if (!singles.has(item.index) && map) { map.removeLayer(item.marker); }
      });
      spread.icon.setOpacity(1);
    },

    /* Whether point `index` would stand alone at `zoom` (computed around it only). */
    _aloneAt: function (index, zoom) {
      var map = this._map;
      var size = map.getSize();
      var scale = scaleAt(zoom);
      var radius = this.options.radius(zoom);
      var x = this._points.x[index], y = this._points.y[index];
      var w = (size.x + 4 * radius) / scale, h = (size.y + 4 * radius) / scale;
      var found = clusterPoints(this._points, this._shown, scale, radius,
        [x - w, y - h, x + w, y + h]);
      var cluster = found.of[index];
      return cluster >= 0 && found.count[cluster] === 1;
    },

    /* Zoom (at once) to where point `index` stands alone, or to the last zoom and spread
     * out its bubble; then `done(marker)` with its marker on the map. */
    reveal: function (index, done) {
      var map = this._map;
      var zoom = Math.max(this._zoom(), Math.ceil(map.getZoom()));
      while (zoom < map.getMaxZoom() && !this._aloneAt(index, zoom)) { zoom += 1; }
      var at = [this._points.lat[index], this._points.lng[index]];
      map.setView(at, Math.max(zoom, map.getZoom()), { animate: false });
      var marker = this._singles.get(index);
      if (!marker) {
        var self = this;
        this._icons.forEach(function (icon) {
          if (marker) { return; }
          if (self._clusters.of[index] === icon.cluster) {
            self._spreadOut(icon, self._members(icon.cluster));
            marker = self.options.marker(index);
          }
        });
      }
      if (marker && marker._map) { done(marker); }
    }
  });

  window.CompanionClusters = {
    ClusterLayer: ClusterLayer,
    clusterPoints: clusterPoints,
    mercatorX: mercatorX,
    mercatorY: mercatorY
  };
})();
