/*
 * The small map of a report's tracking page: the report's pin on the outlines of the communes
 * valid on its date. Purely a picture (the page gives the coordinates in words too), so the map
 * does not take the keyboard's focus.
 */
(function () {
  "use strict";

  var container = document.getElementById("tracking-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var latlng = L.latLng(parseFloat(container.dataset.lat), parseFloat(container.dataset.lon));
  var map = L.map(container, {
    zoomControl: false,
    keyboard: false,
    scrollWheelZoom: false,
    attributionControl: true,
  });
  L.control
    .zoom({ zoomInTitle: gettext("Phóng to"), zoomOutTitle: gettext("Thu nhỏ") })
    .addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  if (container.dataset.tileUrl) {
    L.tileLayer(container.dataset.tileUrl, {
      attribution: container.dataset.tileAttribution,
      maxZoom: 19,
    }).addTo(map);
  }
  map.setView(latlng, 14);

  var node = document.createElement("div");
  node.className = "incident-pin status-" + container.dataset.status;
  L.marker(latlng, {
    icon: L.divIcon({ html: node, className: "incident-pin-icon", iconSize: [26, 34], iconAnchor: [13, 32] }),
    interactive: false,
    keyboard: false,
  }).addTo(map);

  var query = new URLSearchParams({ date: container.dataset.date, level: "commune", simplify: "10" });
  fetch(container.dataset.areasUrl + "?" + query.toString(), {
    headers: { Accept: "application/geo+json, application/json" },
  })
    .then(function (response) {
      return response.ok ? response.json() : { features: [] };
    })
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
