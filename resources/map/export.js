/* Companion's exported map: starts map.js in one standalone HTML file.
 *
 * The file holds everything: libraries, styles, settings and data, the data as
 * JSON in script elements of type application/json. This script turns each block
 * into a blob: URL for map.js to fetch (no server, no QWebChannel, no network),
 * creates the Leaflet map, adds the title, date and sources, and tells a
 * renderer (PNG/PDF) when the map is drawn: window.companionExport.ready.
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
  function watch() {
    var status = window.companionMapStatus;
    if (status.errors.length) {
      exportStatus.errors = exportStatus.errors.concat(status.errors);
    }
    // The kind glyphs' font is embedded: wait until it loaded (or failed).
    if (status.drawn && status.timings.basemapDrawn !== undefined &&
        status.glyphs !== undefined && !(status.localBasemap && status.localBasemap.loading)) {
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          exportStatus.visible = status.visible;
          exportStatus.relations = status.visibleRelations;
          exportStatus.ready = true;
        });
      });
      return;
    }
    setTimeout(watch, 30);
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
