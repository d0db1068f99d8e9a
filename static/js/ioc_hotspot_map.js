/*
 * The operations centre's hotspot map when the period holds many reports: the hotspot tiles
 * (/tiles/hotspots/{z}/{x}/{y}.pbf, leaders only, built by PostGIS's ST_AsMVT from the hotspot
 * summary with the dashboard's filters in their address) drawn on a Leaflet grid layer, each
 * 1 km hexagon filled by its colour class. The classes' bounds come with the page (computed over
 * every hexagon of the period, as the server-drawn map computes them), so a hexagon has the same
 * colour whichever tile draws it.
 *
 * The tile's bytes are decoded by static/js/vector_tiles.js; nothing is loaded from outside the
 * app. Texts go through Django's JavaScript catalogue.
 */
import { createMap } from "./page_helpers.js";
import { decodeTile } from "./vector_tiles.js";

(function () {
  var container = document.getElementById("ioc-hotspot-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var urlTemplate = container.dataset.hotspotTilesUrl;
  var bounds = (container.dataset.bounds || "").split(",").filter(Boolean).map(Number);
  var palette = (container.dataset.palette || "").split(",");
  var statusBox = document.getElementById("ioc-hotspot-status");
  // Per drawn tile, its hexagons' counts by "column,row".
  var drawn = {};
  var failed = 0;

  // A hexagon above k bounds is in class k (ioc.charts.hotspot_colours).
  function colour(reports) {
    var index = 0;
    bounds.forEach(function (bound) {
      if (reports > bound) {
        index += 1;
      }
    });
    return palette[index];
  }

  // The hexagons of the drawn tiles, each once: a hexagon on a tile's edge is in both tiles.
  function showStatus() {
    var seen = {};
    Object.keys(drawn).forEach(function (key) {
      Object.assign(seen, drawn[key]);
    });
    var hexagons = Object.keys(seen).length;
    var reports = 0;
    Object.keys(seen).forEach(function (hexagon) {
      reports += seen[hexagon];
    });
    var text = interpolate(
      gettext("Đang hiển thị %(hexagons)s ô lục giác, %(reports)s phản ánh."),
      { hexagons: hexagons, reports: reports },
      true
    );
    if (failed) {
      text += " " + gettext("Một số ô bản đồ không tải được.");
    }
    statusBox.textContent = text;
  }

  var HotspotLayer = L.GridLayer.extend({
    createTile: function (coords, done) {
      var tile = document.createElement("canvas");
      var size = this.getTileSize();
      tile.width = size.x;
      tile.height = size.y;
      var key = coords.z + "/" + coords.x + "/" + coords.y;
      var url = urlTemplate.replace("{z}", coords.z).replace("{x}", coords.x).replace("{y}", coords.y);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/vnd.mapbox-vector-tile" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.arrayBuffer();
        })
        .then(function (buffer) {
          var layer = buffer.byteLength ? decodeTile(buffer).hotspots : null;
          var context = tile.getContext("2d");
          var hexagons = 0;
          var reports = 0;
          var counts = {};
          (layer ? layer.features : []).forEach(function (feature) {
            var corners = feature.points.map(function (point) {
              return { x: (point.x / layer.extent) * size.x, y: (point.y / layer.extent) * size.y };
            });
            if (!corners.length) {
              return;
            }
            hexagons += 1;
            reports += feature.properties.reports;
            counts[feature.properties.column + "," + feature.properties.row] = feature.properties.reports;
            context.fillStyle = colour(feature.properties.reports);
            context.globalAlpha = 0.8;
            var xs = corners.map(function (c) { return c.x; });
            var ys = corners.map(function (c) { return c.y; });
            var width = Math.max.apply(null, xs) - Math.min.apply(null, xs);
            if (width < 3) {
              // Smaller than a few pixels at this zoom: a dot, so a hotspot still shows.
              var cx = xs.reduce(function (a, b) { return a + b; }, 0) / xs.length;
              var cy = ys.reduce(function (a, b) { return a + b; }, 0) / ys.length;
              context.fillRect(cx - 1.5, cy - 1.5, 3, 3);
              return;
            }
            context.beginPath();
            corners.forEach(function (corner, index) {
              if (index === 0) {
                context.moveTo(corner.x, corner.y);
              } else {
                context.lineTo(corner.x, corner.y);
              }
            });
            context.closePath();
            context.fill();
          });
          tile.dataset.hexagons = String(hexagons);
          tile.dataset.reports = String(reports);
          drawn[key] = counts;
          showStatus();
          done(null, tile);
        })
        .catch(function (error) {
          failed += 1;
          showStatus();
          done(error, tile);
        });
      return tile;
    },
  });

  var map = createMap(container, { map: { minZoom: 5, maxZoom: 18 } });
  var layer = new HotspotLayer({ className: "hotspot-tiles", maxNativeZoom: 18 });
  layer.on("tileunload", function (event) {
    delete drawn[event.coords.z + "/" + event.coords.x + "/" + event.coords.y];
  });
  layer.addTo(map);
  container.dataset.mode = "tiles";
})();
