/*
 * The choropleth of one indicator: reads the values API as GeoJSON with its classification
 * (computed by the server with mapclassify), colours each area by the class its value falls in
 * (half-open classes [lower, upper), the last one closed, as the server counts them), and writes
 * the legend with each class's count and a "no data" class.
 *
 * Drawn on one canvas (Leaflet's preferCanvas): thousands of SVG paths took seconds to lay out.
 * The data request starts from the page's <head> (<link rel=preload> of the same address), and
 * each area's class is computed once. What is drawn is readable without the pixels: once ready,
 * `#indicator-map` carries data-area-classes (area code → class index, null for no data) and
 * the element's indicatorMapPoint(code) gives a point inside an area in the map's pixels
 * (for the browser tests, which click it).
 *
 * Every value from the server is written with textContent, never as HTML.
 */
import { addDetail, createMap, element, showStatus } from "./page_helpers.js";

(function () {
  var container = document.getElementById("indicator-map");
  if (!container || typeof L === "undefined" || !container.dataset.dataUrl) {
    return;
  }
  var statusBox = document.getElementById("map-status");
  var legend = document.getElementById("indicator-legend");
  var detail = document.getElementById("area-detail");
  var unit = container.dataset.unit || "";
  var map = createMap(container, { map: { preferCanvas: true } });
  var formatter = new Intl.NumberFormat(document.documentElement.lang || "vi", {
    maximumFractionDigits: 2,
  });

  function format(value) {
    return value === null || value === undefined ? gettext("Không có số liệu") : formatter.format(value);
  }

  function classOf(value, classes) {
    if (value === null || value === undefined) {
      return null;
    }
    for (var index = 0; index < classes.length; index++) {
      var item = classes[index];
      if (item.lower <= value && (value < item.upper || (item.closed && value <= item.upper))) {
        return item;
      }
    }
    return null;
  }

  function writeLegend(classification) {
    legend.replaceChildren();
    classification.classes.forEach(function (item) {
      var row = element("li", "legend-class");
      var swatch = element("span", "legend-swatch");
      swatch.style.background = item.colour;
      row.appendChild(swatch);
      var bound = item.closed ? "]" : ")";
      row.appendChild(
        document.createTextNode(
          "[" + format(item.lower) + " – " + format(item.upper) + bound + " " + unit + " (" + item.count + ")"
        )
      );
      legend.appendChild(row);
    });
    var none = element("li", "legend-class legend-no-data");
    var swatch = element("span", "legend-swatch");
    swatch.style.background = classification.no_data.colour;
    none.appendChild(swatch);
    none.appendChild(
      document.createTextNode(gettext("Không có số liệu") + " (" + classification.no_data.count + ")")
    );
    legend.appendChild(none);
  }

  function showArea(properties) {
    detail.replaceChildren();
    var list = element("dl", "details");
    addDetail(list, gettext("Đơn vị"), properties.area_name + " (" + properties.area_code + ")");
    addDetail(list, gettext("Giá trị"), format(properties.value) + " " + unit);
    addDetail(list, gettext("Mục tiêu"), format(properties.target));
    addDetail(
      list,
      gettext("Đã báo cáo"),
      properties.completeness.reported + " / " + properties.completeness.expected
    );
    if (properties.reaggregated) {
      addDetail(list, gettext("Ghi chú"), gettext("Tổng hợp lại từ các đơn vị trước sắp xếp"));
    }
    detail.appendChild(list);
  }

  // Plain fetch, as the preload asked for it, so that the browser hands over the same answer.
  fetch(container.dataset.dataUrl, { credentials: "same-origin" })
    .then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, statusText: response.statusText, body: body };
      });
    })
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error(answer.body.detail || answer.statusText);
      }
      var collection = answer.body;
      var classes = collection.classification.classes;
      var noData = collection.classification.no_data.colour;
      var drawn = {};
      var layers = {};
      collection.features.forEach(function (feature) {
        var item = classOf(feature.properties.value, classes);
        drawn[feature.properties.area_code] = item ? classes.indexOf(item) : null;
        feature.properties.fill = item ? item.colour : noData;
      });
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          return { color: "#374151", weight: 1, fillOpacity: 0.8, fillColor: feature.properties.fill };
        },
        onEachFeature: function (feature, featureLayer) {
          layers[feature.properties.area_code] = featureLayer;
        },
      });
      // One tooltip and one click handler for the whole layer, not one per area.
      layer.bindTooltip(function (featureLayer) {
        var properties = featureLayer.feature.properties;
        return properties.area_name + ": " + format(properties.value);
      });
      layer.on("click", function (event) {
        showArea(event.layer.feature.properties);
      });
      layer.addTo(map);
      if (collection.features.length) {
        map.fitBounds(layer.getBounds());
      }
      container.indicatorMapPoint = function (code) {
        var point = map.latLngToContainerPoint(layers[code].getCenter());
        return { x: point.x, y: point.y };
      };
      container.dataset.areaClasses = JSON.stringify(drawn);
      writeLegend(collection.classification);
      showStatus(statusBox, "");
      // The canvas is painted on the next animation frame (Leaflet asked for it first): ready
      // after that, when the areas are on screen.
      requestAnimationFrame(function () {
        container.dataset.ready = "true";
      });
    })
    .catch(function (error) {
      showStatus(statusBox, error.message || gettext("Không tải được số liệu."), true);
    });
})();
