"""The two output formats of Open311 GeoReport v2: XML (required by the specification) and JSON.

The JSON follows the XML by the specification's "Spark convention": an element holding a list
becomes an array of its children's contents, so `<services><service>…</service></services>` is
`[{…}]` and `<errors><error>…</error></errors>` is `[{"code": …, "description": …}]`. A document
is therefore built once, as plain dicts and lists in the specification's field order, and written
in either format. `None` is `null` in JSON and an empty element in XML, as in the specification's
examples (`<account_id/>`).

Every date and time is written in the W3C profile of ISO 8601 with the Vietnam offset
(`2025-07-01T08:30:00+07:00`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

from geoapp.clock import VIETNAM_TIME_ZONE


class OutputFormat(StrEnum):
    XML = "xml"
    JSON = "json"


CONTENT_TYPES = {
    OutputFormat.XML: "text/xml; charset=utf-8",
    OutputFormat.JSON: "application/json; charset=utf-8",
}
# The MIME types the discovery document lists for the endpoint.
FORMAT_MIME_TYPES = ("text/xml", "application/json")

# The child element of each list-holding element (the Spark convention's only extra knowledge).
LIST_ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry even escaped (C0 controls other than tab, line feed and carriage
# return, lone surrogates, U+FFFE/U+FFFF). A report's text is what a citizen typed or pasted; one
# stray control character must not make the whole list unreadable to every client.
_NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Document:
    """An Open311 response: the XML root element's name and its content (a list or a dict)."""

    root: str
    content: list[Any] | dict[str, Any]


def w3c_datetime(moment: datetime | None) -> str | None:
    """`2025-07-01T08:30:00+07:00`: seconds precision, Vietnam offset, as the specification asks."""
    if moment is None:
        return None
    return moment.astimezone(VIETNAM_TIME_ZONE).isoformat(timespec="seconds")


def render(document: Document, output: OutputFormat, *, status: int = 200) -> HttpResponse:
    if output == OutputFormat.JSON:
        body = json.dumps(document.content, ensure_ascii=False, separators=(",", ":"))
    else:
        parts: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
        _write_element(parts, document.root, document.content)
        body = "".join(parts)
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[output])


def errors_document(errors: Sequence[tuple[int, str]]) -> Document:
    """The specification's error list: one `{code, description}` per error."""
    return Document(
        root="errors",
        content=[{"code": code, "description": description} for code, description in errors],
    )


def _text(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return escape(_NOT_XML_CHARACTERS.sub("", value))
    return escape(str(value))


def _write_element(parts: list[str], name: str, value: object) -> None:
    if value is None or value == "" or value == [] or value == {}:
        parts.append(f"<{name}/>")
        return
    if isinstance(value, Mapping):
        parts.append(f"<{name}>")
        for key, child in value.items():
            # Scalars inline: a list of 1,000 requests is 17,000 of them.
            if child is None or child == "":
                parts.append(f"<{key}/>")
            elif isinstance(child, str | int | float):
                parts.append(f"<{key}>{_text(child)}</{key}>")
            else:
                _write_element(parts, key, child)
        parts.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        parts.append(f"<{name}>")
        item_name = LIST_ITEM_NAMES[name]
        for item in value:
            _write_element(parts, item_name, item)
        parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}>{_text(value)}</{name}>")
