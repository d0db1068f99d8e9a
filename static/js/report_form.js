/*
 * "Gửi phản ánh": the map and the hints on top of a form that also works without JavaScript.
 *
 * A tap or click drops a draggable pin (or "use my location", or "pin at the centre" from the
 * keyboard) and fills the latitude and longitude fields; as soon as the pin lands, the routing
 * API says which area and unit will handle the report (again when the category changes), or that
 * the point is outside the territory, and the duplicates API lists similar open reports nearby,
 * each with a button to support it instead. A chosen photo is sent to the photo-metadata
 * endpoint, which reads its EXIF position without storing it, and the page offers to move the pin
 * there. Only the chosen category's extra questions are shown and submitted.
 *
 * Every user-facing string goes through Django's JavaScript catalogue (gettext), and every value
 * from the server or the user is written with textContent, never as HTML.
 */
import {
  OUTLINE_STYLE,
  addDetail,
  agencyName,
  createMap,
  element,
  getJson,
  loadCommuneOutlines,
  showStatus,
  urlForCode,
} from "./page_helpers.js";

(function () {
  var container = document.getElementById("report-map");
  var form = document.getElementById("report-form");
  if (!container || !form || typeof L === "undefined") {
    return;
  }

  var PIN_ZOOM = 15;

  var labels = JSON.parse(document.getElementById("report-labels").textContent);
  var categoryDetails = JSON.parse(document.getElementById("category-details").textContent);
  var statusBox = document.getElementById("map-status");
  var routingBox = document.getElementById("routing-result");
  var latitudeInput = form.elements.lat;
  var longitudeInput = form.elements.lon;
  var categorySelect = form.elements.category;
  var categoryDescription = document.getElementById("category-description");
  var descriptionInput = form.elements.description;
  var descriptionCounter = document.getElementById("description-counter");
  var photoInput = form.elements.photos;
  var photoPreviews = document.getElementById("photo-previews");
  var photoOffer = document.getElementById("photo-offer");
  var anonymousBox = form.elements.anonymous;
  var contactFields = document.getElementById("contact-fields");
  var nearbySection = document.getElementById("section-nearby");
  var nearbyList = document.getElementById("nearby-list");
  var myLocationButton = document.getElementById("use-my-location");
  var centreButton = document.getElementById("pin-at-centre");
  var submitButton = document.getElementById("submit-report");
  var csrfToken = form.elements.csrfmiddlewaretoken.value;
  var photosMax = parseInt(container.dataset.photosMax, 10) || 5;

  var map = createMap(container, { map: { minZoom: 6, maxZoom: 19 } });

  var pin = null;
  var lookupNumber = 0;
  var nearbyNumber = 0;

  function coordinate(value) {
    return value.toFixed(6);
  }

  function trackingUrl(code) {
    return urlForCode(container.dataset.trackingUrl, code);
  }

  // The pin ---------------------------------------------------------------------------------

  var pinIcon = L.divIcon({
    html: '<span class="report-pin-head"></span>',
    className: "report-pin",
    iconSize: [30, 40],
    iconAnchor: [15, 34],
  });

  function placePin(latlng, options) {
    options = options || {};
    if (pin) {
      pin.setLatLng(latlng);
    } else {
      pin = L.marker(latlng, {
        icon: pinIcon,
        draggable: true,
        keyboard: true,
        title: gettext("Vị trí phản ánh (kéo để chỉnh)"),
        alt: gettext("Vị trí phản ánh"),
      }).addTo(map);
      pin.on("dragend", function () {
        pinMoved(pin.getLatLng());
      });
    }
    if (options.zoom) {
      map.setView(latlng, Math.max(map.getZoom(), PIN_ZOOM));
    }
    pinMoved(latlng);
  }

  function pinMoved(latlng) {
    latitudeInput.value = coordinate(latlng.lat);
    longitudeInput.value = coordinate(latlng.lng);
    container.dataset.pinned = "true";
    lookUpRouting();
    lookUpNearby();
  }

  function pinnedPoint() {
    var lat = parseFloat(latitudeInput.value);
    var lon = parseFloat(longitudeInput.value);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return null;
    }
    return L.latLng(lat, lon);
  }

  // Where the report goes -------------------------------------------------------------------

  function showRouting(routing) {
    routingBox.replaceChildren();
    var card = element("div", "routing-card");
    card.appendChild(element("strong", "routing-title", gettext("Phản ánh sẽ được chuyển đến")));
    var details = element("dl", "details");
    addDetail(details, gettext("Địa bàn"), routing.areas[0].name);
    addDetail(details, gettext("Đơn vị xử lý"), agencyName(routing.agency));
    card.appendChild(details);
    routingBox.appendChild(card);
  }

  function showRoutingProblem(message, isOutside) {
    routingBox.replaceChildren();
    var notice = element("p", isOutside ? "notice notice-outside" : "notice notice-error", message);
    notice.setAttribute("role", "alert");
    routingBox.appendChild(notice);
  }

  function lookUpRouting() {
    var point = pinnedPoint();
    if (!point) {
      return;
    }
    var number = ++lookupNumber;
    routingBox.replaceChildren(element("p", "hint", gettext("Đang xác định đơn vị xử lý…")));
    var query = new URLSearchParams({
      lat: coordinate(point.lat),
      lon: coordinate(point.lng),
      date: container.dataset.date,
      category: categorySelect.value || "",
    });
    getJson(container.dataset.routingUrl + "?" + query.toString())
      .then(function (answer) {
        if (number !== lookupNumber) {
          return;
        }
        if (answer.ok) {
          showRouting(answer.body);
        } else if (answer.body.code === "outside_territory") {
          showRoutingProblem(
            gettext("Vị trí này nằm ngoài địa bàn phục vụ. Hãy chọn một điểm trong tỉnh Quảng Ngãi."),
            true
          );
        } else {
          showRoutingProblem(answer.body.detail || String(answer.status), false);
        }
      })
      .catch(function (error) {
        if (number === lookupNumber) {
          showRoutingProblem(
            interpolate(gettext("Không xác định được đơn vị xử lý: %(reason)s"), { reason: error.message }, true),
            false
          );
        }
      });
  }

  // Similar reports nearby ------------------------------------------------------------------

  function supportForm(code) {
    var supportForm = element("form");
    supportForm.method = "post";
    supportForm.action = urlForCode(container.dataset.supportUrl, code);
    supportForm.hidden = true;
    supportForm.id = "support-" + code;
    var token = element("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrfToken;
    supportForm.appendChild(token);
    document.body.appendChild(supportForm);
    return supportForm;
  }

  function showNearby(results) {
    nearbyList.replaceChildren();
    nearbySection.hidden = results.length === 0;
    results.forEach(function (result) {
      var item = element("li", "nearby-item");
      var head = element("div", "nearby-head");
      var link = element("a", "tracking-link", result.tracking_code);
      link.href = trackingUrl(result.tracking_code);
      head.appendChild(link);
      head.appendChild(
        element("span", "status-badge status-" + result.status, labels.statuses[result.status] || result.status)
      );
      head.appendChild(
        element(
          "span",
          "nearby-distance",
          interpolate(gettext("cách %(metres)s m"), { metres: Math.round(result.distance_metres) }, true)
        )
      );
      item.appendChild(head);
      if (result.description) {
        var text = result.description.length > 160 ? result.description.slice(0, 159) + "…" : result.description;
        item.appendChild(element("p", "nearby-text", text));
      }
      var button = element("button", "button", gettext("Ủng hộ phản ánh này"));
      button.type = "submit";
      button.setAttribute("form", supportForm(result.tracking_code).id);
      item.appendChild(button);
      nearbyList.appendChild(item);
    });
  }

  function lookUpNearby() {
    var point = pinnedPoint();
    var category = categorySelect.value;
    var number = ++nearbyNumber;
    if (!point || !category) {
      showNearby([]);
      return;
    }
    var query = new URLSearchParams({
      lat: coordinate(point.lat),
      lon: coordinate(point.lng),
      category: category,
    });
    getJson(container.dataset.duplicatesUrl + "?" + query.toString())
      .then(function (answer) {
        if (number === nearbyNumber && answer.ok) {
          showNearby(answer.body.results || []);
        }
      })
      .catch(function () {
        // Suggestions are a help, not a condition: without them the form still works.
      });
  }

  // The category and its questions ----------------------------------------------------------

  function showCategoryQuestions() {
    var chosen = categorySelect.value;
    document.querySelectorAll(".attribute-group").forEach(function (group) {
      var active = group.dataset.category === chosen;
      group.hidden = !active;
      // A disabled fieldset is neither validated nor submitted: only the chosen category's
      // answers leave the browser.
      group.disabled = !active;
      group.querySelectorAll("[data-required=true]").forEach(function (field) {
        field.querySelectorAll("input:not([type=checkbox]), select, textarea").forEach(function (control) {
          control.required = active;
          control.setAttribute("aria-required", active ? "true" : "false");
        });
      });
    });
    var details = categoryDetails.filter(function (detail) {
      return detail.code === chosen;
    })[0];
    categoryDescription.textContent = details ? details.description : "";
  }

  // Photos ------------------------------------------------------------------------------------

  function showPhotoOffer(file, metadata) {
    var latlng = L.latLng(metadata.lat, metadata.lon);
    photoOffer.replaceChildren();
    var box = element("div", "notice notice-info offer-box");
    box.appendChild(
      element(
        "p",
        null,
        interpolate(
          gettext("Ảnh “%(name)s” được chụp tại vĩ độ %(lat)s, kinh độ %(lon)s. Chuyển ghim đến vị trí chụp?"),
          { name: file.name, lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5) },
          true
        )
      )
    );
    var actions = element("div", "button-row");
    var accept = element("button", "button button-primary", gettext("Chuyển ghim đến vị trí chụp"));
    accept.type = "button";
    accept.addEventListener("click", function () {
      placePin(latlng, { zoom: true });
      photoOffer.replaceChildren(element("p", "hint", gettext("Đã chuyển ghim đến vị trí chụp ảnh.")));
    });
    var decline = element("button", "button", gettext("Giữ vị trí hiện tại"));
    decline.type = "button";
    decline.addEventListener("click", function () {
      photoOffer.replaceChildren();
    });
    actions.appendChild(accept);
    actions.appendChild(decline);
    box.appendChild(actions);
    photoOffer.appendChild(box);
  }

  function readPhotoPosition(file, caption) {
    var data = new FormData();
    data.append("photo", file);
    getJson(container.dataset.photoMetadataUrl, { method: "POST", body: data })
      .then(function (answer) {
        if (!answer.ok) {
          caption.textContent = answer.body.detail || gettext("Không đọc được ảnh.");
          caption.classList.add("field-error");
          return;
        }
        if (answer.body.lat !== null && answer.body.lon !== null) {
          caption.textContent = gettext("Có vị trí chụp");
          showPhotoOffer(file, answer.body);
        } else {
          caption.textContent = gettext("Không có vị trí chụp");
        }
      })
      .catch(function () {
        caption.textContent = "";
      });
  }

  function photosChosen() {
    photoPreviews.replaceChildren();
    photoOffer.replaceChildren();
    var files = Array.prototype.slice.call(photoInput.files || []);
    if (files.length > photosMax) {
      photoInput.setCustomValidity(
        interpolate(gettext("Gửi tối đa %(limit)s ảnh cho một phản ánh."), { limit: photosMax }, true)
      );
      photoInput.reportValidity();
      return;
    }
    photoInput.setCustomValidity("");
    files.forEach(function (file) {
      var item = element("li", "photo-preview");
      var image = element("img");
      image.alt = file.name;
      image.src = URL.createObjectURL(file);
      image.addEventListener("load", function () {
        URL.revokeObjectURL(image.src);
      });
      item.appendChild(image);
      var caption = element("span", "photo-caption", gettext("Đang đọc vị trí chụp…"));
      item.appendChild(caption);
      photoPreviews.appendChild(item);
      readPhotoPosition(file, caption);
    });
  }

  // Contact -----------------------------------------------------------------------------------

  function showContact() {
    var anonymous = anonymousBox.checked;
    contactFields.hidden = anonymous;
    contactFields.querySelectorAll("input").forEach(function (control) {
      control.disabled = anonymous;
    });
  }

  function countDescription() {
    var limit = descriptionInput.maxLength > 0 ? descriptionInput.maxLength : 4000;
    descriptionCounter.textContent = interpolate(
      gettext("%(used)s / %(limit)s ký tự"),
      { used: descriptionInput.value.length, limit: limit },
      true
    );
  }

  // The outlines of the communes: where one may report, on any background or none.
  function drawBoundaries() {
    return loadCommuneOutlines(container.dataset.areasUrl, container.dataset.date, 20)
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          interactive: false,
          style: function () {
            return OUTLINE_STYLE;
          },
        }).addTo(map);
        if (layer.getLayers().length && !pinnedPoint()) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        }
      })
      .catch(function () {
        return null;
      });
  }

  // Wiring ----------------------------------------------------------------------------------

  map.on("click", function (event) {
    placePin(event.latlng);
  });

  centreButton.hidden = false;
  centreButton.addEventListener("click", function () {
    placePin(map.getCenter());
  });

  if (navigator.geolocation) {
    myLocationButton.hidden = false;
    myLocationButton.addEventListener("click", function () {
      showStatus(statusBox, gettext("Đang xác định vị trí của bạn…"), false);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          showStatus(statusBox, "", false);
          placePin(L.latLng(position.coords.latitude, position.coords.longitude), { zoom: true });
        },
        function (error) {
          showStatus(
            statusBox,
            error.code === 1
              ? gettext("Bạn chưa cho phép trình duyệt chia sẻ vị trí. Hãy chạm vào bản đồ để chọn vị trí.")
              : gettext("Không xác định được vị trí của bạn. Hãy chạm vào bản đồ để chọn vị trí."),
            true
          );
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function coordinatesTyped() {
    var point = pinnedPoint();
    if (point) {
      placePin(point, { zoom: true });
    }
  }
  latitudeInput.addEventListener("change", coordinatesTyped);
  longitudeInput.addEventListener("change", coordinatesTyped);

  categorySelect.addEventListener("change", function () {
    showCategoryQuestions();
    lookUpRouting();
    lookUpNearby();
  });
  descriptionInput.addEventListener("input", countDescription);
  photoInput.addEventListener("change", photosChosen);
  anonymousBox.addEventListener("change", showContact);
  form.addEventListener("submit", function () {
    // One report per press: a second press while the first is on its way would only be
    // answered with the same report (the idempotency key), but it confuses.
    window.setTimeout(function () {
      submitButton.disabled = true;
    }, 0);
  });

  showCategoryQuestions();
  showContact();
  countDescription();
  var initial = pinnedPoint();
  drawBoundaries().then(function () {
    if (initial) {
      placePin(initial, { zoom: true });
    }
  });
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
