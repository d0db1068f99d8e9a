/*
 * The officers' map of dossiers per area on a day: reads the by-area API with the areas'
 * simplified outlines, colours each commune valid on that day by its share late (classes sent by
 * the page, half-open (lower, upper]), writes the legend with each class's count, and on a click
 * shows the area's counts with a link to the queue filtered to that area.
 *
 * Every text from the server is written with textContent, never as HTML.
 */
import { addDetail, createMap, element, getJson, showStatus } from "./page_helpers.js";

(function () {
  var container = document.getElementById("dossier-map");
  if (!container || typeof L === "undefined") {
    return;
  }
  var labels = JSON.parse(document.getElementById("dossier-map-labels").textContent);
  var classes = JSON.parse(document.getElementById("dossier-map-classes").textContent);
  var statusBox = document.getElementById("map-status");
  var legend = document.getElementById("dossier-legend");
  var detail = document.getElementById("area-detail");
  var elsewhere = document.getElementById("dossier-elsewhere");
  var noDataColour = "#d1d5db";
  var percent = new Intl.NumberFormat(document.documentElement.lang || "vi", {
    style: "percent",
    maximumFractionDigits: 1,
  });
  var map = createMap(container, {});

  function classOf(rate) {
    if (rate.value === null) {
      return null;
    }
    for (var index = 0; index < classes.length; index++) {
      var item = classes[index];
      var above = item.lower === null ? rate.value >= item.upper : rate.value > item.lower;
      if (above && rate.value <= item.upper) {
        return item;
      }
    }
    return null;
  }

  function writeLegend(counts, noData) {
    legend.replaceChildren();
    classes.forEach(function (item, index) {
      var row = element("li", "legend-class");
      var swatch = element("span", "legend-swatch");
      swatch.style.background = item.colour;
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(item.label + " (" + counts[index] + ")"));
      legend.appendChild(row);
    });
    var none = element("li", "legend-class legend-no-data");
    var swatch = element("span", "legend-swatch");
    swatch.style.background = noDataColour;
    none.appendChild(swatch);
    none.appendChild(document.createTextNode(labels.no_data + " (" + noData + ")"));
    legend.appendChild(none);
  }

  function showArea(area) {
    detail.replaceChildren();
    var heading = element("h3", "", area.area_name + " (" + area.area_code + ")");
    detail.appendChild(heading);
    var list = element("dl", "details");
    ["received", "finished", "finished_late", "open", "open_overdue"].forEach(function (name) {
      addDetail(list, labels[name], String(area[name]));
    });
    var rate = area.late_rate;
    addDetail(
      list,
      labels.late_rate,
      rate.value === null ? "—" : percent.format(rate.value) + " (" + rate.numerator + " / " + rate.denominator + ")"
    );
    detail.appendChild(list);
    var link = element("a", "area-dossiers-link", labels.dossiers);
    link.href = container.dataset.queueUrl + "?khu-vuc=" + encodeURIComponent(area.area_id);
    detail.appendChild(link);
  }

  var query = new URLSearchParams({ on: container.dataset.on, outlines: "1" });
  getJson(container.dataset.byAreaUrl + "?" + query.toString())
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error(answer.body.detail || answer.statusText);
      }
      var counts = classes.map(function () {
        return 0;
      });
      var noData = 0;
      var outside = 0;
      var features = [];
      answer.body.results.forEach(function (area) {
        if (!area.valid_on_date) {
          outside += area.open + area.finished;
          return;
        }
        var item = classOf(area.late_rate);
        if (item) {
          counts[classes.indexOf(item)] += 1;
        } else {
          noData += 1;
        }
        if (area.outline) {
          features.push({ type: "Feature", geometry: area.outline, properties: area });
        }
      });
      var layer = L.geoJSON(
        { type: "FeatureCollection", features: features },
        {
          style: function (feature) {
            var item = classOf(feature.properties.late_rate);
            return {
              className: "dossier-area",
              color: "#374151",
              weight: 1,
              fillOpacity: 0.75,
              fillColor: item ? item.colour : noDataColour,
            };
          },
          onEachFeature: function (feature, featureLayer) {
            featureLayer.bindTooltip(feature.properties.area_name);
            featureLayer.on("click", function () {
              showArea(feature.properties);
            });
          },
        }
      ).addTo(map);
      if (features.length) {
        map.fitBounds(layer.getBounds());
      }
      writeLegend(counts, noData);
      if (outside) {
        elsewhere.textContent = labels.elsewhere + ": " + outside;
        elsewhere.hidden = false;
      }
      showStatus(statusBox, "");
      container.dataset.ready = "true";
    })
    .catch(function (error) {
      showStatus(statusBox, error.message, true);
    });
})();
