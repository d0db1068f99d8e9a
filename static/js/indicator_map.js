/*
 * The choropleth of one indicator: reads the values API as GeoJSON with its classification
 * (computed by the server with mapclassify), colours each area by the class its value falls in
 * (half-open classes [lower, upper), the last one closed, as the server counts them), and writes
 * the legend with each class's count and a "no data" class.
 *
 * Every value from the server is written with textContent, never as HTML.
 */
import { addDetail, createMap, element, getJson, showStatus } from "./page_helpers.js";

(function () {
  var container = document.getElementById("indicator-map");
  if (!container || typeof L === "undefined" || !container.dataset.valuesUrl) {
    return;
  }
  var statusBox = document.getElementById("map-status");
  var legend = document.getElementById("indicator-legend");
  var detail = document.getElementById("area-detail");
  var unit = container.dataset.unit || "";
  var map = createMap(container, {});
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

  var query = new URLSearchParams({
    format: "geojson",
    period: container.dataset.period,
    level: container.dataset.level,
    boundaries: container.dataset.boundaries,
    classification: container.dataset.classification,
    classes: container.dataset.classes,
  });
  getJson(container.dataset.valuesUrl + "?" + query.toString())
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error(answer.body.detail || answer.statusText);
      }
      var collection = answer.body;
      var classes = collection.classification.classes;
      var noData = collection.classification.no_data.colour;
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          var item = classOf(feature.properties.value, classes);
          return {
            className: "indicator-area",
            color: "#374151",
            weight: 1,
            fillOpacity: 0.8,
            fillColor: item ? item.colour : noData,
          };
        },
        onEachFeature: function (feature, featureLayer) {
          featureLayer.bindTooltip(feature.properties.area_name + ": " + format(feature.properties.value));
          featureLayer.on("click", function () {
            showArea(feature.properties);
          });
        },
      }).addTo(map);
      if (collection.features.length) {
        map.fitBounds(layer.getBounds());
      }
      writeLegend(collection.classification);
      showStatus(statusBox, "");
      container.dataset.ready = "true";
    })
    .catch(function (error) {
      showStatus(statusBox, error.message || gettext("Không tải được số liệu."), true);
    });
})();
