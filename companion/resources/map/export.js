/* Companion's exported map: starts map.js in one standalone HTML file.
 *
 * The file holds everything: libraries, styles, settings and data, the data as
 * JSON in script elements of type application/json. This script turns each block
 * into a blob: URL for map.js to fetch (no server, no QWebChannel, no network),
 * creates the Leaflet map, adds the title, date and sources, and tells a
 * renderer (PNG/PDF) when the map is drawn: window.companionExport.ready.
 * On paper (settings.sheet: PNG, PDF) the page becomes sheets: the title band, the
 * map in its own box, the legends and the numbered index beside it, the index
 * continued on further pages (sheet.js lays them out, paper.js numbers the actors).
 * Safety: text from the data only ever reaches the page through textContent.
 */
(function () {
  "use strict";

  var exportStatus = { ready: false, errors: [], contacts: 0 };
  window.companionExport = exportStatus;

  window.addEventListener("error", function (event) {
    exportStatus.errors.push(String(event.message || event));
  });

  function block(name) {
    return document.getElementById("companion-" + name).textContent;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function addBox(map, position, build) {
    var control = L.control({ position: position });
    control.onAdd = function () {
      var box = build();
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function header(settings) {
    var box = el("div", "companion-export-header");
    box.appendChild(el("div", "companion-export-title", settings.title));
    settings.subtitles.forEach(function (line) {
      box.appendChild(el("div", "companion-export-subtitle", line));
    });
    return box;
  }

  function sources(settings) {
    var box = el("div", "companion-export-sources");
    settings.sources.forEach(function (line, index) {
      if (index) { box.appendChild(document.createTextNode(" \u00b7 ")); }
      box.appendChild(el("span", "companion-export-source", line));
    });
    return box;
  }

  /* Contacts, when the export includes them: added under the card of the
   * actor whose popup opens (found by its position and its name). */
  function contactCards(actorsText, settings, map) {
    var byPlace = new Map();
    JSON.parse(actorsText).features.forEach(function (feature) {
      if (!feature.properties.contacts) { return; }
      var c = feature.geometry.coordinates;
      var key = c[1] + "," + c[0];
      if (!byPlace.has(key)) { byPlace.set(key, []); }
      byPlace.get(key).push(feature);
      exportStatus.contacts += 1;
    });
    if (!byPlace.size) { return; }
    map.on("popupopen", function (event) {
      var root = event.popup.getElement();
      var card = root && root.querySelector(".companion-card");
      if (!card || card.querySelector(".companion-export-contacts")) { return; }
      var latlng = event.popup.getLatLng();
      var name = card.querySelector(".companion-card-name").textContent;
      var found = (byPlace.get(latlng.lat + "," + latlng.lng) || []).filter(function (f) {
        return f.properties.name === name;
      })[0];
      if (!found) { return; }
      var contacts = found.properties.contacts;
      var box = el("div", "companion-export-contacts");
      box.appendChild(el("div", "companion-export-contacts-title", settings.labels.contacts));
      [contacts.email, contacts.phone].forEach(function (value) {
        if (value) { box.appendChild(el("div", "companion-export-contact", value)); }
      });
      (contacts.people || []).forEach(function (person) {
        var line = el("div", "companion-export-contact", person.name);
        if (person.role) {
          line.appendChild(document.createTextNode(" "));
          line.appendChild(el("span", "companion-export-contact-role", "(" + person.role + ")"));
        }
        [person.email, person.phone].forEach(function (value) {
          if (value) { line.appendChild(document.createTextNode(" \u2013 " + value)); }
        });
        box.appendChild(line);
      });
      card.appendChild(box);
      event.popup.update();
    });
  }

  /* Ready once map.js has drawn everything and the browser has painted it. */
  function watch(then) {
    var status = window.companionMapStatus;
    if (status.errors.length) {
      exportStatus.errors = exportStatus.errors.concat(status.errors);
    }
    // The kind glyphs' font is embedded: wait until it loaded (or failed).
    if (status.drawn && status.timings.basemapDrawn !== undefined &&
        status.glyphs !== undefined && !(status.localBasemap && status.localBasemap.loading)) {
      if (then) {
        try { then(); } catch (error) {
          exportStatus.errors.push(String(error && error.stack || error));
          return;
        }
      }
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          exportStatus.visible = status.visible;
          exportStatus.relations = status.visibleRelations;
          exportStatus.ready = true;
        });
      });
      return;
    }
    setTimeout(function () { watch(then); }, 30);
  }

  /* -- paper (PNG, PDF) ----------------------------------------------------- */

  var numbers = new Intl.NumberFormat(document.documentElement.lang || "fr");

  function picking(pair, n) { return pair[n > 1 ? 1 : 0].replace("{n}", numbers.format(n)); }

  function paperHeader(settings) {
    var box = el("header", "companion-sheet-header");
    box.appendChild(el("div", "companion-export-title", settings.title));
    box.appendChild(el("div", "companion-export-subtitle", settings.subtitles.join(" \u00b7 ")));
    if (settings.filterSummary) {
      box.appendChild(el("div", "companion-export-filter", settings.filterSummary));
    }
    return box;
  }

  function paperFooter(settings, first) {
    var box = el("footer", "companion-sheet-footer");
    var left = el("div", "companion-sheet-sources");
    if (first) {
      left.textContent = settings.sources.concat([settings.paper.projection]).join(" \u00b7 ");
    } else {
      left.textContent = settings.title;
    }
    box.appendChild(left);
    box.appendChild(el("div", "companion-sheet-page"));
    return box;
  }

  function note(header, text) {
    var line = el("div", "companion-export-note", text);
    header.appendChild(line);
    return line;
  }

  /* The map's extent, projected: its width over its height. */
  function extentAspect(bounds) {
    var crs = L.CRS.EPSG3857;
    var sw = crs.project(L.latLng(bounds[0][0], bounds[0][1]));
    var ne = crs.project(L.latLng(bounds[1][0], bounds[1][1]));
    return Math.max(1e-6, Math.abs(ne.x - sw.x)) / Math.max(1e-6, Math.abs(ne.y - sw.y));
  }

  function outlinesFor(texts) {
    var departements = JSON.parse(texts.departements);
    var neighbours = texts.neighbours ? JSON.parse(texts.neighbours) : null;
    return {
      neighbours: neighbours,
      departement: function (code) {
        return { type: "FeatureCollection", features: departements.features.filter(
          function (f) { return f.properties.code === code; }) };
      }
    };
  }

  function zoneOf(feature) {
    var code = feature.properties.departement || "";
    var two = code.slice(0, 2);
    return two === "97" || two === "98" ? code : "metro";
  }

  /* The legend map.js built (the same kinds, colours and lines as the app's), beside the
   * map: only the kinds drawn, and what the numbers and the leader lines mean. */
  function paperLegend(legend, features, settings, numbered) {
    var kinds = new Set(), anyPrivate = false;
    features.forEach(function (f) {
      kinds.add(f.properties.kind);
      if (f.properties["private"]) { anyPrivate = true; }
    });
    legend.querySelectorAll(".companion-legend-row").forEach(function (row) {
      var swatch = row.querySelector(".companion-swatch");
      if (!swatch) { return; }
      if (swatch.dataset.kind) { row.hidden = !kinds.has(swatch.dataset.kind); }
      if (swatch.classList.contains("companion-swatch-private")) { row.hidden = !anyPrivate; }
    });
    var extra = el("div", "companion-legend-paper");
    if (numbered) {
      var row = el("div", "companion-legend-row");
      var sample = window.companionPaper.svg("svg", { "class": "companion-legend-sample",
        viewBox: "0 0 20 20" });
      sample.appendChild(window.companionPaper.svg("circle", { cx: 10, cy: 10, r: 9,
        fill: "#5d6d7e" }));
      var digits = window.companionPaper.svg("text", { x: 10, y: 10, "text-anchor": "middle",
        "dominant-baseline": "central", "font-size": 10 });
      digits.textContent = "12";
      sample.appendChild(digits);
      row.appendChild(sample);
      row.appendChild(document.createTextNode(settings.paper.number));
      extra.appendChild(row);
      var leader = el("div", "companion-legend-row companion-legend-leader");
      var line = window.companionPaper.svg("svg", { "class": "companion-legend-sample",
        viewBox: "0 0 20 20" });
      line.appendChild(window.companionPaper.svg("line", { x1: 2, y1: 17, x2: 11, y2: 8 }));
      line.appendChild(window.companionPaper.svg("circle", { "class": "companion-leader-dot",
        cx: 2, cy: 17, r: 1.6 }));
      line.appendChild(window.companionPaper.svg("circle", { cx: 13, cy: 6, r: 5,
        fill: "#5d6d7e" }));
      leader.appendChild(line);
      leader.appendChild(document.createTextNode(settings.paper.leader));
      extra.appendChild(leader);
    }
    legend.appendChild(extra);
    return legend;
  }

  /* A north arrow, beside the scale (both bottom right: the insets take the left). */
  function northArrow(map, label, scale) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", "companion-north");
      var arrow = window.companionPaper.svg("svg", { viewBox: "0 0 20 26",
        width: 16 * scale, height: 21 * scale });
      arrow.appendChild(window.companionPaper.svg("path", { d: "M10 1 L17 24 L10 18 L3 24 Z" }));
      box.appendChild(arrow);
      box.appendChild(el("div", "companion-north-label", label));
      return box;
    };
    control.addTo(map);
    var scaleBar = document.querySelector(".leaflet-control-scale");
    if (scaleBar) { control.getContainer().parentNode.appendChild(scaleBar); }
  }

  /* Heights of the nodes once laid out in a column of this width. */
  function measure(nodes, width, sink) {
    sink.style.width = width + "px";
    sink.textContent = "";
    nodes.forEach(function (node) { sink.appendChild(node); });
    var heights = nodes.map(function (node) {
      var style = getComputedStyle(node);
      return node.offsetHeight + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    });
    nodes.forEach(function (node) { node.remove(); });
    return heights;
  }

  /* Columns of a panel: a div per column, side by side, filled in order. */
  function pourColumns(parent, box, column, gap, nodes, placed) {
    var columns = [];
    nodes.forEach(function (node, i) {
      var at = placed[i];
      if (at < 0) { return; }
      if (!columns[at]) {
        columns[at] = el("div", "companion-sheet-column");
        window.companionSheet.place(columns[at], { l: box.l + at * (column + gap), t: box.t,
          w: column, h: box.columnHeight });
        parent.appendChild(columns[at]);
      }
      columns[at].appendChild(node);
    });
  }

  /* A picture has no second page: what the panel beside the map cannot hold goes in
   * columns across the whole width below the map, and the picture grows that much. */
  function extendPicture(ctx, chosen, rest, sink) {
    var S = window.companionSheet;
    var g = chosen.gap;
    var body = chosen.body;
    var columns = Math.max(1, Math.floor((body.w + g) / (chosen.column + g)));
    var column = (body.w - (columns - 1) * g) / columns;
    var heights = measure(rest, column, sink);
    var needed = function (height) {
      return S.flow(heights, function () { return height; }).used;
    };
    var total = heights.reduce(function (a, b) { return a + b; }, 0);
    var height = S.heightFor(needed, columns, Math.max.apply(null, heights), total + 1);
    var box = { l: body.l, t: body.t + body.h + g, w: body.w, h: height, columnHeight: height };
    var into = S.flow(heights, function () { return height; }, columns).columns;
    pourColumns(ctx.first, box, column, g, rest, into);
    var grow = height + g;
    ctx.first.style.height = (parseFloat(ctx.first.style.height) + grow) + "px";
    ctx.foot.style.top = (parseFloat(ctx.foot.style.top) + grow) + "px";
    return grow;
  }

  function startPaper(settings, config, texts) {
    var sheet = settings.sheet;
    var S = window.companionSheet;
    var view = settings.view;
    document.documentElement.classList.add("companion-paper");
    document.body.classList.add("companion-paper");
    document.documentElement.style.setProperty("--s", String(sheet.scale));
    var page = el("style");
    page.textContent = "@page { size: " + sheet.widthMm + "mm " + sheet.heightMm + "mm; margin: 0; }";
    document.head.appendChild(page);
    var pages = el("div", "companion-sheets");
    var mapNode = document.getElementById("companion-map");
    document.body.insertBefore(pages, mapNode);
    var first = S.makeSheet(sheet, "companion-sheet-first");
    pages.appendChild(first);
    var c = S.content(sheet);
    var head = paperHeader(settings);
    var foot = paperFooter(settings, true);
    S.place(head, { l: c.l, t: c.t, w: c.w });
    S.place(foot, { l: c.l, t: c.t, w: c.w });
    first.appendChild(head);
    first.appendChild(foot);
    first.appendChild(mapNode);
    mapNode.classList.add("companion-sheet-map");
    S.place(mapNode, { l: c.l, t: c.t + head.offsetHeight, w: c.w,
      h: c.h - head.offsetHeight - foot.offsetHeight });
    var map = L.map(mapNode, { center: view.center, zoom: view.zoom, minZoom: view.minZoom,
      maxZoom: view.maxZoom, zoomSnap: 0.05, preferCanvas: false, attributionControl: false,
      zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, keyboard: false, touchZoom: false, worldCopyJump: false });
    map.fitBounds(view.bounds, { padding: view.padding, maxZoom: view.fitMaxZoom, animate: false });
    window.companionMap.start(map, config);
    var features = JSON.parse(texts.actors).features;
    // Actors the requested extent leaves out (the map may show a little more): said above it.
    var asked = L.latLngBounds(view.bounds);
    var inInsets = new Set(settings.insets.map(function (inset) { return inset.code; }));
    var framed = new Set();
    features.forEach(function (f) {
      var c2 = f.geometry.coordinates;
      if (inInsets.has(zoneOf(f)) || asked.contains(L.latLng(c2[1], c2[0]))) { framed.add(f.id); }
    });
    var outside = features.length - framed.size;
    var outsideNote = outside ? note(head, picking(settings.paper.outOfFrame, outside)) : null;
    watch(function () {
      layOutPaper({ settings: settings, config: config, texts: texts, map: map, pages: pages,
        first: first, head: head, foot: foot, mapNode: mapNode, outsideNote: outsideNote,
        inInsets: inInsets, framed: framed });
    });
  }

  /* The legend's blocks for the side panel: kinds (with what numbers and leader lines
   * mean), then the lines, apart so that a wide panel puts them side by side. The
   * lines' block stays map.js's own node: it keeps it up to date. */
  function legendBlocks(legend) {
    var blocks = [legend];
    var lines = legend.querySelector(".companion-legend-lines");
    if (lines && lines.childNodes.length) {
      var box = el("div", "companion-legend companion-legend-lines-box");
      box.appendChild(lines);
      blocks.push(box);
    }
    return blocks;
  }

  /* Where everything goes on the first sheet: the layout (sheet.js) for the legends and,
   * when the map can number its actors, the index; else the actors are dots. */
  function chooseLayout(ctx, parts) {
    var S = window.companionSheet, P = window.companionPaper;
    var sheet = ctx.settings.sheet;
    var view = ctx.settings.view;
    // The insets' strip (paper.js: about 0.11 of the box's height) widens what the map shows.
    var aspect = extentAspect(view.bounds) + (ctx.settings.insets.length ? 0.14 : 0);
    var attempt = function (withIndex, factor, asPage) {
      document.documentElement.style.setProperty("--index", String(factor));
      var nodes = withIndex ? parts.blocks.concat([parts.title], parts.entries) : parts.blocks;
      var heights = measure(nodes, S.columnWidth(sheet, factor), parts.sink);
      var needed = function (height) {
        return S.flow(heights, function () { return height; }).used;
      };
      var first = parts.blocks.length;
      var least = Math.max.apply(null, heights.slice(0, first)) +
        (withIndex ? heights[first] + (heights[first + 1] || 0) : 0);
      // A picture that grows anyway is laid out as a page: the map keeps its scale.
      var shape = asPage ? Object.assign({}, sheet, { picture: false }) : sheet;
      var chosen = S.layout(shape, { headerHeight: ctx.head.offsetHeight,
        footerHeight: ctx.foot.offsetHeight, extentAspect: aspect, needed: needed,
        minSideHeight: least, columnFactor: factor });
      chosen.factor = factor;
      return chosen;
    };
    // A picture first tries smaller text to hold its index beside the map, then grows.
    var factors = sheet.picture ? [1, 0.9, 0.8] : [1];
    var chosen = null;
    for (var i = 0; i < factors.length && !(chosen && chosen.fits); i++) {
      chosen = attempt(true, factors[i]);
    }
    if (!chosen.fits) { chosen = attempt(true, 1, true); }
    chosen.limit = P.limitFor(chosen.map, sheet.scale);
    chosen.numbered = parts.entries.length <= chosen.limit;
    if (!chosen.numbered) {  // dots without numbers: an index would mean nothing
      var limit = chosen.limit;
      parts.legend.querySelector(".companion-legend-paper").remove();
      paperLegend(parts.legend, parts.features, ctx.settings, false);
      note(ctx.head, ctx.settings.paper.tooMany
        .replace("{n}", numbers.format(parts.entries.length))
        .replace("{max}", numbers.format(limit)));
      chosen = attempt(false, 1);
      chosen.limit = limit;
      chosen.numbered = false;
    }
    return chosen;
  }

  /* The map in its box, the overseas insets in a strip of it, the main map fitted beside
   * them, then every actor drawn (paper.js), numbered in the order of the maps. */
  function drawPaperMaps(ctx, chosen, features) {
    var P = window.companionPaper;
    var settings = ctx.settings, sheet = settings.sheet, view = settings.view;
    var map = ctx.map;
    window.companionSheet.place(ctx.mapNode, chosen.map);
    map.invalidateSize({ pan: false });
    var outlines = settings.insets.length ? outlinesFor(ctx.texts) : null;
    var insets = P.addInsets(ctx.mapNode, settings.insets, outlines, ctx.config.basemap,
      sheet.scale);
    var pad = 2 * P.radiusFor(features.length, sheet.scale) + 4 * sheet.scale;
    var strip = insets.strip || { left: 0, bottom: 0 };
    map.fitBounds(view.bounds, { paddingTopLeft: [pad + strip.left, pad],
      paddingBottomRight: [pad, pad + strip.bottom], maxZoom: view.fitMaxZoom, animate: false });
    // Names over the dots and lines (where numbers are, a name under them hides).
    map.getPane("labels").style.zIndex = "398";
    northArrow(map, settings.paper.north, sheet.scale);
    var obstacles = Array.prototype.slice.call(
      ctx.mapNode.querySelectorAll(".leaflet-bottom .leaflet-control"));
    insets.maps.forEach(function (inset) { obstacles.push(inset.node); });
    var byZone = {};
    features.forEach(function (f) { (byZone[zoneOf(f)] = byZone[zoneOf(f)] || []).push(f); });
    var maps = [{ map: map, obstacles: obstacles,
      features: features.filter(function (f) { return !ctx.inInsets.has(zoneOf(f)); }) }];
    insets.maps.forEach(function (inset) {
      maps.push({ map: inset.map, features: byZone[inset.code] || [], obstacles: [] });
    });
    var drawn = P.drawMaps(maps, { numbered: chosen.numbered, scale: sheet.scale,
      colours: ctx.config.kindColours });
    drawn.insets = insets.maps.map(function (inset) { return inset.code; });
    window.companionMap.declutterLabels();
    return drawn;
  }

  /* A further page for the index: its small header, its footer, its columns. */
  function indexPage(ctx, rest, sink) {
    var S = window.companionSheet;
    var settings = ctx.settings, sheet = settings.sheet;
    var page = S.makeSheet(sheet, "companion-sheet-more");
    ctx.pages.appendChild(page);
    var top = el("header", "companion-sheet-header companion-sheet-header-more");
    top.appendChild(el("div", "companion-export-title", settings.title));
    top.appendChild(el("div", "companion-export-subtitle", settings.paper.indexContinued));
    var bottom = paperFooter(settings, false);
    var c = S.content(sheet);
    S.place(top, { l: c.l, t: c.t, w: c.w });
    S.place(bottom, { l: c.l, t: c.t, w: c.w });
    page.appendChild(top);
    page.appendChild(bottom);
    var more = S.continuation(sheet, top.offsetHeight, bottom.offsetHeight);
    S.place(bottom, more.footer);
    var box = more.index;
    var heights = measure(rest, box.column, sink);
    var into = S.flow(heights, function () { return box.columnHeight; }, box.columns).columns;
    if (into[0] < 0) { into[0] = 0; }  // taller than a page: it goes anyway
    pourColumns(page, box, box.column, more.gap, rest, into);
    return { page: page, rest: rest.filter(function (node, i) { return into[i] < 0; }) };
  }

  function layOutPaper(ctx) {
    var S = window.companionSheet, P = window.companionPaper;
    var settings = ctx.settings, sheet = settings.sheet;
    var features = window.companionMap.shownFeatures();
    var sink = el("div", "companion-sheet-measure");
    ctx.first.appendChild(sink);
    // The actors the frame shows (the map may show a few more: their entries come later).
    var framed = features.filter(function (f) { return ctx.framed.has(f.id); });
    var legend = paperLegend(window.companionMap.legend(), framed, settings, true);
    var parts = { legend: legend, blocks: legendBlocks(legend), features: framed, sink: sink,
      framed: framed, title: el("div", "companion-index-title", settings.paper.indexTitle),
      // Numbered once drawn; as wide as the largest number meanwhile.
      entries: framed.map(function (f) {
        return P.entry(f, String(framed.length).replace(/./g, "8"), ctx.config);
      }) };
    var chosen = chooseLayout(ctx, parts);
    S.place(ctx.head, chosen.header);
    S.place(ctx.foot, chosen.footer);
    var drawn = drawPaperMaps(ctx, chosen, features);
    var leaderRow = legend.querySelector(".companion-legend-leader");
    if (leaderRow && !drawn.leaders) { leaderRow.hidden = true; }
    var outside = features.length - drawn.items.length;
    if (ctx.outsideNote) {
      ctx.outsideNote.textContent = picking(settings.paper.outOfFrame, outside);
      ctx.outsideNote.hidden = outside === 0;
    }

    // The side panel: the legends, then the index in number order, then further pages.
    var nodes = parts.blocks.slice();
    if (chosen.numbered && drawn.items.length) {
      var entryOf = new Map();
      parts.entries.forEach(function (entry, index) {
        entryOf.set(parts.framed[index].id, entry);
      });
      nodes.push(parts.title);
      drawn.items.forEach(function (item) {
        var entry = entryOf.get(item.feature.id) || P.entry(item.feature, "", ctx.config);
        entry.firstChild.textContent = String(item.number);
        nodes.push(entry);
      });
    }
    var side = chosen.side;
    var heights = measure(nodes, chosen.column, sink);  // at the width they are shown at
    var placed = S.flow(heights, function () { return side.columnHeight; }, side.columns).columns;
    pourColumns(ctx.first, side, chosen.column, chosen.gap, nodes, placed);
    var rest = nodes.filter(function (node, i) { return placed[i] < 0; });
    var sheets = [ctx.first];
    var size = [sheet.width, sheet.height];
    if (rest.length && sheet.picture) {  // one picture: it grows, the rest of the index below
      size[1] += extendPicture(ctx, chosen, rest, sink);
      rest = [];
    }
    while (rest.length) {
      var more = indexPage(ctx, rest, sink);
      sheets.push(more.page);
      rest = more.rest;
    }
    sink.remove();
    sheets.forEach(function (node, index) {
      node.querySelector(".companion-sheet-page").textContent = settings.paper.page
        .replace("{n}", String(index + 1)).replace("{total}", String(sheets.length));
    });
    // Painted with the final layout: a picture grabbed without them is an older frame.
    ["top", "bottom"].forEach(function (corner) {
      ctx.first.appendChild(el("div", "companion-sheet-sentinel companion-sheet-sentinel-" +
        corner));
    });
    exportStatus.sentinel = [250, 250, 250];
    exportStatus.size = size;
    exportStatus.paper = {
      numbered: chosen.numbered,
      shown: drawn.items.length,
      outside: outside,
      limit: chosen.limit,
      leaders: drawn.leaders,
      pages: sheets.length,
      insets: drawn.insets,
      indexed: ctx.pages.querySelectorAll(".companion-index-entry").length,
      radius: drawn.radius
    };
  }

  function start() {
    var settings = JSON.parse(block("export-settings"));
    var config = JSON.parse(block("map-config"));
    var texts = {};
    config.urls = {};
    Object.keys(settings.dataKeys).forEach(function (key) {
      texts[key] = block("data-" + settings.dataKeys[key]);
      config.urls[key] = URL.createObjectURL(new Blob([texts[key]], { type: "application/json" }));
    });
    if (settings.static) { document.body.classList.add("companion-export-static"); }
    if (settings.sheet) {
      startPaper(settings, config, texts);
      return;
    }
    var view = settings.view;
    var map = L.map("companion-map", {
      center: view.center,
      zoom: view.zoom,
      minZoom: view.minZoom,
      maxZoom: view.maxZoom,
      zoomSnap: view.zoomSnap,
      preferCanvas: true,
      attributionControl: false,
      zoomControl: false,
      worldCopyJump: false
    });
    if (view.bounds) {
      map.fitBounds(view.bounds, { padding: view.padding, maxZoom: view.fitMaxZoom });
    }
    addBox(map, "topleft", function () { return header(settings); });
    if (!settings.static) { L.control.zoom({ position: "topleft" }).addTo(map); }
    addBox(map, "bottomleft", function () { return sources(settings); });
    contactCards(texts.actors, settings, map);
    window.companionMap.start(map, config);
    watch();
  }

  try {
    start();
  } catch (error) {
    exportStatus.errors.push(String(error && error.stack || error));
  }
})();
