/*
 * The report builder's map: the reports of the query (the newest 2,000) as circles, or the
 * communes of the dossier and indicator layers with their figure in a tooltip; the chosen
 * polygon, and a drawing tool that writes a GeoJSON Polygon into the form's "vung" field
 * (longitude, latitude order, the ring closed), which the server then checks.
 *
 * Every value from the server is written with textContent, never as HTML.
 */
import { createMap, getJson, showStatus } from "./page_helpers.js";

(function () {
  var container = document.getElementById("report-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var statusBox = document.getElementById("map-status");
  var field = document.getElementById("vung");
  var drawButton = document.getElementById("draw-polygon");
  var clearButton = document.getElementById("clear-polygon");
  var map = createMap(container, {});
  var polygonLayer = L.geoJSON(null, {
    style: { color: "#b45309", weight: 2, fillOpacity: 0.08, className: "report-polygon" },
  }).addTo(map);

  function showPolygon() {
    polygonLayer.clearLayers();
    if (!field || !field.value.trim()) {
      return;
    }
    try {
      polygonLayer.addData(JSON.parse(field.value));
      map.fitBounds(polygonLayer.getBounds(), { maxZoom: 15 });
    } catch (error) {
      // The server explains a broken polygon when the form is sent.
    }
  }
  showPolygon();

  if (container.dataset.pointsUrl) {
    getJson(container.dataset.pointsUrl).then(function (answer) {
      if (!answer.ok) {
        showStatus(statusBox, answer.body.detail || answer.statusText, true);
        return;
      }
      // Reports are points; dossiers and indicator values are communes with their figure.
      var layer = L.geoJSON(answer.body, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 4, weight: 1, color: "#1d4ed8", className: "report-point" });
        },
        // For the communes only: a style given to every feature would also set the points'
        // class before they are drawn.
        style: function (feature) {
          return feature.geometry && feature.geometry.type === "Point"
            ? {}
            : { color: "#1d4ed8", weight: 1, fillOpacity: 0.15, className: "report-area" };
        },
        onEachFeature: function (feature, marker) {
          var properties = feature.properties;
          if (feature.geometry && feature.geometry.type === "Point") {
            marker.bindTooltip(properties.code + " · " + properties.category);
          } else {
            var value = properties.value === null ? "—" : String(properties.value);
            marker.bindTooltip(properties.name + " (" + properties.code + "): " + value);
          }
        },
      }).addTo(map);
      if (answer.body.features.length && !polygonLayer.getLayers().length) {
        map.fitBounds(layer.getBounds(), { maxZoom: 15 });
      }
      showStatus(statusBox, answer.body.truncated ? container.dataset.truncated : "", false);
    });
  }

  if (!drawButton || !field) {
    return;
  }
  drawButton.hidden = false;
  clearButton.hidden = false;
  var vertices = [];
  var drawing = false;
  var sketch = L.polyline([], { color: "#b45309", dashArray: "4", className: "report-sketch" }).addTo(map);

  function finish() {
    drawing = false;
    container.classList.remove("drawing");
    var ring = vertices.map(function (point) {
      return [Number(point.lng.toFixed(6)), Number(point.lat.toFixed(6))];
    });
    ring.push(ring[0]);
    field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    vertices = [];
    sketch.setLatLngs([]);
    showPolygon();
  }

  drawButton.addEventListener("click", function () {
    drawing = true;
    vertices = [];
    container.classList.add("drawing");
    showStatus(statusBox, container.dataset.drawingHint, false);
  });
  clearButton.addEventListener("click", function () {
    field.value = "";
    vertices = [];
    sketch.setLatLngs([]);
    polygonLayer.clearLayers();
  });
  map.on("click", function (event) {
    if (!drawing) {
      return;
    }
    if (vertices.length >= 3) {
      var first = map.latLngToContainerPoint(vertices[0]);
      if (first.distanceTo(event.containerPoint) < 10) {
        finish();
        return;
      }
    }
    vertices.push(event.latlng);
    sketch.setLatLngs(vertices);
  });
})();
