/*
 * The public reports' vector tiles (/tiles/phan-anh/{z}/{x}/{y}.mvt, built by PostGIS's
 * ST_AsMVT) drawn on a Leaflet grid layer, for the public map when the reports are many: each
 * tile is one request whose answer the server caches, instead of a grouped GeoJSON per view.
 *
 * A Mapbox Vector Tile is a small protocol buffer (Vector Tile Specification 2.1): layers of
 * features whose geometry is a list of commands in tile coordinates (0..extent) and whose
 * properties are indexes into the layer's keys and values. These tiles hold points only (a
 * grid cell with its `report_count`, or one report from zoom 16), so only what points need is
 * decoded; no library is loaded from outside the app.
 */

function Reader(buffer) {
  this.bytes = new Uint8Array(buffer);
  this.position = 0;
}

Reader.prototype.varint = function () {
  var result = 0;
  var shift = 1;
  var byte;
  do {
    byte = this.bytes[this.position++];
    result += (byte & 0x7f) * shift;
    shift *= 128;
  } while (byte >= 0x80);
  return result;
};

Reader.prototype.slice = function () {
  var length = this.varint();
  var start = this.position;
  this.position += length;
  return this.bytes.subarray(start, start + length);
};

Reader.prototype.skip = function (wireType) {
  if (wireType === 0) {
    this.varint();
  } else if (wireType === 1) {
    this.position += 8;
  } else if (wireType === 2) {
    this.slice();
  } else if (wireType === 5) {
    this.position += 4;
  } else {
    throw new Error("unsupported wire type " + wireType);
  }
};

// Calls visit(field, wireType, reader) for each field of the message in `bytes`.
function fields(bytes, visit) {
  var reader = new Reader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  while (reader.position < reader.bytes.length) {
    var key = reader.varint();
    visit(key >> 3, key & 7, reader);
  }
}

var textDecoder = typeof TextDecoder !== "undefined" ? new TextDecoder("utf-8") : null;

function decodeValue(bytes) {
  var value = null;
  fields(bytes, function (field, wireType, reader) {
    if (field === 1) {
      value = textDecoder.decode(reader.slice());
    } else if (field === 2 || field === 3) {
      var view = new DataView(reader.bytes.buffer, reader.position, field === 2 ? 4 : 8);
      value = field === 2 ? view.getFloat32(0, true) : view.getFloat64(0, true);
      reader.position += field === 2 ? 4 : 8;
    } else if (field === 4 || field === 5) {
      value = reader.varint();
    } else if (field === 6) {
      var zigzag = reader.varint();
      value = zigzag % 2 ? -(zigzag + 1) / 2 : zigzag / 2;
    } else if (field === 7) {
      value = reader.varint() === 1;
    } else {
      reader.skip(wireType);
    }
  });
  return value;
}

function packed(bytes) {
  var reader = new Reader(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  var numbers = [];
  while (reader.position < reader.bytes.length) {
    numbers.push(reader.varint());
  }
  return numbers;
}

// The points of a geometry: MoveTo commands (id 1) with zigzag-encoded deltas.
function points(commands) {
  var result = [];
  var x = 0;
  var y = 0;
  var index = 0;
  while (index < commands.length) {
    var command = commands[index] & 7;
    var count = commands[index] >> 3;
    index += 1;
    if (command === 7) {
      continue; // ClosePath: no parameters
    }
    for (var n = 0; n < count; n++) {
      var dx = commands[index++];
      var dy = commands[index++];
      x += dx % 2 ? -(dx + 1) / 2 : dx / 2;
      y += dy % 2 ? -(dy + 1) / 2 : dy / 2;
      result.push({ x: x, y: y });
    }
  }
  return result;
}

/* The tile's layers by name: {extent, features: [{properties, points: [{x, y}]}]}. */
export function decodeTile(buffer) {
  var layers = {};
  fields(new Uint8Array(buffer), function (field, wireType, reader) {
    if (field !== 3) {
      reader.skip(wireType);
      return;
    }
    var layer = { name: "", extent: 4096, keys: [], values: [], raw: [], features: [] };
    fields(reader.slice(), function (layerField, layerWire, layerReader) {
      if (layerField === 1) {
        layer.name = textDecoder.decode(layerReader.slice());
      } else if (layerField === 2) {
        layer.raw.push(layerReader.slice());
      } else if (layerField === 3) {
        layer.keys.push(textDecoder.decode(layerReader.slice()));
      } else if (layerField === 4) {
        layer.values.push(decodeValue(layerReader.slice()));
      } else if (layerField === 5) {
        layer.extent = layerReader.varint();
      } else {
        layerReader.skip(layerWire);
      }
    });
    layer.raw.forEach(function (bytes) {
      var feature = { properties: {}, points: [] };
      fields(bytes, function (featureField, featureWire, featureReader) {
        if (featureField === 2) {
          var tags = packed(featureReader.slice());
          for (var i = 0; i + 1 < tags.length; i += 2) {
            feature.properties[layer.keys[tags[i]]] = layer.values[tags[i + 1]];
          }
        } else if (featureField === 4) {
          feature.points = points(packed(featureReader.slice()));
        } else {
          featureReader.skip(featureWire);
        }
      });
      layer.features.push(feature);
    });
    delete layer.raw;
    layers[layer.name] = layer;
  });
  return layers;
}

/*
 * A grid layer drawing the report tiles: a circle per grid cell sized by its count, with the
 * count written inside; a small dot per report. `onTile(count)` is told how many reports each
 * drawn tile holds (the page shows their sum).
 */
export function reportTileLayer(urlTemplate, options) {
  var settings = options || {};
  var Layer = L.GridLayer.extend({
    createTile: function (coords, done) {
      var tile = document.createElement("canvas");
      var size = this.getTileSize();
      tile.width = size.x;
      tile.height = size.y;
      var url = urlTemplate.replace("{z}", coords.z).replace("{x}", coords.x).replace("{y}", coords.y);
      fetch(url, { headers: { Accept: "application/vnd.mapbox-vector-tile" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.statusText);
          }
          return response.arrayBuffer();
        })
        .then(function (buffer) {
          var layer = buffer.byteLength ? decodeTile(buffer)["phan-anh"] : null;
          var total = 0;
          var context = tile.getContext("2d");
          (layer ? layer.features : []).forEach(function (feature) {
            var count = feature.properties.report_count || 1;
            total += count;
            feature.points.forEach(function (point) {
              var x = (point.x / layer.extent) * size.x;
              var y = (point.y / layer.extent) * size.y;
              var radius = feature.properties.report_count ? Math.min(6 + 3 * Math.log10(count + 1) * 3, 22) : 4;
              context.beginPath();
              context.arc(x, y, radius, 0, 2 * Math.PI);
              context.fillStyle = "rgba(37, 99, 235, 0.75)";
              context.fill();
              context.lineWidth = 1.5;
              context.strokeStyle = "#ffffff";
              context.stroke();
              if (feature.properties.report_count) {
                context.fillStyle = "#ffffff";
                context.font = "bold 11px sans-serif";
                context.textAlign = "center";
                context.textBaseline = "middle";
                context.fillText(String(count), x, y);
              }
            });
          });
          tile.dataset.reports = String(total);
          if (settings.onTile) {
            settings.onTile(coords, total);
          }
          done(null, tile);
        })
        .catch(function (error) {
          done(error, tile);
        });
      return tile;
    },
  });
  return new Layer({ className: "report-tiles", maxNativeZoom: 20, pane: settings.pane || "overlayPane" });
}
