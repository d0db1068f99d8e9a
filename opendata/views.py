"""OGC API – Features at /ogc/ (docs/open_data.md): read the parameters, call one selector,
answer JSON. Errors are OGC's JSON exception in the user's language (400 for a bad parameter,
404 for an unknown collection or feature)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from geoapp.error_responses import Message
from geoapp.exceptions import DomainError, ErrorKind
from opendata import ogc_documents
from opendata.ogc_parameters import item_crs, items_query
from opendata.selectors import COLLECTIONS, CRS84, collection_get, item_get, items_page

View = Callable[..., HttpResponse]


def _json(
    document: Any, *, content_type: str = ogc_documents.JSON, status: int = 200
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False).encode(), content_type=content_type, status=status
    )
    response["Content-Language"] = get_language() or "vi"
    return response


def error_response(request: HttpRequest, status: int, code: str, message: Message) -> HttpResponse:
    """The responder of settings.ERROR_RESPONDERS for /ogc/ (unknown addresses, unreadable
    requests): OGC's exception document."""
    ogc_code = "NotFound" if status == 404 else "InvalidParameterValue"
    return _json(ogc_documents.exception(ogc_code, message()), status=status)


def ogc_view(view: View) -> View:
    """GET only; a domain error becomes OGC's JSON exception."""

    @require_GET
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            status = 404 if error.kind == ErrorKind.NOT_FOUND else 400
            code = "NotFound" if status == 404 else "InvalidParameterValue"
            return _json(ogc_documents.exception(code, error.message), status=status)

    return wrapped


def _absolute(request: HttpRequest) -> ogc_documents.Absolute:
    def absolute(path: str) -> str:
        return request.build_absolute_uri(f"/ogc/{path}")

    return absolute


@ogc_view
def landing(request: HttpRequest) -> HttpResponse:
    return _json(ogc_documents.landing_page(_absolute(request)))


@ogc_view
def conformance(request: HttpRequest) -> HttpResponse:
    return _json(ogc_documents.conformance())


@ogc_view
def api(request: HttpRequest) -> HttpResponse:
    document = ogc_documents.openapi_document(list(COLLECTIONS.values()), _absolute(request))
    return _json(document, content_type=ogc_documents.OPENAPI)


@ogc_view
def collections(request: HttpRequest) -> HttpResponse:
    document = ogc_documents.collections_document(list(COLLECTIONS.values()), _absolute(request))
    return _json(document)


@ogc_view
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    document = ogc_documents.collection_document(collection_get(collection_id), _absolute(request))
    return _json(document)


def _with_offset(parameters: QueryDict, offset: int) -> str:
    changed = parameters.copy()
    changed["offset"] = str(offset)
    return changed.urlencode(safe=",/:")


@ogc_view
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    selected = collection_get(collection_id)
    query = items_query(request.GET, selected)
    page = items_page(collection=selected, query=query)
    base = request.build_absolute_uri(request.path)
    links = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": ogc_documents.GEOJSON},
        {
            "href": request.build_absolute_uri(f"/ogc/collections/{selected.identifier}"),
            "rel": "collection",
            "type": ogc_documents.JSON,
        },
    ]
    following = query.offset + query.limit
    more = page.number_returned == query.limit and (
        page.number_matched is None or following < page.number_matched
    )
    if more:
        links.append(
            {
                "href": f"{base}?{_with_offset(request.GET, following)}",
                "rel": "next",
                "type": ogc_documents.GEOJSON,
            }
        )
    if query.offset > 0:
        links.append(
            {
                "href": f"{base}?{_with_offset(request.GET, max(query.offset - query.limit, 0))}",
                "rel": "prev",
                "type": ogc_documents.GEOJSON,
            }
        )
    members: dict[str, Any] = {
        "numberReturned": page.number_returned,
        "timeStamp": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    if page.number_matched is not None:
        members["numberMatched"] = page.number_matched
    # The features as PostgreSQL wrote them, spliced in without decoding them.
    body = (
        b'{"type":"FeatureCollection","features":['
        + page.features
        + b"],"
        + json.dumps(members, ensure_ascii=False)[1:].encode()
    )
    response = HttpResponse(body, content_type=ogc_documents.GEOJSON)
    response["Content-Crs"] = f"<{query.crs}>"
    response["Content-Language"] = get_language() or "vi"
    return response


@ogc_view
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    selected = collection_get(collection_id)
    crs = item_crs(request.GET)
    feature = item_get(collection=selected, identifier=feature_id, crs=crs)
    links = [
        {"href": request.build_absolute_uri(), "rel": "self", "type": ogc_documents.GEOJSON},
        {
            "href": request.build_absolute_uri(f"/ogc/collections/{selected.identifier}"),
            "rel": "collection",
            "type": ogc_documents.JSON,
        },
    ]
    body = feature[:-1] + b',"links":' + json.dumps(links).encode() + b"}"
    response = HttpResponse(body, content_type=ogc_documents.GEOJSON)
    response["Content-Crs"] = f"<{crs or CRS84}>"
    return response
