/*
 * The small map of a report's tracking page: the report's pin on the outlines of the communes
 * valid on its date. Purely a picture (the page gives the coordinates in words too), so the map
 * does not take the keyboard's focus.
 */
import { createMap, element, loadCommuneOutlines } from "./page_helpers.js";

(function () {
  var container = document.getElementById("tracking-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var latlng = L.latLng(parseFloat(container.dataset.lat), parseFloat(container.dataset.lon));
  var map = createMap(container, {
    map: { keyboard: false, scrollWheelZoom: false },
    scale: false,
    view: [latlng, 14],
  });

  var node = element("div", "incident-pin status-" + container.dataset.status);
  L.marker(latlng, {
    icon: L.divIcon({ html: node, className: "incident-pin-icon", iconSize: [26, 34], iconAnchor: [13, 32] }),
    interactive: false,
    keyboard: false,
  }).addTo(map);

  loadCommuneOutlines(container.dataset.areasUrl, container.dataset.date, 10)
    .then(function (collection) {
      L.geoJSON(collection, {
        interactive: false,
        style: function () {
          return { color: "#1e3a8a", weight: 1.5, opacity: 0.7, fillColor: "#93c5fd", fillOpacity: 0.15 };
        },
      })
        .addTo(map)
        .bringToBack();
      container.dataset.loaded = "true";
    })
    .catch(function () {
      container.dataset.loaded = "true";
    });
})();
