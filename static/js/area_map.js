/*
 * The map of the territory's areas on one date: draws the commune-level boundaries from the
 * areas API, names an area on hover, and on a click asks the routing API which areas contain
 * the point and which People's Committee answers for it.
 *
 * Every user-facing string goes through Django's JavaScript catalogue (gettext), and every
 * value from the server is written with textContent, never as HTML.
 */
import {
  addDetail,
  agencyName,
  createMap,
  element,
  formatDate,
  getJson,
  showStatus,
} from "./page_helpers.js";

(function () {
  var container = document.getElementById("area-map");
  if (!container || typeof L === "undefined") {
    return;
  }

  // Soft fills that tell neighbouring areas apart without hiding what lies beneath.
  var FILL_COLOURS = ["#60a5fa", "#34d399", "#fbbf24", "#f472b6", "#a78bfa", "#2dd4bf", "#fb923c"];
  var OFFICIAL_STROKE = "#1e3a8a";
  var APPROXIMATE_STROKE = "#b45309";

  var labels = JSON.parse(document.getElementById("area-map-labels").textContent);
  var day = container.dataset.date;
  var statusBox = document.getElementById("map-status");
  var resultBox = document.getElementById("lookup-result");
  var countBox = document.getElementById("area-count");
  var areaList = document.getElementById("area-list");
  var centreButton = document.getElementById("lookup-centre");
  var centreCaption = document.getElementById("map-centre");
  // The address of an area's public page (its reports, its feed, following it by e-mail), with
  // 0 where the area's id goes.
  var areaPageUrl = container.dataset.areaPageUrl;

  function areaPageLink(areaId, text) {
    var link = element("a", null, text);
    link.href = areaPageUrl.replace("/0/", "/" + encodeURIComponent(areaId) + "/");
    return link;
  }

  var map = createMap(container, { map: { minZoom: 6 } });

  var areasLayer = null;
  var selectedPoint = null;
  // Clicks can outrun answers: only the latest lookup may write the panel.
  var lookupNumber = 0;

  function formatCoordinate(value) {
    return value.toFixed(5);
  }

  function typeLabel(type) {
    return labels.area_type[type] || type;
  }

  function levelLabel(level) {
    return labels.level[level] || level;
  }

  function areaStyle(feature, index) {
    var approximate = feature.properties.is_approximate;
    return {
      color: approximate ? APPROXIMATE_STROKE : OFFICIAL_STROKE,
      weight: 1.5,
      opacity: 0.9,
      dashArray: approximate ? "6 4" : null,
      fillColor: FILL_COLOURS[index % FILL_COLOURS.length],
      fillOpacity: 0.28,
      className: "area-boundary" + (approximate ? " is-approximate" : ""),
    };
  }

  function tooltipContent(properties) {
    var box = element("div", "area-tooltip-content");
    box.appendChild(element("strong", null, properties.name));
    box.appendChild(
      element(
        "span",
        null,
        interpolate(
          gettext("%(type)s · mã %(code)s"),
          { type: typeLabel(properties.type), code: properties.code },
          true
        )
      )
    );
    if (properties.is_approximate) {
      box.appendChild(element("em", null, gettext("Ranh giới gần đúng")));
    }
    return box;
  }

  function showAreaDetails(areaId, properties) {
    resultBox.replaceChildren();
    resultBox.appendChild(element("h3", "result-title", properties.name));
    var details = element("dl", "details");
    addDetail(details, gettext("Loại"), typeLabel(properties.type));
    addDetail(details, gettext("Mã"), properties.code);
    addDetail(
      details,
      gettext("Hiệu lực"),
      properties.valid_to
        ? interpolate(
            gettext("từ %(start)s đến %(end)s"),
            { start: formatDate(properties.valid_from), end: formatDate(properties.valid_to) },
            true
          )
        : interpolate(gettext("từ %(start)s"), { start: formatDate(properties.valid_from) }, true)
    );
    addDetail(
      details,
      gettext("Diện tích"),
      interpolate(gettext("%(area)s km²"), { area: properties.area_km2 }, true)
    );
    addDetail(
      details,
      gettext("Ranh giới"),
      properties.is_approximate ? gettext("Gần đúng") : gettext("Chính thức")
    );
    resultBox.appendChild(details);
    var pageParagraph = element("p");
    pageParagraph.appendChild(
      areaPageLink(areaId, gettext("Trang của địa bàn: phản ánh, theo dõi qua e-mail"))
    );
    resultBox.appendChild(pageParagraph);
    resultBox.appendChild(
      element(
        "p",
        "hint",
        gettext("Nhấp vào bản đồ hoặc tra cứu tại tâm bản đồ để xem Ủy ban nhân dân chịu trách nhiệm.")
      )
    );
  }

  function fillAreaList(layer) {
    areaList.replaceChildren();
    layer.eachLayer(function (areaLayer) {
      var properties = areaLayer.feature.properties;
      var item = element("li");
      var button = element("button", "link-button", properties.name + " (" + properties.code + ")");
      button.type = "button";
      button.addEventListener("click", function () {
        map.fitBounds(areaLayer.getBounds(), { padding: [24, 24] });
        highlight(areaLayer);
        showAreaDetails(areaLayer.feature.id, properties);
      });
      item.appendChild(button);
      areaList.appendChild(item);
    });
  }

  function highlight(areaLayer) {
    areasLayer.resetStyle();
    areaLayer.setStyle({ weight: 3, fillOpacity: 0.45 });
    areaLayer.bringToFront();
  }

  function drawAreas(collection) {
    // Colours follow the order of the collection, fixed once so that resetting a style after a
    // hover gives the area back its own colour.
    var colourIndex = new Map();
    (collection.features || []).forEach(function (feature, index) {
      colourIndex.set(feature, index);
    });
    areasLayer = L.geoJSON(collection, {
      style: function (feature) {
        return areaStyle(feature, colourIndex.get(feature));
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(tooltipContent(feature.properties), {
          sticky: true,
          direction: "top",
          className: "area-tooltip",
        });
        layer.on("mouseover", function () {
          layer.setStyle({ weight: 3, fillOpacity: 0.42 });
        });
        layer.on("mouseout", function () {
          areasLayer.resetStyle(layer);
        });
      },
    }).addTo(map);

    var features = collection.features || [];
    var approximateCount = features.filter(function (feature) {
      return feature.properties.is_approximate;
    }).length;
    var summary = interpolate(
      ngettext(
        "%(count)s đơn vị cấp xã trên bản đồ.",
        "%(count)s đơn vị cấp xã trên bản đồ.",
        features.length
      ),
      { count: features.length },
      true
    );
    if (approximateCount) {
      summary +=
        " " +
        interpolate(
          ngettext(
            "%(count)s đơn vị có ranh giới gần đúng.",
            "%(count)s đơn vị có ranh giới gần đúng.",
            approximateCount
          ),
          { count: approximateCount },
          true
        );
    }
    countBox.textContent = summary;
    fillAreaList(areasLayer);

    if (!features.length) {
      showStatus(
        statusBox,
        interpolate(
          gettext("Không có đơn vị cấp xã nào có hiệu lực vào ngày %(date)s."),
          { date: formatDate(day) },
          true
        ),
        false
      );
      return;
    }
    // No animation on the first view: the map is ready as soon as the status disappears.
    map.fitBounds(areasLayer.getBounds(), { padding: [16, 16], animate: false });
    showStatus(statusBox, "", false);
  }

  function loadAreas() {
    var query = new URLSearchParams({ date: day, level: "commune", simplify: "20" });
    getJson(container.dataset.areasUrl + "?" + query.toString(), {
      headers: { Accept: "application/geo+json, application/json" },
    })
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(answer.body.detail || answer.statusText);
        }
        return answer.body;
      })
      .then(drawAreas)
      .catch(function (error) {
        showStatus(
          statusBox,
          interpolate(gettext("Không tải được ranh giới: %(reason)s"), { reason: error.message }, true),
          true
        );
      });
  }

  function markPoint(latlng) {
    if (selectedPoint) {
      selectedPoint.setLatLng(latlng);
    } else {
      selectedPoint = L.circleMarker(latlng, {
        radius: 7,
        color: "#ffffff",
        weight: 2,
        fillColor: "#dc2626",
        fillOpacity: 1,
        interactive: false,
      }).addTo(map);
    }
  }

  function pointCaption(latlng) {
    return interpolate(
      gettext("Vĩ độ %(lat)s, kinh độ %(lon)s · ngày %(date)s"),
      { lat: formatCoordinate(latlng.lat), lon: formatCoordinate(latlng.lng), date: formatDate(day) },
      true
    );
  }

  function openPopup(content, latlng) {
    // The hover tooltip would sit under the popup and repeat it.
    if (areasLayer) {
      areasLayer.eachLayer(function (areaLayer) {
        areaLayer.closeTooltip();
      });
    }
    map.openPopup(content, latlng, { autoPanPadding: [24, 24] });
  }

  function showRouting(latlng, routing) {
    resultBox.replaceChildren();
    resultBox.appendChild(element("p", "point-caption", pointCaption(latlng)));

    resultBox.appendChild(element("h3", "result-title", gettext("Đơn vị hành chính")));
    var chain = element("ol", "area-chain");
    routing.areas.forEach(function (area) {
      var item = element("li");
      item.appendChild(element("span", "level-badge level-" + area.level, levelLabel(area.level)));
      var name = element("strong", "area-name");
      name.appendChild(areaPageLink(area.id, area.name));
      item.appendChild(name);
      item.appendChild(
        element(
          "span",
          "area-meta",
          interpolate(
            gettext("%(type)s · mã %(code)s"),
            { type: typeLabel(area.type), code: area.code },
            true
          )
        )
      );
      chain.appendChild(item);
    });
    resultBox.appendChild(chain);

    var agency = routing.agency;
    resultBox.appendChild(element("h3", "result-title", gettext("Cơ quan chịu trách nhiệm")));
    var card = element("div", "agency-card");
    card.appendChild(element("strong", "agency-name", agencyName(agency)));
    var details = element("dl", "details");
    addDetail(details, gettext("Loại"), labels.agency_kind[agency.kind] || agency.kind);
    var phoneTerm = element("dt", null, gettext("Điện thoại"));
    var phoneValue = element("dd");
    if (agency.phone) {
      var phoneLink = element("a", null, agency.phone);
      phoneLink.href = "tel:" + agency.phone.replace(/[^0-9+]/g, "");
      phoneValue.appendChild(phoneLink);
    } else {
      phoneValue.textContent = gettext("Chưa có");
    }
    details.appendChild(phoneTerm);
    details.appendChild(phoneValue);
    addDetail(details, gettext("Địa chỉ"), agency.address || gettext("Chưa có"));
    card.appendChild(details);
    resultBox.appendChild(card);

    var popup = element("div", "lookup-popup");
    popup.appendChild(element("strong", null, routing.areas[0].name));
    popup.appendChild(element("span", null, agencyName(agency)));
    openPopup(popup, latlng);
  }

  function showLookupProblem(latlng, message, isOutside) {
    resultBox.replaceChildren();
    resultBox.appendChild(element("p", "point-caption", pointCaption(latlng)));
    var notice = element("p", isOutside ? "notice notice-outside" : "notice notice-error", message);
    notice.setAttribute("role", isOutside ? "status" : "alert");
    resultBox.appendChild(notice);
    var popup = element(
      "div",
      "lookup-popup",
      isOutside ? gettext("Ngoài địa bàn phục vụ") : gettext("Không tra cứu được")
    );
    openPopup(popup, latlng);
  }

  function lookUp(latlng) {
    var number = ++lookupNumber;
    markPoint(latlng);
    resultBox.replaceChildren(element("p", "hint", gettext("Đang tra cứu…")));
    var query = new URLSearchParams({
      lat: latlng.lat.toFixed(6),
      lon: latlng.lng.toFixed(6),
      date: day,
    });
    getJson(container.dataset.routingUrl + "?" + query.toString())
      .then(function (answer) {
        if (number !== lookupNumber) {
          return;
        }
        if (answer.ok) {
          showRouting(latlng, answer.body);
        } else {
          showLookupProblem(
            latlng,
            answer.body.detail || answer.statusText,
            answer.body.code === "outside_territory"
          );
        }
      })
      .catch(function (error) {
        if (number === lookupNumber) {
          showLookupProblem(
            latlng,
            interpolate(gettext("Không tra cứu được: %(reason)s"), { reason: error.message }, true),
            false
          );
        }
      });
  }

  // Keyboard users pan the map and look up its centre: say which point that is.
  function showCentre() {
    var centre = map.getCenter();
    centreCaption.textContent = interpolate(
      gettext("Tâm bản đồ: vĩ độ %(lat)s, kinh độ %(lon)s"),
      { lat: formatCoordinate(centre.lat), lon: formatCoordinate(centre.lng) },
      true
    );
  }

  map.on("moveend", showCentre);
  showCentre();
  map.on("click", function (event) {
    lookUp(event.latlng);
  });
  centreButton.addEventListener("click", function () {
    lookUp(map.getCenter());
  });

  loadAreas();
})();
