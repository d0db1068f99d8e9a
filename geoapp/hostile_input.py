"""Input that no interface accepts, refused once before any view runs, with a 400 in the caller's
own format (geoapp/error_responses.py).

Control characters: PostgreSQL cannot store U+0000 in text (nor in jsonb), and fails the whole
query when a NUL reaches a parameter: every filter, code and form field would need its own guard,
and one forgotten answered 500 (issue 8, finding 13). No citizen or client means a control
character either, so they are refused in the path, the query string, form bodies and JSON bodies.

JSON nested deeper than any request of the API (MAX_JSON_DEPTH): Python's parser gives up with a
RecursionError near 1,000 levels, which DRF's parser does not catch (a 500).

Multipart bodies are left to the views: parsing them here would fix the upload handlers before a
view can choose its own (size limits). Django decodes their fields with replacement characters,
and DRF's and Django's form fields refuse NUL themselves; Open311 checks its form with
`control_character_field`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from geoapp.error_responses import error_respond

# C0 controls other than tab, line feed and carriage return (which multi-line text carries), and
# lone surrogates (valid in JSON as `\ud800`, but not encodable in UTF-8 for the database).
NOT_ALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
CONTROL_CHARACTER = "control_character"
JSON_TOO_DEEP = "json_too_deep"
PATH = ""  # the field name of the path, which has none
# Far more than any request body of the API nests (three levels at most).
MAX_JSON_DEPTH = 32


class _TooDeep(Exception):
    pass


@dataclass(frozen=True)
class Refusal:
    """What was refused: a control character in a parameter or field (its name), or in the
    PATH; or a JSON body nested too deep."""

    field: str
    code: str = CONTROL_CHARACTER

    def message(self) -> str:
        """The sentence for the client, in the language active when it is called (an interface may
        choose its own, as Open311 does with `locale`)."""
        if self.code == JSON_TOO_DEEP:
            return _("Nội dung JSON lồng nhau quá %(depth)d tầng.") % {"depth": MAX_JSON_DEPTH}
        if self.field == PATH:
            return _("Đường dẫn chứa ký tự điều khiển không được phép (như NUL).")
        return _("Trường %(name)s chứa ký tự điều khiển không được phép (như NUL).") % {
            "name": self.field
        }


def control_character_field(fields: QueryDict) -> str | None:
    """The name of the first field of a query string or form with a control character in its
    name or one of its values, else None."""
    for name, values in fields.lists():
        if NOT_ALLOWED.search(name) or any(NOT_ALLOWED.search(value) for value in values):
            return NOT_ALLOWED.sub("", name)
    return None


def _json_field(value: object, field: str, depth: int = 0) -> str | None:
    """The key of the innermost object holding a control character in a parsed JSON body;
    _TooDeep past MAX_JSON_DEPTH levels."""
    if depth > MAX_JSON_DEPTH:
        raise _TooDeep
    if isinstance(value, str):
        return field if NOT_ALLOWED.search(value) else None
    children: Iterable[tuple[str, object]]
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = ((field, item) for item in value)
    else:
        return None
    for key, child in children:
        if NOT_ALLOWED.search(key):
            return NOT_ALLOWED.sub("", key)
        found = _json_field(child, key, depth + 1)
        if found is not None:
            return found
    return None


def refusal_of(request: HttpRequest) -> Refusal | None:
    if NOT_ALLOWED.search(request.path):
        return Refusal(PATH)
    field = control_character_field(request.GET)
    content_type = request.content_type or ""
    if field is None and content_type == "application/x-www-form-urlencoded":
        field = control_character_field(request.POST)
    if field is None and (content_type == "application/json" or content_type.endswith("+json")):
        try:
            field = _json_field(json.loads(request.body), _("nội dung JSON"))
        except (ValueError, RequestDataTooBig):
            # Not JSON, or larger than a request body may be: the view's parser (or Django's
            # handler400) answers each with a refusal of its own.
            return None
        except (RecursionError, _TooDeep):
            return Refusal(PATH, code=JSON_TOO_DEEP)
    return None if field is None else Refusal(field)


class RefuseHostileInputMiddleware:
    """A 400 for a control character anywhere in the input or a JSON body nested too deep, in the
    format of the interface the path belongs to (`ERROR_RESPONDERS`). After LocaleMiddleware, so that the refusal is in the
    request's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = refusal_of(request)
        if refusal is None:
            return self.get_response(request)
        return error_respond(request, status=400, code=refusal.code, message=refusal.message)
