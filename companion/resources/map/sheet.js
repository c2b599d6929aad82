/* Companion's sheets of paper: where the title, the map, the legends and the index go.
 *
 * A sheet (settings.sheet, from companion/maps/paper.py) is one page of paper (PDF)
 * or one picture (PNG): width, height and margin in CSS pixels (96 an inch), and a
 * type scale (the CSS variable --s: every size on a sheet is multiplied by it).
 *
 * layout(sheet, parts) divides the page inside its margin, nothing overlapping:
 *   - the title band at the top, as tall as its text (parts.headerHeight);
 *   - the footer at the bottom (parts.footerHeight): sources, page number;
 *   - between them the map, in its own box, and a side panel of columns for the
 *     legends and the numbered index: on the right when the sheet is landscape,
 *     below the map when it is portrait. The panel takes what the map's extent
 *     leaves free (parts.extentAspect: its width over its height): the map keeps
 *     the scale it would have alone, give or take MAP_SCALE_GIVE; on a picture,
 *     which has no second page, the panel takes what the index needs
 *     (parts.needed(columnHeight) -> how many columns) and says so when it cannot
 *     (box.fits false: the caller makes the text smaller and asks again).
 * flow(heights, capacities) pours items of known heights into columns in order;
 * continuation(sheet, headerHeight, footerHeight) is the index's box on a further
 * page. Everything here is arithmetic on boxes {l, t, w, h}: the caller measures,
 * builds and places the elements (export.js, paper.js; a story's handout may too).
 */
(function () {
  "use strict";

  var MAP_SCALE_GIVE = 0.05;  // the map may lose this much of its scale to the panel
  var PICTURE_MAP_MIN = 0.45;  // a picture's map keeps at least this share of the body

  function gap(sheet) { return 12 * sheet.scale; }

  function columnWidth(sheet, factor) { return 230 * sheet.scale * (factor || 1); }

  function content(sheet) {
    var m = sheet.margin;
    return { l: m, t: m, w: sheet.width - 2 * m, h: sheet.height - 2 * m };
  }

  /* How large the extent shows in a box: the map's scale, in box pixels per unit. */
  function fitScale(w, h, aspect) {
    return w > 0 && h > 0 ? Math.min(w / aspect, h) : 0;
  }

  function layout(sheet, parts) {
    var g = gap(sheet);
    var c = content(sheet);
    var header = { l: c.l, t: c.t, w: c.w, h: parts.headerHeight };
    var footer = { l: c.l, t: c.t + c.h - parts.footerHeight, w: c.w, h: parts.footerHeight };
    var body = { l: c.l, t: header.t + header.h + g, w: c.w };
    body.h = footer.t - g - body.t;
    var column = columnWidth(sheet, parts.columnFactor);
    var aspect = parts.extentAspect || 1;
    var needed = parts.needed || function () { return 1; };
    var landscape = body.w >= body.h;
    var result = { header: header, footer: footer, body: body, gap: g, column: column,
      landscape: landscape, fits: true };
    if (landscape) {
      var across = Math.max(1, Math.floor((body.w * (1 - PICTURE_MAP_MIN) + g) / (column + g)));
      var want = Math.min(needed(body.h), across);
      var alone = fitScale(body.w - column - g, body.h, aspect);
      var k = 1;
      if (sheet.picture) {
        k = want;
        result.fits = needed(body.h) <= across;
      } else {
        while (k < want &&
          fitScale(body.w - (k + 1) * (column + g), body.h, aspect) >= alone * (1 - MAP_SCALE_GIVE)) {
          k += 1;
        }
      }
      var sideW = k * column + (k - 1) * g;
      result.map = { l: body.l, t: body.t, w: body.w - sideW - g, h: body.h };
      result.side = { l: body.l + body.w - sideW, t: body.t, w: sideW, h: body.h, columns: k,
        columnHeight: body.h };
      return result;
    }
    // Portrait: the panel below the map, its columns across the width.
    var columns = Math.max(1, Math.floor((body.w + g) / (column + g)));
    column = (body.w - (columns - 1) * g) / columns;  // the whole width, evenly
    result.column = column;
    var least = parts.minSideHeight || 0;
    var most = body.h * (1 - PICTURE_MAP_MIN);
    var side = least;
    if (sheet.picture) {
      side = heightFor(needed, columns, least, most);
      result.fits = needed(side) <= columns;
    } else {
      // As tall as the map leaves free at its scale, no taller than the index needs.
      var best = fitScale(body.w, body.h - least - g, aspect);
      var free = body.h - g - body.w / aspect;  // below the map when it fills the width
      var enough = heightFor(needed, columns, least, body.h * 0.6);
      side = Math.max(least, Math.min(Math.max(free, least), enough, body.h * 0.6));
      if (fitScale(body.w, body.h - side - g, aspect) < best * (1 - MAP_SCALE_GIVE)) {
        side = least;
      }
    }
    result.map = { l: body.l, t: body.t, w: body.w, h: body.h - side - g };
    result.side = { l: body.l, t: body.t + body.h - side, w: body.w, h: side, columns: columns,
      columnHeight: side };
    return result;
  }

  /* The least column height (between low and high) at which everything fits in ``columns``. */
  function heightFor(needed, columns, low, high) {
    if (needed(high) > columns) { return high; }
    var lo = low, hi = high;
    for (var i = 0; i < 24 && hi - lo > 1; i++) {
      var mid = (lo + hi) / 2;
      if (needed(mid) <= columns) { hi = mid; } else { lo = mid; }
    }
    return Math.ceil(hi);
  }

  /* Items of these heights, in order, into columns of these capacities (a function of
   * the column's index: the first ones may be shorter). Returns the column of each item
   * (-1: no room left) and how many columns were used. An item taller than a whole
   * column still takes one to itself. */
  function flow(heights, capacity, maxColumns) {
    var placed = [];
    var col = 0, used = 0;
    var limit = maxColumns === undefined ? Infinity : maxColumns;
    heights.forEach(function (height) {
      while (col < limit && used > 0 && used + height > capacity(col)) { col += 1; used = 0; }
      if (col >= limit) { placed.push(-1); return; }
      placed.push(col);
      used += height;
    });
    return { columns: placed, used: heights.length ? Math.min(col + 1, limit) : 0 };
  }

  /* The index's box on a further page, between its small header and its footer. */
  function continuation(sheet, headerHeight, footerHeight) {
    var g = gap(sheet);
    var c = content(sheet);
    var box = { l: c.l, t: c.t + headerHeight + g, w: c.w };
    box.h = c.t + c.h - footerHeight - g - box.t;
    var column = columnWidth(sheet);
    var columns = Math.max(1, Math.floor((box.w + g) / (column + g)));
    box.columns = columns;
    box.column = (box.w - (columns - 1) * g) / columns;
    box.columnHeight = box.h;
    return {
      header: { l: c.l, t: c.t, w: c.w, h: headerHeight },
      footer: { l: c.l, t: c.t + c.h - footerHeight, w: c.w, h: footerHeight },
      index: box,
      gap: g
    };
  }

  /* A sheet element: exactly one page, its type scale in --s. */
  function makeSheet(sheet, className) {
    var node = document.createElement("section");
    node.className = "companion-sheet" + (className ? " " + className : "");
    node.style.width = sheet.width + "px";
    node.style.height = sheet.height + "px";
    return node;
  }

  function place(node, box) {
    node.style.position = "absolute";
    node.style.left = box.l + "px";
    node.style.top = box.t + "px";
    node.style.width = box.w + "px";
    if (box.h !== undefined) { node.style.height = box.h + "px"; }
  }

  window.companionSheet = {
    layout: layout,
    flow: flow,
    continuation: continuation,
    heightFor: heightFor,
    columnWidth: columnWidth,
    content: content,
    gap: gap,
    makeSheet: makeSheet,
    place: place
  };
})();
