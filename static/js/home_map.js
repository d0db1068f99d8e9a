/*
 * The public map of reports on the home page. The server groups the reports (a grid in SQL, by
 * zoom); this script only asks for what the screen shows — the bounding box, the zoom and the
 * filters — and draws one marker per group or per report: a circle with the count for a group,
 * a pin coloured by status for a report, ringed in red when overdue.
 *
 * Every user-facing string goes through Django's JavaScript catalogue (gettext), and every
 * value from the server is written with textContent, never as HTML.
 */
import {
  OUTLINE_STYLE,
  createMap,
  element,
  formatMoment,
  getJson,
  loadCommuneOutlines,
  pageLanguage,
  showStatus,
  urlForCode,
} from "./page_helpers.js";
import { reportTileLayer } from "./vector_tiles.js";

(function () {
  var container = document.getElementById("incident-map");
  if (!container || typeof L === "undefined") {
    return;
  }

  // The colours of the statuses, as in incidents.css (the legend), for the groups' rings.
  var STATUS_COLOURS = {
    new: "#f97316",
    acknowledged: "#ca8a04",
    in_progress: "#0284c7",
    information_requested: "#9333ea",
    answered: "#2563eb",
    resolved: "#16a34a",
    closed: "#64748b",
    rejected: "#1f2937",
  };
  var STATUS_ORDER = Object.keys(STATUS_COLOURS);

  var labels = JSON.parse(document.getElementById("incident-map-labels").textContent);
  var language = pageLanguage();
  var statusBox = document.getElementById("map-status");
  var countBox = document.getElementById("map-count");
  var filtersForm = document.getElementById("map-filters");
  var resetLink = document.getElementById("filters-reset");

  var map = createMap(container, { map: { minZoom: 6, maxZoom: 19 } });

  var incidentsLayer = L.layerGroup().addTo(map);
  // With many public reports the server gives the page the vector tiles' address: below
  // TILES_BELOW_ZOOM and with no filter the map draws the cached tiles of the report grid
  // instead of asking for the groups of every view (docs/open_data.md, "The public map").
  var TILES_BELOW_ZOOM = 16;
  var tilesUrl = container.dataset.reportTilesUrl || "";
  var tileLayer = null;
  var requestNumber = 0;
  var controller = null;
  var moveTimer = null;
  var ready = false;

  function statusLabel(status) {
    return labels.statuses[status] || status;
  }

  function categoryName(properties) {
    if (language === "en" && properties.category_name_en) {
      return properties.category_name_en;
    }
    return labels.categories[properties.category] || properties.category_name || properties.category;
  }

  function trackingUrl(code) {
    return urlForCode(container.dataset.trackingUrl, code);
  }

  // "01/07/2025" (as typed, day first) or "2025-07-01" → "2025-07-01"; null when not a date.
  function isoDate(text) {
    var value = text.trim();
    var match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
    if (match) {
      value = match[3] + "-" + ("0" + match[2]).slice(-2) + "-" + ("0" + match[1]).slice(-2);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return null;
    }
    var day = new Date(value + "T00:00:00Z");
    return !isNaN(day) && day.toISOString().slice(0, 10) === value ? value : null;
  }

  // The filters as the endpoint reads them, or null (and the reason shown) when a date is wrong.
  function filterParameters() {
    var parameters = new URLSearchParams();
    var valid = true;
    Array.prototype.forEach.call(filtersForm.elements, function (control) {
      if (control.setCustomValidity) {
        control.setCustomValidity("");
      }
      if (!control.name || !control.value) {
        return;
      }
      var value = control.value;
      if (control.name === "from" || control.name === "to") {
        value = isoDate(control.value);
        if (!value) {
          valid = false;
          control.setCustomValidity(gettext("Ngày phải có dạng ngày/tháng/năm, ví dụ 01/07/2025."));
          control.reportValidity();
          return;
        }
      }
      parameters.set(control.name, value);
    });
    return valid ? parameters : null;
  }

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function boundingBox() {
    // A margin around the screen, so a short pan shows markers at once.
    var bounds = map.getBounds().pad(0.15);
    return [
      clamp(bounds.getWest(), -180, 180).toFixed(6),
      clamp(bounds.getSouth(), -90, 90).toFixed(6),
      clamp(bounds.getEast(), -180, 180).toFixed(6),
      clamp(bounds.getNorth(), -90, 90).toFixed(6),
    ].join(",");
  }

  // A group: a circle whose ring shows its statuses in proportion, the count in the middle.
  function clusterIcon(properties) {
    var count = properties.count;
    var size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
    var stops = [];
    var start = 0;
    STATUS_ORDER.forEach(function (status) {
      var share = (properties.statuses[status] || 0) / count;
      if (share > 0) {
        var end = start + share * 360;
        stops.push(STATUS_COLOURS[status] + " " + start.toFixed(1) + "deg " + end.toFixed(1) + "deg");
        start = end;
      }
    });
    var node = element("div", "cluster-ring" + (properties.overdue ? " has-overdue" : ""));
    node.style.background = "conic-gradient(" + stops.join(", ") + ")";
    node.style.width = size + "px";
    node.style.height = size + "px";
    node.appendChild(element("span", "cluster-count", String(count)));
    return L.divIcon({
      html: node,
      className: "cluster-icon",
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
    });
  }

  function pinIcon(properties) {
    var node = element(
      "div",
      "incident-pin status-" + properties.status + (properties.overdue ? " is-overdue" : "")
    );
    if (properties.overdue) {
      node.appendChild(element("span", "pin-badge", "!"));
    }
    return L.divIcon({
      html: node,
      className: "incident-pin-icon",
      iconSize: [26, 34],
      iconAnchor: [13, 32],
      popupAnchor: [0, -30],
    });
  }

  function clusterLabel(properties) {
    var parts = [
      interpolate(
        ngettext("%(count)s phản ánh", "%(count)s phản ánh", properties.count),
        { count: properties.count },
        true
      ),
    ];
    STATUS_ORDER.forEach(function (status) {
      if (properties.statuses[status]) {
        parts.push(statusLabel(status) + ": " + properties.statuses[status]);
      }
    });
    if (properties.overdue) {
      parts.push(interpolate(gettext("quá hạn: %(count)s"), { count: properties.overdue }, true));
    }
    return parts.join(" · ");
  }

  function incidentLabel(properties) {
    var text = properties.tracking_code + " · " + categoryName(properties) + " · " + statusLabel(properties.status);
    if (properties.overdue) {
      text += " · " + gettext("Quá hạn");
    }
    return text;
  }

  function popupContent(properties) {
    var box = element("div", "incident-popup");
    var title = element("a", "tracking-link", properties.tracking_code);
    title.href = trackingUrl(properties.tracking_code);
    box.appendChild(title);
    var badges = element("div", "popup-badges");
    badges.appendChild(element("span", "status-badge status-" + properties.status, statusLabel(properties.status)));
    if (properties.overdue) {
      badges.appendChild(element("span", "overdue-tag", gettext("Quá hạn")));
    }
    box.appendChild(badges);
    box.appendChild(element("strong", null, categoryName(properties)));
    box.appendChild(
      element(
        "span",
        "popup-meta",
        interpolate(gettext("Gửi lúc %(moment)s"), { moment: formatMoment(properties.reported_at) }, true)
      )
    );
    if (properties.supporters_count) {
      box.appendChild(
        element(
          "span",
          "popup-meta",
          interpolate(
            ngettext("%(count)s người ủng hộ", "%(count)s người ủng hộ", properties.supporters_count),
            { count: properties.supporters_count },
            true
          )
        )
      );
    }
    var link = element("a", "popup-link", gettext("Xem tiến độ xử lý"));
    link.href = trackingUrl(properties.tracking_code);
    box.appendChild(link);
    return box;
  }

  // Leaflet gives markers a title; screen readers and keyboard users also need a name and Enter.
  function nameMarker(marker, label) {
    marker.on("add", function () {
      var node = marker.getElement();
      if (node) {
        node.setAttribute("aria-label", label);
        node.setAttribute("role", "button");
      }
    });
  }

  function draw(collection) {
    incidentsLayer.clearLayers();
    (collection.features || []).forEach(function (feature) {
      var coordinates = feature.geometry.coordinates;
      var latlng = L.latLng(coordinates[1], coordinates[0]);
      var properties = feature.properties;
      var marker;
      if (properties.kind === "cluster") {
        marker = L.marker(latlng, {
          icon: clusterIcon(properties),
          title: clusterLabel(properties),
          keyboard: true,
          riseOnHover: true,
        });
        marker.on("click", function () {
          map.setView(latlng, Math.min(map.getZoom() + 2, 17));
        });
        nameMarker(marker, clusterLabel(properties));
      } else {
        marker = L.marker(latlng, {
          icon: pinIcon(properties),
          title: incidentLabel(properties),
          keyboard: true,
          riseOnHover: true,
        });
        marker.bindPopup(popupContent(properties), { autoPanPadding: [24, 24] });
        nameMarker(marker, incidentLabel(properties));
      }
      marker.addTo(incidentsLayer);
    });
    var matched = collection.numberMatched || 0;
    var text = interpolate(
      ngettext(
        "%(count)s phản ánh trong vùng đang xem.",
        "%(count)s phản ánh trong vùng đang xem.",
        matched
      ),
      { count: matched },
      true
    );
    if (!collection.grouped && collection.numberReturned < matched) {
      text +=
        " " +
        interpolate(
          gettext("Hiển thị %(count)s phản ánh mới nhất."),
          { count: collection.numberReturned },
          true
        );
    }
    if (collection.grouped && collection.truncated) {
      // The server sends at most INCIDENT_MAP_FEATURES_MAX groups, the largest first.
      text += " " + gettext("Chỉ hiển thị các nhóm lớn nhất; phóng to để xem hết.");
    }
    countBox.textContent = text;
  }

  function showTiles() {
    incidentsLayer.clearLayers();
    if (!tileLayer) {
      tileLayer = reportTileLayer(tilesUrl);
      tileLayer.on("load", function () {
        container.dataset.state = "ready";
      });
    }
    container.dataset.mode = "tiles";
    if (!map.hasLayer(tileLayer)) {
      tileLayer.addTo(map);
    } else {
      container.dataset.state = "ready";
    }
    countBox.textContent = gettext(
      "Nhiều phản ánh: số trên vòng tròn là số phản ánh trong ô; phóng to hoặc chọn bộ lọc để xem từng phản ánh."
    );
    showStatus(statusBox, "", false);
  }

  function loadIncidents() {
    var number = ++requestNumber;
    if (controller) {
      controller.abort();
    }
    controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var parameters = filterParameters();
    if (!parameters) {
      return;
    }
    if (tilesUrl && map.getZoom() < TILES_BELOW_ZOOM && parameters.toString() === "") {
      showTiles();
      return;
    }
    if (tileLayer && map.hasLayer(tileLayer)) {
      map.removeLayer(tileLayer);
    }
    container.dataset.mode = "groups";
    parameters.set("bbox", boundingBox());
    parameters.set("zoom", String(map.getZoom()));
    showStatus(statusBox, gettext("Đang tải phản ánh…"), false);
    container.dataset.state = "loading";
    getJson(container.dataset.mapUrl + "?" + parameters.toString(), {
      headers: { Accept: "application/geo+json, application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (answer) {
        if (number !== requestNumber) {
          return;
        }
        if (!answer.ok) {
          showStatus(statusBox, answer.body.detail || answer.statusText, true);
          return;
        }
        draw(answer.body);
        showStatus(statusBox, "", false);
        container.dataset.state = "ready";
      })
      .catch(function (error) {
        if (error.name === "AbortError" || number !== requestNumber) {
          return;
        }
        showStatus(
          statusBox,
          interpolate(gettext("Không tải được phản ánh: %(reason)s"), { reason: error.message }, true),
          true
        );
      });
  }

  function scheduleLoad() {
    if (!ready) {
      return;
    }
    // "loading" until the markers of this view are drawn (tests and assistive tools wait on it).
    container.dataset.state = "loading";
    window.clearTimeout(moveTimer);
    moveTimer = window.setTimeout(loadIncidents, 120);
  }

  function drawBoundaries(collection) {
    var layer = L.geoJSON(collection, {
      interactive: false,
      style: function () {
        return OUTLINE_STYLE;
      },
    }).addTo(map);
    layer.bringToBack();
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    }
  }

  // The communes' outlines give the pins a place when no background map is configured.
  function start() {
    loadCommuneOutlines(container.dataset.areasUrl, container.dataset.date, 20)
      .then(drawBoundaries)
      .catch(function () {
        return null;
      })
      .then(function () {
        ready = true;
        loadIncidents();
      });
  }

  map.on("moveend", scheduleLoad);

  // The filters live in the address, so a link shares them and the language switch keeps them.
  function rememberFilters(query) {
    var address = query ? window.location.pathname + "?" + query : window.location.pathname;
    window.history.replaceState(null, "", address);
    var next = document.querySelector(".language-switch input[name=next]");
    if (next) {
      next.value = address;
    }
  }

  filtersForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var parameters = filterParameters();
    if (parameters) {
      rememberFilters(parameters.toString());
      loadIncidents();
    }
  });
  filtersForm.addEventListener("change", function () {
    filtersForm.requestSubmit ? filtersForm.requestSubmit() : loadIncidents();
  });
  resetLink.addEventListener("click", function (event) {
    event.preventDefault();
    filtersForm.reset();
    Array.prototype.forEach.call(filtersForm.elements, function (control) {
      if (control.name) {
        control.value = "";
      }
    });
    rememberFilters("");
    loadIncidents();
  });

  start();
})();
