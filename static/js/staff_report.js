/*
 * The report page's map: the report's pin inside the area it was routed to. Leaflet comes from
 * django-leaflet's static files; background tiles only when a tile URL is configured.
 */
import { createMap, element } from "./page_helpers.js";

(function () {
  var container = document.getElementById("report-map");
  var dataElement = document.getElementById("report-map-data");
  if (!container || !dataElement || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(dataElement.textContent);

  var position = [data.point[1], data.point[0]];
  // Staff pages do not load the JavaScript catalogue: the zoom buttons' titles come translated
  // from the container's data attributes.
  var map = createMap(container, {
    map: { scrollWheelZoom: false },
    zoomTitles: { zoomIn: container.dataset.zoomIn, zoomOut: container.dataset.zoomOut },
    view: [position, 15],
  });

  var area = L.geoJSON(data.area, {
    style: {
      color: "#1e3a8a",
      weight: 1.5,
      fillColor: "#60a5fa",
      fillOpacity: 0.18,
      className: "report-area",
    },
    interactive: false,
  }).addTo(map);
  L.circleMarker(position, {
    radius: 9,
    color: "#ffffff",
    weight: 3,
    fillColor: "#dc2626",
    fillOpacity: 1,
    className: "report-pin",
  })
    // Text, not HTML: the name comes from an imported boundary file.
    .bindTooltip(element("span", null, data.area_name))
    .addTo(map);

  var bounds = area.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [12, 12] });
  }
})();
