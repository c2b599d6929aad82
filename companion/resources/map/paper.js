/* Companion's map on paper: every actor drawn and numbered, and the index of the numbers.
 *
 * On paper nothing can be clicked, so nothing is clustered: each actor is a disc in its
 * kind's colour with its number in it, drawn as vectors (SVG: sharp at any print size,
 * its numbers in the PDF's text). Discs never cover each other: they start at their
 * place (actors at one address on a small spiral) and push each other apart while a
 * weak pull keeps them near it (spread); a disc moved off its place gets a thin leader
 * line to a dot where the actor is. Numbers follow the reading order of the map (bands
 * from the top, left to right), so neighbours on the map are neighbours in the index;
 * overseas insets come after the main map. Past what the map's box can hold legibly
 * (limitFor), actors are drawn as small dots without numbers and the sheet says why.
 * Safety: names reach the page through textContent only.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
  var DENSITY = 0.38;  // share of the map's box numbered discs may cover, at most
  var SPREAD_STEPS = 240;
  var NUMBER_SIZE = 9;  // px on A4 (6.75 pt), times the sheet's scale; narrowed to fit a disc

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function svg(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, String(attributes[name]));
    });
    return node;
  }

  /* A disc's radius for numbers of this many digits, on a sheet of this scale. */
  function radiusFor(largest, scale) {
    var digits = String(Math.max(1, largest)).length;
    return (digits <= 2 ? 7.5 : (digits === 3 ? 8.5 : 10.5)) * scale;
  }

  function gapFor(scale) { return 1.5 * scale; }

  /* How many numbered discs a box holds legibly. */
  function limitFor(box, scale) {
    var r = radiusFor(999, scale) + gapFor(scale) / 2;
    return Math.floor(DENSITY * box.w * box.h / (Math.PI * r * r));
  }

  /* -- where the discs go ------------------------------------------------- */

  /* Positions for discs of radius r anchored at ``points`` ({x, y}, box pixels), apart
   * by ``gap``, inside ``area`` ({l, t, w, h}) and out of ``obstacles`` (boxes). */
  function spread(points, r, gap, area, obstacles) {
    var d = 2 * r + gap;
    var pos = points.map(function (p) { return { x: p.x, y: p.y }; });
    var seen = new Map();
    points.forEach(function (p, i) {  // actors at one place: a small spiral around it
      var key = Math.round(p.x) + "," + Math.round(p.y);
      var k = seen.get(key) || 0;
      seen.set(key, k + 1);
      if (k) {
        var angle = k * GOLDEN_ANGLE, dist = d * 0.6 * Math.sqrt(k);
        pos[i].x += dist * Math.cos(angle);
        pos[i].y += dist * Math.sin(angle);
      }
    });
    var keepIn = function (q) {
      q.x = Math.min(Math.max(q.x, area.l + r), area.l + area.w - r);
      q.y = Math.min(Math.max(q.y, area.t + r), area.t + area.h - r);
      obstacles.forEach(function (o) {
        var left = q.x - (o.l - r), right = o.l + o.w + r - q.x;
        var top = q.y - (o.t - r), bottom = o.t + o.h + r - q.y;
        if (left <= 0 || right <= 0 || top <= 0 || bottom <= 0) { return; }
        var least = Math.min(left, right, top, bottom);
        if (least === left) { q.x -= left; } else if (least === right) { q.x += right; }
        else if (least === top) { q.y -= top; } else { q.y += bottom; }
      });
    };
    for (var step = 0; step < SPREAD_STEPS; step++) {
      var pull = step < SPREAD_STEPS * 0.7 ? 0.05 : 0;  // the last steps only part them
      if (pull) {
        pos.forEach(function (q, i) {
          q.x += (points[i].x - q.x) * pull;
          q.y += (points[i].y - q.y) * pull;
        });
      }
      var grid = new Map();
      pos.forEach(function (q, i) {
        var key = Math.floor(q.x / d) + "," + Math.floor(q.y / d);
        if (!grid.has(key)) { grid.set(key, []); }
        grid.get(key).push(i);
      });
      var worst = 0;
      pos.forEach(function (q, i) {
        var cx = Math.floor(q.x / d), cy = Math.floor(q.y / d);
        for (var dx = -1; dx <= 1; dx++) {
          for (var dy = -1; dy <= 1; dy++) {
            var cell = grid.get((cx + dx) + "," + (cy + dy));
            if (!cell) { continue; }
            for (var c = 0; c < cell.length; c++) {
              var j = cell[c];
              if (j <= i) { continue; }
              var o = pos[j];
              var ox = o.x - q.x, oy = o.y - q.y;
              var dist = Math.sqrt(ox * ox + oy * oy);
              if (dist >= d) { continue; }
              if (dist < 1e-6) { ox = Math.cos(i + j); oy = Math.sin(i + j); dist = 1; }
              var push = (d - dist) / 2;
              worst = Math.max(worst, d - dist);
              q.x -= ox / dist * push; q.y -= oy / dist * push;
              o.x += ox / dist * push; o.y += oy / dist * push;
            }
          }
        }
      });
      pos.forEach(keepIn);
      if (!pull && worst < 0.25) { break; }
    }
    return pos;
  }

  /* Reading order: bands from the top, left to right in each; one place, by name. */
  function readingOrder(items, height, d) {
    var bands = Math.min(14, Math.max(4, Math.round(height / (6 * d))));
    var band = height / bands;
    var collator = new Intl.Collator("fr", { sensitivity: "base", numeric: true });
    return items.slice().sort(function (a, b) {
      var ba = Math.floor(a.point.y / band), bb = Math.floor(b.point.y / band);
      if (ba !== bb) { return ba - bb; }
      if (Math.abs(a.point.x - b.point.x) > 0.5) { return a.point.x - b.point.x; }
      return collator.compare(a.feature.properties.name, b.feature.properties.name);
    });
  }

  /* -- drawing ------------------------------------------------------------ */

  /* An SVG over the map in a pane of its own, drawn in the box's own pixels: numbers above
   * everything the map draws, dots above its lines (the names are raised above them). */
  function overlay(map, numbered) {
    var name = numbered ? "companionNumbers" : "companionDots";
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = numbered ? "640" : "395";  // dots above the lines (390)
    pane.style.pointerEvents = "none";
    var size = map.getSize();
    var origin = map.containerPointToLayerPoint([0, 0]);
    var root = svg("svg", { "class": "companion-numbers", width: size.x, height: size.y,
      viewBox: "0 0 " + size.x + " " + size.y });
    root.style.left = origin.x + "px";
    root.style.top = origin.y + "px";
    root.appendChild(svg("g", { "class": "companion-leaders" }));
    root.appendChild(svg("g", { "class": "companion-discs" }));
    pane.appendChild(root);
    return root;
  }

  /* Numbered discs (or dots) for ``items`` ({feature, point, number}) on a map's box. */
  function drawItems(root, items, options) {
    var leaders = root.firstChild, discs = root.lastChild;
    var colours = options.colours;
    var r = options.radius;
    var count = 0;
    items.forEach(function (item) {
      var p = item.feature.properties;
      var at = item.position || item.point;
      var colour = colours[p.kind] || colours.autre;
      if (!options.numbered) {
        discs.appendChild(svg("circle", { "class": "companion-dot", cx: at.x, cy: at.y,
          r: r, fill: colour }));
        return;
      }
      var dx = at.x - item.point.x, dy = at.y - item.point.y;
      var dist = Math.sqrt(dx * dx + dy * dy);
      if (dist > r * 1.1) {  // the disc no longer covers its place: a line leads there
        leaders.appendChild(svg("line", { x1: item.point.x, y1: item.point.y,
          x2: at.x - dx / dist * r, y2: at.y - dy / dist * r }));
        leaders.appendChild(svg("circle", { "class": "companion-leader-dot", cx: item.point.x,
          cy: item.point.y, r: Math.max(1.2, r * 0.18) }));
        count += 1;
      }
      var catalyst = p.kind === "catalyseur";
      var group = svg("g", { "class": "companion-numbered companion-obstacle" +
        (catalyst ? " companion-numbered-catalyst" : "") + (p["private"] ? " companion-numbered-private" : ""),
        "data-number": item.number, "data-key": item.feature.id });
      group.appendChild(svg("circle", { cx: at.x, cy: at.y, r: r, fill: colour }));
      var text = svg("text", { x: at.x, y: at.y, "text-anchor": "middle",
        "dominant-baseline": "central", "font-size": options.fontSize });
      text.textContent = String(item.number);
      group.appendChild(text);
      discs.appendChild(group);
    });
    return count;
  }

  /* Numbers wider than their disc are narrowed into it (reads first, then writes). */
  function fitNumbers(root, r) {
    var texts = Array.prototype.slice.call(root.querySelectorAll(".companion-numbered text"));
    var room = 2 * r * 0.84;
    var lengths = texts.map(function (text) { return text.getComputedTextLength(); });
    texts.forEach(function (text, i) {
      if (lengths[i] > room) {
        text.setAttribute("textLength", String(room));
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    });
  }

  function boxOf(node, frame) {
    var r = node.getBoundingClientRect();
    return { l: r.left - frame.left, t: r.top - frame.top, w: r.width, h: r.height };
  }

  /* The items a map shows: the features inside its view, with their box pixels. */
  function itemsOn(map, features) {
    var view = map.getBounds();
    var items = [];
    features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var latlng = L.latLng(c[1], c[0]);
      if (!view.contains(latlng)) { return; }
      items.push({ feature: feature, point: map.latLngToContainerPoint(latlng) });
    });
    return items;
  }

  /* Lay the discs of every map out and draw them. ``maps`` is [{map, features,
   * obstacles (nodes)}], the main map first; numbers run across them in that order.
   * Returns the items numbered (in number order) and what was drawn. */
  function drawMaps(maps, options) {
    var all = [];
    var perMap = maps.map(function (entry) {
      var items = itemsOn(entry.map, entry.features);
      var size = entry.map.getSize();
      var d = 2 * radiusFor(999, options.scale) + gapFor(options.scale);
      items = readingOrder(items, size.y, d);
      all = all.concat(items);
      return { entry: entry, items: items };
    });
    all.forEach(function (item, index) { item.number = index + 1; });
    var numbered = options.numbered;
    var r = numbered ? radiusFor(all.length, options.scale) : 2.4 * options.scale;
    var leaders = 0;
    perMap.forEach(function (part) {
      var container = part.entry.map.getContainer();
      var frame = container.getBoundingClientRect();
      var size = part.entry.map.getSize();
      if (numbered) {
        var obstacles = (part.entry.obstacles || []).map(function (node) {
          return boxOf(node, frame);
        });
        var area = { l: 0, t: 0, w: size.x, h: size.y };
        var positions = spread(part.items.map(function (item) { return item.point; }),
          r, gapFor(options.scale), area, obstacles);
        part.items.forEach(function (item, i) { item.position = positions[i]; });
      }
      var root = overlay(part.entry.map, numbered);
      leaders += drawItems(root, part.items, { colours: options.colours,
        radius: r, numbered: numbered, fontSize: NUMBER_SIZE * options.scale });
      fitNumbers(root, r);
    });
    return { items: all, radius: r, leaders: leaders };
  }

  /* -- insets ------------------------------------------------------------- */

  /* Small maps of the overseas départements, in a strip along one side of the main map
   * (left of a wide box, along the bottom of a tall one); returns them with the strip's
   * size, for the main map to fit beside it. */
  function addInsets(container, insets, outlines, colours, scale) {
    if (!insets.length) { return { maps: [], strip: null }; }
    var w = container.clientWidth, h = container.clientHeight;
    var gap = 8 * scale;
    var vertical = w >= h;
    var along = vertical ? h : w;
    var side = Math.min((along - gap * (insets.length + 1)) / insets.length,
      0.11 * Math.min(w, h) + 16 * scale);
    side = Math.max(side, 56 * scale);
    var maps = [];
    insets.forEach(function (inset, index) {
      var box = el("div", "companion-sheet-inset companion-obstacle");
      var offset = gap + index * (side + gap);
      box.style.width = side + "px";
      box.style.height = side + "px";
      box.style.left = (vertical ? gap : offset) + "px";
      box.style.top = (vertical ? offset : h - gap - side) + "px";
      box.appendChild(el("div", "companion-sheet-inset-title", inset.name));
      var mapNode = el("div", "companion-sheet-inset-map");
      box.appendChild(mapNode);
      container.appendChild(box);
      var map = L.map(mapNode, { zoomControl: false, attributionControl: false,
        dragging: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
        keyboard: false, touchZoom: false, zoomSnap: 0.1, preferCanvas: false });
      mapNode.style.background = colours.sea;
      map.createPane("basemap").style.zIndex = "200";  // as on the main map: under the dots
      var renderer = L.svg({ pane: "basemap", padding: 0 });
      [[outlines.neighbours, colours.neighbourBorder, colours.neighbourLand, 0.8],
        [outlines.departement(inset.code), colours.regionBorder, colours.land, 1.2]]
        .forEach(function (layer) {
          if (!layer[0]) { return; }
          L.geoJSON(layer[0], { renderer: renderer, interactive: false,
            style: { color: layer[1], weight: layer[3], fill: true, fillColor: layer[2],
              fillOpacity: 1 } }).addTo(map);
        });
      map.fitBounds(inset.bounds, { padding: [12 * scale, 12 * scale], animate: false });
      maps.push({ map: map, code: inset.code, node: box });
    });
    var strip = vertical ? { left: side + 2 * gap, bottom: 0 } : { left: 0, bottom: side + 2 * gap };
    return { maps: maps, strip: strip };
  }

  /* -- the index ------------------------------------------------------------ */

  /* One index entry: number (in its kind's colour), name, kind, commune. */
  function entry(feature, number, config) {
    var p = feature.properties;
    var row = el("div", "companion-index-entry");
    var badge = el("span", "companion-index-number", number);
    badge.style.background = config.kindColours[p.kind] || config.kindColours.autre;
    row.appendChild(badge);
    row.appendChild(el("span", "companion-index-name", p.name));
    var place = p.commune ? (p.departement ? p.commune + " (" + p.departement + ")" : p.commune)
      : p.departement;
    var detail = config.kindLabels[p.kind] || p.kind;
    row.appendChild(document.createTextNode(" "));
    row.appendChild(el("span", "companion-index-detail",
      place ? detail + " \u00b7 " + place : detail));
    return row;
  }

  window.companionPaper = {
    radiusFor: radiusFor,
    limitFor: limitFor,
    spread: spread,
    drawMaps: drawMaps,
    addInsets: addInsets,
    entry: entry,
    svg: svg
  };
})();
