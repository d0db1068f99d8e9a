"""The JSON documents of OGC API – Features that describe the service: landing page,
conformance, collections and the OpenAPI 3.0 definition (Part 1 Core, GeoJSON, OAS 3.0; Part 2
CRS by reference). URLs are absolute, built from the request by the views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from opendata.selectors import CRS84, SUPPORTED_CRS, Collection, collection_extent

CONFORMANCE_CLASSES = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"

Absolute = Callable[[str], str]  # a path under /ogc/ → its absolute URL


def landing_page(absolute: Absolute) -> dict[str, Any]:
    return {
        "title": _("Dữ liệu mở Quảng Ngãi – OGC API Features"),
        "description": _(
            "Các lớp dữ liệu công khai (phản ánh của người dân, ranh giới xã, phường) theo "
            "chuẩn OGC API – Features; không có thông tin cá nhân."
        ),
        "links": [
            _link(absolute(""), "self", JSON, _("Trang này")),
            _link(absolute("api"), "service-desc", OPENAPI, _("Mô tả API (OpenAPI 3.0)")),
            _link(absolute("conformance"), "conformance", JSON, _("Các lớp tuân thủ")),
            _link(
                absolute("conformance"),
                "http://www.opengis.net/def/rel/ogc/1.0/conformance",
                JSON,
                _("Các lớp tuân thủ"),
            ),
            _link(absolute("collections"), "data", JSON, _("Các lớp dữ liệu")),
            _link(
                absolute("collections"),
                "http://www.opengis.net/def/rel/ogc/1.0/data",
                JSON,
                _("Các lớp dữ liệu"),
            ),
        ],
    }


def conformance() -> dict[str, Any]:
    return {"conformsTo": CONFORMANCE_CLASSES}


def collections_document(collections: list[Collection], absolute: Absolute) -> dict[str, Any]:
    return {
        "links": [_link(absolute("collections"), "self", JSON, _("Các lớp dữ liệu"))],
        "collections": [collection_document(item, absolute) for item in collections],
        # Part 2: the CRS every collection offers, listed once (each collection refers to it).
        "crs": list(SUPPORTED_CRS),
    }


def collection_document(collection: Collection, absolute: Absolute) -> dict[str, Any]:
    base = f"collections/{collection.identifier}"
    extent = collection_extent(collection)
    document: dict[str, Any] = {
        "id": collection.identifier,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": "feature",
        "links": [
            _link(absolute(base), "self", JSON, str(collection.title)),
            _link(absolute(f"{base}/items"), "items", GEOJSON, _("Các đối tượng")),
        ],
        "crs": list(SUPPORTED_CRS),
        "storageCrs": CRS84,
        "extent": {
            "temporal": {
                "interval": [[extent.start, None]],
                "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }
        },
    }
    if extent.box is not None:
        document["extent"]["spatial"] = {"bbox": [list(extent.box)], "crs": CRS84}
    return document


def _link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media_type, "title": str(title)}


def exception(code: str, description: str) -> dict[str, str]:
    """OGC API's exception (the `exception` schema of Part 1's OpenAPI components)."""
    return {"code": code, "description": description}


def openapi_document(collections: list[Collection], absolute: Absolute) -> dict[str, Any]:
    """The OpenAPI 3.0 definition. GDAL's OAPIF driver reads the `limit` parameter's maximum
    here to choose its page size."""
    json_content = {JSON: {"schema": {"type": "object"}}}
    geojson_content = {GEOJSON: {"schema": {"type": "object"}}}
    error = {
        "description": _("Lỗi"),
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
    }
    collection_parameter = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": [item.identifier for item in collections]},
    }
    crs_parameter = {
        "name": "crs",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "uri", "enum": list(SUPPORTED_CRS)},
    }
    filter_names = sorted({name for item in collections for name in item.filters})
    items_parameters: list[dict[str, Any]] = [
        collection_parameter,
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.OGC_ITEMS_MAX_LIMIT,
                "default": settings.OGC_ITEMS_DEFAULT_LIMIT,
            },
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        {
            "name": "bbox",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "schema": {
                "type": "array",
                "minItems": 4,
                "maxItems": 4,
                "items": {"type": "number"},
            },
        },
        {**crs_parameter, "name": "bbox-crs"},
        crs_parameter,
        {"name": "datetime", "in": "query", "required": False, "schema": {"type": "string"}},
        *(
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in filter_names
        ),
    ]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": _("Dữ liệu mở Quảng Ngãi – OGC API Features"),
            "version": "1.0.0",
            "license": {
                "name": settings.OPEN_DATA_LICENCE_NAME,
                "url": settings.OPEN_DATA_LICENCE_URL,
            },
        },
        "servers": [{"url": absolute("").rstrip("/")}],
        "paths": {
            "/": {"get": _operation("getLandingPage", json_content, error)},
            "/conformance": {"get": _operation("getConformanceDeclaration", json_content, error)},
            "/collections": {"get": _operation("getCollections", json_content, error)},
            "/collections/{collectionId}": {
                "get": {
                    **_operation("describeCollection", json_content, error),
                    "parameters": [collection_parameter],
                }
            },
            "/collections/{collectionId}/items": {
                "get": {
                    **_operation("getFeatures", geojson_content, error),
                    "parameters": items_parameters,
                }
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {
                    **_operation("getFeature", geojson_content, error),
                    "parameters": [
                        collection_parameter,
                        {
                            "name": "featureId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        crs_parameter,
                    ],
                }
            },
        },
        "components": {
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "string"},
                        "description": {"type": "string"},
                    },
                }
            }
        },
    }


def _operation(operation_id: str, content: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "responses": {
            "200": {"description": "OK", "content": content},
            "400": error,
            "404": error,
        },
    }
