/*
 * The unit's map: the boundaries the unit answers for, and its open reports as pins coloured by
 * urgency and status, fetched for the visible bounding box each time the map stops moving (the
 * page never asks for the whole table). Texts come translated from the page's data attributes;
 * every value from the server is written with textContent, never as HTML.
 */
import { createMap, element, showStatus } from "./page_helpers.js";

(function () {
  var container = document.getElementById("staff-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var texts = container.dataset;
  var statusBox = document.getElementById("map-status");
  var countBox = document.getElementById("report-count");
  var listBox = document.getElementById("report-list");

  var PIN_COLOURS = {
    overdue: "#b91c1c",
    due_soon: "#d97706",
    new: "#2563eb",
    working: "#7c3aed",
    answered: "#0f766e",
  };

  // Staff pages do not load the JavaScript catalogue: the zoom buttons' titles come translated
  // from the container's data attributes.
  var map = createMap(container, {
    map: { minZoom: 6 },
    zoomTitles: { zoomIn: texts.zoomIn, zoomOut: texts.zoomOut },
  });

  var pins = L.layerGroup().addTo(map);
  // Moves can outrun answers: only the latest request may draw.
  var requestNumber = 0;

  function pinKind(properties) {
    if (properties.urgency) {
      return properties.urgency;
    }
    if (properties.status === "new") {
      return "new";
    }
    if (properties.status === "answered") {
      return "answered";
    }
    return "working";
  }

  function urgencyText(properties) {
    if (properties.urgency === "overdue") {
      return texts.overdueText;
    }
    if (properties.urgency === "due_soon") {
      return texts.dueSoonText;
    }
    return "";
  }

  function popupContent(properties) {
    var box = element("div", "map-report-popup");
    box.appendChild(element("strong", null, properties.tracking_code));
    box.appendChild(element("span", null, properties.category_name));
    box.appendChild(element("span", null, properties.status_label));
    if (properties.deadline) {
      box.appendChild(element("span", null, texts.deadlineText.replace("{deadline}", properties.deadline)));
    }
    var urgency = urgencyText(properties);
    if (urgency) {
      box.appendChild(element("em", "urgency-" + properties.urgency, urgency));
    }
    var link = element("a", null, texts.openText);
    link.href = properties.url;
    box.appendChild(link);
    return box;
  }

  function listItem(properties, marker) {
    var item = element("li", "map-report-item pin-kind-" + pinKind(properties));
    var link = element("a", "queue-code", properties.tracking_code);
    link.href = properties.url;
    item.appendChild(link);
    item.appendChild(element("span", "queue-meta", properties.category_name + " · " + properties.status_label));
    var urgency = urgencyText(properties);
    if (urgency) {
      item.appendChild(element("span", "urgency-badge urgency-" + properties.urgency, urgency));
    }
    item.addEventListener("mouseenter", function () {
      marker.openPopup();
    });
    return item;
  }

  function bboxParameter() {
    var bounds = map.getBounds();
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (value) {
        return value.toFixed(6);
      })
      .join(",");
  }

  function loadReports() {
    var number = ++requestNumber;
    showStatus(statusBox, texts.loading);
    fetch(texts.reportsUrl + "?bbox=" + encodeURIComponent(bboxParameter()), {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (collection) {
        if (number !== requestNumber) {
          return;
        }
        pins.clearLayers();
        listBox.textContent = "";
        collection.features.forEach(function (feature) {
          var properties = feature.properties;
          var kind = pinKind(properties);
          var coordinates = feature.geometry.coordinates;
          var marker = L.circleMarker([coordinates[1], coordinates[0]], {
            radius: kind === "overdue" ? 8 : 7,
            color: "#ffffff",
            weight: 2,
            fillColor: PIN_COLOURS[kind],
            fillOpacity: 0.95,
            className: "report-pin pin-" + kind,
          }).bindPopup(popupContent(properties));
          marker.addTo(pins);
          listBox.appendChild(listItem(properties, marker));
        });
        var shown = collection.numberReturned;
        countBox.textContent =
          collection.numberMatched > shown
            ? texts.truncatedText.replace("{shown}", shown).replace("{matched}", collection.numberMatched)
            : texts.countText.replace("{shown}", shown);
        showStatus(statusBox, "");
      })
      .catch(function () {
        if (number === requestNumber) {
          showStatus(statusBox, texts.failed, true);
        }
      });
  }

  fetch(texts.areasUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (collection) {
      var areas = L.geoJSON(collection, {
        style: {
          color: "#1e3a8a",
          weight: 1.5,
          fillColor: "#60a5fa",
          fillOpacity: 0.16,
          className: "unit-area",
        },
        onEachFeature: function (feature, layer) {
          // An element with text, never a string: Leaflet renders a string as HTML, and the
          // names come from imported boundary files.
          layer.bindTooltip(
            element("span", null, feature.properties.name + " (" + feature.properties.code + ")"),
            { sticky: true },
          );
        },
      }).addTo(map);
      var bounds = areas.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16] });
      }
      map.on("moveend", loadReports);
      loadReports();
    })
    .catch(function () {
      showStatus(statusBox, texts.failed, true);
    });
})();
