/*
 * What every page script needs, written once: building elements, the status line over a map,
 * dates in the Vietnamese order, JSON requests, and a Leaflet map set up the way every map page
 * has it (the app's zoom buttons and scale, no link out of the app, background tiles only when
 * the page's map container names a tile URL).
 *
 * An ES module: a page loads its own script with <script type="module"> and that script imports
 * what it uses from here, so the page names one script and no code is inline (the pages must keep
 * working under a Content-Security-Policy without 'unsafe-inline'). Leaflet (`L`) and Django's
 * JavaScript catalogue (`gettext`) are classic scripts loaded before it by templates/map_base.html;
 * modules run after the document is parsed, so both are there when a page script starts.
 *
 * Every value is written with textContent, never as HTML.
 */

// The former city area of Quảng Ngãi: where a map opens before its boundaries arrive.
const TERRITORY_CENTRE = [15.12, 108.8];
const TERRITORY_ZOOM = 11;

// The placeholder that the pages' URL templates carry where a tracking code goes.
const CODE_PLACEHOLDER = "MA-PHAN-ANH";

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}

// The status line over a map (#map-status): hidden when there is nothing to say.
export function showStatus(statusBox, text, isError) {
  statusBox.textContent = text || "";
  statusBox.hidden = !text;
  statusBox.classList.toggle("is-error", Boolean(isError));
}

// One term and its value in a <dl>; an empty value shows as a dash rather than as nothing.
export function addDetail(list, term, value) {
  list.appendChild(element("dt", null, term));
  list.appendChild(element("dd", null, value || "—"));
}

// "2025-07-01T08:30:00+07:00" → "08:30 01/07/2025", the Vietnamese order in both languages.
export function formatMoment(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text || "");
  if (!match) {
    return text || "";
  }
  return match[4] + ":" + match[5] + " " + match[3] + "/" + match[2] + "/" + match[1];
}

// "2025-07-01" → "01/07/2025".
export function formatDate(isoDate) {
  if (!isoDate) {
    return "";
  }
  const parts = isoDate.split("-");
  return parts[2] + "/" + parts[1] + "/" + parts[0];
}

export function pageLanguage() {
  return document.documentElement.lang || "vi";
}

// Agencies carry an English name only where one was entered; the Vietnamese one always.
export function agencyName(agency) {
  return pageLanguage() === "en" && agency.name_en ? agency.name_en : agency.name;
}

// A URL the server rendered with {% url … 'MA-PHAN-ANH' %}, for one report's code.
export function urlForCode(urlTemplate, code) {
  return urlTemplate.replace(CODE_PLACEHOLDER, encodeURIComponent(code));
}

// A request whose answer is JSON whatever its status (the API explains its refusals in the
// body): resolves to {ok, status, body}; rejects only when the network or the JSON fails.
export function getJson(url, init) {
  const options = Object.assign({ headers: { Accept: "application/json" } }, init || {});
  return fetch(url, options).then(function (response) {
    return response.json().then(function (body) {
      return { ok: response.ok, status: response.status, statusText: response.statusText, body: body };
    });
  });
}

// The communes valid on a day, as GeoJSON from the areas API; an empty collection when they
// cannot be had, since outlines only give the pins a place and a page works without them.
export function loadCommuneOutlines(areasUrl, day, simplifyMetres) {
  const query = new URLSearchParams({ date: day, level: "commune", simplify: String(simplifyMetres) });
  return fetch(areasUrl + "?" + query.toString(), {
    headers: { Accept: "application/geo+json, application/json" },
  })
    .then(function (response) {
      return response.ok ? response.json() : { features: [] };
    })
    .catch(function () {
      return { features: [] };
    });
}

// The look of the commune outlines under a map's pins.
export const OUTLINE_STYLE = {
  color: "#1e3a8a",
  weight: 1,
  opacity: 0.6,
  fillColor: "#93c5fd",
  fillOpacity: 0.14,
  className: "area-outline",
};

/*
 * A Leaflet map in `container`, as every map page has it. Options:
 * - `map`: Leaflet map options, added to the shared ones (no default zoom buttons, keyboard on);
 * - `zoomTitles`: {zoomIn, zoomOut}, the buttons' titles; by default from the JavaScript
 *   catalogue (staff pages, which do not load it, pass the texts of their data attributes);
 * - `scale`: false to leave out the scale bar;
 * - `view`: [centre, zoom] to open at; by default the former city area. The view is set before
 *   any layer is added, since Leaflet's renderer needs one to place vectors.
 * The background tiles come from the container's data-tile-url and data-tile-attribution
 * (templates/map_base.html says how a page sets them); with no URL the map shows its layers alone.
 */
export function createMap(container, options) {
  const settings = options || {};
  const map = L.map(container, Object.assign({ zoomControl: false, keyboard: true }, settings.map || {}));
  const titles = settings.zoomTitles || { zoomIn: gettext("Phóng to"), zoomOut: gettext("Thu nhỏ") };
  L.control.zoom({ zoomInTitle: titles.zoomIn, zoomOutTitle: titles.zoomOut }).addTo(map);
  if (settings.scale !== false) {
    L.control.scale({ imperial: false }).addTo(map);
  }
  // Leaflet's default prefix links to its website; credit it without a link out of the app.
  map.attributionControl.setPrefix("Leaflet");
  if (container.dataset.tileUrl) {
    L.tileLayer(container.dataset.tileUrl, {
      attribution: container.dataset.tileAttribution,
      maxZoom: 19,
    }).addTo(map);
  }
  const view = settings.view || [TERRITORY_CENTRE, TERRITORY_ZOOM];
  map.setView(view[0], view[1]);
  return map;
}
