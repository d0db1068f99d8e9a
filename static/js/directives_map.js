/*
 * The task map (/nhiem-vu/ban-do/): the tasks that name a place, as pins coloured by standing
 * (overdue, due soon, on track, done late, done on time, cancelled), for the period and area the
 * page's filters chose. The server sends every pin of the filter at once (a period holds a few
 * thousand at most). Texts come translated from the container's data attributes; every value
 * from the server is written with textContent, never as HTML.
 */
import { createMap, element, formatDate, showStatus } from "./page_helpers.js";

(function () {
  var container = document.getElementById("directives-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var texts = container.dataset;
  var statusBox = document.getElementById("map-status");
  var countBox = document.getElementById("task-count");
  var listBox = document.getElementById("task-list");

  var COLOURS = {
    overdue: "#a4161a",
    due_soon: "#f59e0b",
    on_track: "#2563eb",
    done_late: "#92400e",
    done_on_time: "#059669",
    cancelled: "#9ca3af",
  };

  function standingText(standing) {
    // data-standing-due_soon is read back as dataset["standing-due_soon"] → "standingDue_soon".
    return texts["standing" + standing.charAt(0).toUpperCase() + standing.slice(1)] || standing;
  }

  var map = createMap(container, {
    map: { minZoom: 6 },
    zoomTitles: { zoomIn: texts.zoomIn, zoomOut: texts.zoomOut },
  });
  var pins = L.featureGroup().addTo(map);

  function popupContent(feature) {
    var properties = feature.properties;
    var box = element("div", "map-report-popup");
    box.appendChild(element("strong", null, properties.directive));
    box.appendChild(element("span", null, properties.content));
    box.appendChild(element("span", null, properties.lead_agency));
    box.appendChild(element("span", null, texts.deadlineText.replace("{deadline}", formatDate(properties.deadline))));
    box.appendChild(element("em", "standing-" + properties.standing, standingText(properties.standing)));
    var link = element("a", null, texts.openText);
    link.href = texts.taskUrl + feature.id + "/";
    box.appendChild(link);
    return box;
  }

  function listItem(feature) {
    var properties = feature.properties;
    var item = element("li", "map-report-item task-standing-" + properties.standing);
    var link = element("a", "queue-code", properties.directive);
    link.href = texts.taskUrl + feature.id + "/";
    item.appendChild(link);
    item.appendChild(element("span", "queue-meta", properties.content));
    item.appendChild(element("span", "standing-badge standing-" + properties.standing, standingText(properties.standing)));
    return item;
  }

  showStatus(statusBox, texts.loading);
  fetch(texts.tasksUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    })
    .then(function (collection) {
      collection.features.forEach(function (feature) {
        var coordinates = feature.geometry.coordinates;
        L.circleMarker([coordinates[1], coordinates[0]], {
          radius: feature.properties.standing === "overdue" ? 8 : 7,
          color: "#ffffff",
          weight: 2,
          fillColor: COLOURS[feature.properties.standing],
          fillOpacity: 0.95,
          className: "task-pin task-pin-" + feature.properties.standing,
        })
          .bindPopup(popupContent(feature))
          .addTo(pins);
        listBox.appendChild(listItem(feature));
      });
      countBox.textContent = texts.countText.replace("{shown}", collection.features.length);
      var bounds = pins.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
      }
      showStatus(statusBox, "");
    })
    .catch(function () {
      showStatus(statusBox, texts.failed, true);
    });
})();
