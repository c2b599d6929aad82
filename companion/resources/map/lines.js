/* Straight lines by the thousand (the relations between actors), drawn from arrays.
 *
 * A Leaflet path on a canvas renderer whose segments are [x0, y0, x1, y1] in Web
 * Mercator units ([0, 1]², see clusters.js): nothing to convert or project per line
 * when they change or the map zooms, only the segments in view are drawn. Its style
 * (colour, width, dashes, opacity) is a path's, set as usual.
 */
(function () {
  "use strict";

  var FAR = 1e9;

  var SegmentLines = L.Path.extend({
    options: { interactive: false, lineCap: "butt", lineJoin: "miter" },

    initialize: function (options) {
      L.setOptions(this, options);
      this._units = new Float64Array(0);
    },

    /* The segments to draw: four numbers each. */
    setUnits: function (units) {
      this._units = units;
      return this.redraw();
    },

    _project: function () {
      var map = this._map;
      this._scale = 256 * Math.pow(2, map.getZoom());
      this._origin = map.getPixelOrigin();
      this._pxBounds = L.bounds([-FAR, -FAR], [FAR, FAR]);  // the renderer clips
    },

    _update: function () {},

    _updateBounds: function () {},  // setStyle({weight}) asks: the bounds are the map's

    _empty: function () { return !this._units.length; },

    _containsPoint: function () { return false; },

    _updatePath: function () {
      var units = this._units;
      var renderer = this._renderer;
      if (!units.length || !this._map || !renderer._bounds) { return; }
      var ctx = renderer._ctx;
      var bounds = renderer._bounds;
      var minX = bounds.min.x, minY = bounds.min.y, maxX = bounds.max.x, maxY = bounds.max.y;
      // Ends far outside are clipped first: a canvas loses precision out there.
      var near = L.bounds([minX - 2000, minY - 2000], [maxX + 2000, maxY + 2000]);
      var scale = this._scale, ox = this._origin.x, oy = this._origin.y;
      ctx.beginPath();
      for (var i = 0; i < units.length; i += 4) {
        var x0 = units[i] * scale - ox, y0 = units[i + 1] * scale - oy;
        var x1 = units[i + 2] * scale - ox, y1 = units[i + 3] * scale - oy;
        if ((x0 < minX && x1 < minX) || (x0 > maxX && x1 > maxX) ||
            (y0 < minY && y1 < minY) || (y0 > maxY && y1 > maxY)) { continue; }
        if (!near.contains([x0, y0]) || !near.contains([x1, y1])) {
          var clipped = L.LineUtil.clipSegment(L.point(x0, y0), L.point(x1, y1), near, false, true);
          if (!clipped) { continue; }
          x0 = clipped[0].x; y0 = clipped[0].y; x1 = clipped[1].x; y1 = clipped[1].y;
        }
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
      }
      renderer._fillStroke(ctx, this);
    }
  });

  window.CompanionLines = { SegmentLines: SegmentLines };
})();
