/* The zones: named areas and lines a map file brought (a perimeter, a quartier prioritaire,
 * a project's area), drawn in their uMap style under the actors (store/zones.py).
 *
 * Their pane takes no pointer events: the actors' canvas above it must keep every click
 * (a canvas swallows the clicks over its whole area). So the map finds the zone under the
 * pointer itself, from the geometry Leaflet has projected (_containsPoint), when a move, a
 * click or a right click reaches the map past the actors: its name on hover, a small card
 * on click, and its id with a right click (rename, delete).
 * Safety: names reach the page as data and become DOM text only.
 */
(function () {
  "use strict";

  var DEFAULT = { color: "#3b6ea5", weight: 2, opacity: 0.9, fillOpacity: 0.15 };
  var LEGEND_ROWS = 6;  // more zones than this: one legend row per category

  function Zones(map, options) {
    this.map = map;
    this.el = options.el;
    this.vector = !!options.vector;
    this.defaults = L.extend({}, DEFAULT, options.colour ? { color: options.colour } : {});
    this.wanted = true;
    this.layer = null;
    this.hovered = null;
    this.tip = null;
    this.features = [];
    map.createPane("zones");
    // Above the outlines and their highlight, under the basemap's names and the lines.
    map.getPane("zones").style.zIndex = "372";
    map.getPane("zones").style.pointerEvents = "none";
    this.renderer = this.vector ? L.svg({ pane: "zones", padding: 0 })
      : L.canvas({ pane: "zones", padding: 0.3, tolerance: 5 });
  }

  Zones.prototype.style = function (feature) {
    var own = (feature.properties && feature.properties.style) || {};
    var defaults = this.defaults;
    var pick = function (name) { return own[name] !== undefined ? own[name] : defaults[name]; };
    var line = /LineString/.test(feature.geometry.type);
    return {
      color: pick("color"),
      weight: pick("weight"),
      opacity: pick("opacity"),
      fillColor: own.fillColor || pick("color"),
      fillOpacity: line ? 0 : pick("fillOpacity"),
      fill: !line,
      dashArray: own.dashArray || null
    };
  };

  /* Draw these zones (a GeoJSON collection), in place of those drawn before. */
  Zones.prototype.build = function (collection) {
    var self = this;
    if (this.layer) { this.map.removeLayer(this.layer); }
    this.hover(null);
    this.features = (collection && collection.features) || [];
    this.layer = L.geoJSON({ type: "FeatureCollection", features: this.features }, {
      pane: "zones",
      renderer: this.renderer,
      interactive: false,
      style: function (feature) { return self.style(feature); }
    });
    this.show(this.wanted);
  };

  Zones.prototype.show = function (wanted) {
    this.wanted = wanted !== false;
    if (!this.layer) { return; }
    var visible = this.wanted && this.features.length > 0;
    if (visible && !this.map.hasLayer(this.layer)) { this.layer.addTo(this.map); }
    if (!visible && this.map.hasLayer(this.layer)) { this.map.removeLayer(this.layer); }
    if (!visible) { this.hover(null); }
  };

  Zones.prototype.drawn = function () {
    return !!this.layer && this.map.hasLayer(this.layer) ? this.features.length : 0;
  };

  /* The zone under a point (a Leaflet layer), or null: a line near it first, else the
   * smallest area holding it. */
  Zones.prototype.at = function (latlng) {
    if (!this.drawn()) { return null; }
    var point = this.map.latLngToLayerPoint(latlng);
    var best = null, bestRank = Infinity;
    this.layer.eachLayer(function (layer) {
      if (!layer._parts || !layer._pxBounds || !layer._containsPoint(point)) { return; }
      var size = layer._pxBounds.getSize();
      var rank = layer instanceof L.Polygon ? size.x * size.y + 1 : 0;
      if (rank < bestRank) { best = layer; bestRank = rank; }
    });
    return best;
  };

  /* Outline the zone under the pointer and name it beside it (null: none). */
  Zones.prototype.hover = function (layer, latlng) {
    if (this.hovered && this.hovered !== layer) {
      this.layer.resetStyle(this.hovered);
    }
    this.hovered = layer;
    if (!layer) {
      if (this.tip) { this.map.closeTooltip(this.tip); }
      return;
    }
    var base = this.style(layer.feature);
    layer.setStyle({ weight: base.weight + 2, opacity: 1 });
    if (!this.tip) {
      this.tip = L.tooltip({ direction: "top", offset: [0, -8], className: "companion-zone-tip" });
    }
    this.tip.setLatLng(latlng).setContent(this.el("span", null, layer.feature.properties.name));
    this.map.openTooltip(this.tip);
  };

  /* A zone's small card: its name, its layer, its description. */
  Zones.prototype.card = function (layer) {
    var p = layer.feature.properties;
    var box = this.el("div", "companion-zone-card");
    box.appendChild(this.el("div", "companion-zone-name", p.name));
    if (p.category) { box.appendChild(this.el("div", "companion-zone-category", p.category)); }
    if (p.description) {
      box.appendChild(this.el("div", "companion-zone-description", p.description));
    }
    return box;
  };

  /* The legend's rows: [colour, dashes, is a line, text], one a zone or one a category. */
  Zones.prototype.legendRows = function () {
    if (!this.drawn()) { return []; }
    var self = this;
    var rows = [];
    if (this.features.length <= LEGEND_ROWS) {
      this.features.forEach(function (feature) {
        var style = self.style(feature);
        rows.push([style.color, style.dashArray, !style.fill, feature.properties.name]);
      });
      return rows;
    }
    var seen = {};
    this.features.forEach(function (feature) {
      var key = feature.properties.category || "";
      if (seen[key]) { seen[key][4] += 1; return; }
      var style = self.style(feature);
      seen[key] = [style.color, style.dashArray, !style.fill, key, 1];
      rows.push(seen[key]);
    });
    return rows;
  };

  window.CompanionZones = { Zones: Zones };
})();
