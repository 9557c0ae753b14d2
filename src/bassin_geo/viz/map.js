/* bassin_geo: how its maps behave (title, legend, search box, commune labels, reset
   view, full screen, credits). Part of bassin_geo, MIT licence.
   Every text that comes from data or from the caller is set with textContent, or
   escaped before it reaches one of Leaflet's own controls: it is never read as markup. */
(function () {
  "use strict";
  if (window.BassinGeo) { return; }
  var BG = {};
  window.BassinGeo = BG;

  // The same folding as bassin_geo's own search: no accents, no ligatures, lower case.
  BG.fold = function (text) {
    return String(text).replace(/[\u0153\u0152]/g, "oe").replace(/[\u00e6\u00c6]/g, "ae")
      .replace(/\u2019/g, "'").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  };

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;")
      .replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  BG.escapeHtml = escapeHtml;

  function el(tag, className, parent, text) {
    var node = L.DomUtil.create(tag, className || "", parent);
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function state(map) {
    if (!map._bassinGeo) { map._bassinGeo = {searchable: []}; }
    return map._bassinGeo;
  }

  // A tooltip whose content is the feature's name as text.
  BG.textTip = function (text) {
    return function () {
      var span = document.createElement("span");
      span.textContent = text;
      return span;
    };
  };

  // A layer hands over the features the search box can find: [folded text, name, layer].
  BG.searchable = function (map, found, owner, label) {
    var list = state(map).searchable;
    found.forEach(function (f) {
      list.push({q: f[0], name: f[1], layer: f[2], owner: owner, label: label});
    });
  };

  function showFeature(map, entry) {
    var layer = entry.layer;
    if (!map.hasLayer(entry.owner)) { map.addLayer(entry.owner); }
    var opened = false;
    function open() {
      if (opened) { return; }
      opened = true;
      if (layer.getPopup && layer.getPopup()) { layer.openPopup(); }
    }
    if (entry.owner.zoomToShowLayer && entry.owner.hasLayer(layer)) {
      entry.owner.zoomToShowLayer(layer, open);
      return;
    }
    map.once("moveend", open);
    if (layer.getLatLng) {
      map.flyTo(layer.getLatLng(), Math.max(map.getZoom(), 15), {duration: 0.6});
    } else {
      map.flyToBounds(layer.getBounds(), {maxZoom: 15, duration: 0.6});
    }
    window.setTimeout(open, 1500);
  }

  function find(map, query) {
    var words = BG.fold(query).split(/[^a-z0-9]+/).filter(Boolean);
    if (!words.length) { return []; }
    var first = words.join(" ");
    var hits = [];
    state(map).searchable.forEach(function (e) {
      if (!words.every(function (w) { return e.q.indexOf(w) !== -1; })) { return; }
      var rank = e.q.indexOf(first) === 0 ? 0 : (" " + e.q).indexOf(" " + words[0]) !== -1 ? 1 : 2;
      hits.push([rank, e.q.length, e]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return hits.slice(0, 8).map(function (h) { return h[2]; });
  }

  function searchControl(map, texts) {
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var box = el("div", "bg-search leaflet-bar");
      var input = el("input", "", box);
      input.type = "search";
      input.placeholder = texts.search;
      input.setAttribute("aria-label", texts.search);
      var list = el("ul", "", box);
      var current = [];
      function pick(entry) {
        list.textContent = "";
        input.value = entry.name;
        showFeature(map, entry);
      }
      function refresh() {
        list.textContent = "";
        current = input.value.trim() ? find(map, input.value) : [];
        if (input.value.trim() && !current.length) { el("li", "bg-none", list, texts.noMatch); }
        current.forEach(function (entry) {
          var item = el("li", "", list);
          el("span", "", item, entry.name);
          el("small", "", item, entry.label);
          L.DomEvent.on(item, "click", function () { pick(entry); });
        });
      }
      L.DomEvent.on(input, "input", refresh);
      L.DomEvent.on(input, "keydown", function (e) {
        if (e.key === "Enter" && current.length) { pick(current[0]); }
        if (e.key === "Escape") { input.value = ""; refresh(); }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function legendControl(map, cfg) {
    var control = L.control({position: "bottomright"});
    var div;
    control.onAdd = function () {
      div = el("div", "bg-legend");
      var head = el("button", "bg-legend-head", div, cfg.texts.legend);
      head.type = "button";
      head.title = cfg.texts.toggleLegend;
      head.setAttribute("aria-expanded", "true");
      var body = el("div", "bg-legend-body", div);
      cfg.legend.forEach(function (row) {
        var line = el("div", "bg-legend-row", body);
        // The swatch is drawn by bassin_geo from its style table: no text from data.
        el("span", "bg-swatch", line).innerHTML = row[0];
        el("span", "", line, row[1]);
      });
      L.DomEvent.on(head, "click", function () { BG.foldLegend(map, !L.DomUtil.hasClass(div, "bg-folded")); });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    return div;
  }

  BG.foldLegend = function (map, folded) {
    var div = state(map).legend;
    if (!div) { return; }
    (folded ? L.DomUtil.addClass : L.DomUtil.removeClass)(div, "bg-folded");
    div.firstChild.setAttribute("aria-expanded", folded ? "false" : "true");
  };

  var RESET_ICON = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">' +
    '<path d="M2 8 8 2.5 14 8M4 7v6.5h3v-4h2v4h3V7" fill="none" stroke="#333" ' +
    'stroke-width="1.6" stroke-linejoin="round"/></svg>';
  var FULLSCREEN_ICON = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">' +
    '<path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" fill="none" stroke="#333" ' +
    'stroke-width="1.8"/></svg>';

  function toolsControl(map, texts, reset) {
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var bar = el("div", "leaflet-bar bg-tools");
      function button(cls, symbol, title, action) {
        var a = el("a", cls, bar);
        // The symbols are bassin_geo's own constant markup.
        a.innerHTML = symbol;
        a.href = "#";
        a.title = title;
        a.setAttribute("role", "button");
        a.setAttribute("aria-label", title);
        L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); action(); });
      }
      button("bg-reset", RESET_ICON, texts.reset, reset);
      var box = map.getContainer();
      if (box.requestFullscreen) {
        button("bg-fullscreen", FULLSCREEN_ICON, texts.fullscreen, function () {
          if (document.fullscreenElement) { document.exitFullscreen(); } else { box.requestFullscreen(); }
        });
        document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
      }
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    };
    control.addTo(map);
  }

  // Commune names, larger communes first, never overlapping; more appear as one zooms in.
  function communeLabels(map, items, owner) {
    var pane = map.createPane("bgLabels");
    pane.style.zIndex = 450;
    pane.style.pointerEvents = "none";
    L.DomUtil.addClass(pane, "leaflet-zoom-hide");
    var labels = items.map(function (it) {
      var div = el("div", "bg-label" + (it[4] ? " bg-label-big" : ""), pane, it[0]);
      return {div: div, latlng: L.latLng(it[1], it[2]), minZoom: it[3], w: 0, h: 0};
    });
    function update() {
      var on = !owner || map.hasLayer(owner), zoom = map.getZoom(), placed = [];
      labels.forEach(function (lab) {
        var show = on && zoom >= lab.minZoom;
        if (show) {
          lab.div.style.display = "block";
          if (!lab.w) { lab.w = lab.div.offsetWidth; lab.h = lab.div.offsetHeight; }
          var p = map.latLngToLayerPoint(lab.latlng);
          var box = [p.x - lab.w / 2 - 5, p.y - lab.h / 2 - 3, p.x + lab.w / 2 + 5, p.y + lab.h / 2 + 3];
          show = !placed.some(function (b) {
            return b[0] < box[2] && b[2] > box[0] && b[1] < box[3] && b[3] > box[1];
          });
          if (show) {
            placed.push(box);
            L.DomUtil.setPosition(lab.div, L.point(p.x - lab.w / 2, p.y - lab.h / 2));
          }
        }
        lab.div.style.display = show ? "block" : "none";
      });
      state(map).labelsShown = placed.length;
    }
    map.on("zoomend viewreset overlayadd overlayremove", update);
    return update;
  }

  BG.setup = function (map, cfg, overlays) {
    var texts = cfg.texts;
    var st = state(map);
    if (cfg.title) { el("div", "bg-title", map.getContainer(), cfg.title); }
    searchControl(map, texts);
    L.control.zoom({zoomInTitle: texts.zoomIn, zoomOutTitle: texts.zoomOut}).addTo(map);
    var bounds = cfg.bounds ? L.latLngBounds(cfg.bounds) : null;
    function fit() {
      if (!bounds) { return; }
      // Room for the title above, and for the zoom and search controls on the left.
      var top = cfg.title ? 48 : 12, left = 52;
      var free = {paddingTopLeft: [left, top], paddingBottomRight: [12, 12], animate: false};
      var legend = st.legend;
      if (legend) {
        // Make room beside the legend when the map keeps its zoom; else fold the legend.
        BG.foldLegend(map, false);
        var width = legend.offsetWidth + 24;
        var room = {paddingTopLeft: [left, top], paddingBottomRight: [width, 12], animate: false};
        var zoomFree = map.getBoundsZoom(bounds, false, L.point(left + 12, top + 12));
        var zoomRoom = map.getBoundsZoom(bounds, false, L.point(left + width, top + 12));
        if (zoomRoom >= zoomFree) { map.fitBounds(bounds, room); return; }
        map.fitBounds(bounds, free);
        BG.foldLegend(map, true);
        return;
      }
      map.fitBounds(bounds, free);
    }
    toolsControl(map, texts, fit);
    var named = {};
    overlays.forEach(function (o) { named[escapeHtml(o[0])] = o[1]; });
    if (overlays.length) {
      L.control.layers(null, named, {collapsed: true, position: "topright"}).addTo(map);
    }
    L.control.scale({imperial: false, maxWidth: 160}).addTo(map);
    if (cfg.legend.length) { st.legend = legendControl(map, cfg); }
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>');
    cfg.credits.forEach(function (c) { map.attributionControl.addAttribution(escapeHtml(c)); });
    var note = null;
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) { return; }
      layer.on("tileerror", function () {
        if (!note) { note = el("div", "bg-note", map.getContainer(), texts.offlineTiles); }
      });
    });
    var update = cfg.labels ? communeLabels(map, cfg.labels,
      cfg.labelsOwner === null ? null : overlays[cfg.labelsOwner][1]) : null;
    fit();
    if (update) { update(); }
  };
})();
