"""Errors answered outside any view (a refused input, an address no route matches), each in the
format of the interface the path belongs to: the REST API's JSON, Open311's error list in XML or
JSON, or a page. The settings' `ERROR_RESPONDERS` names each interface's responder by prefix."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

# The message is computed by the responder, inside the language the interface chooses (Open311
# honours its `locale` argument).
Message = Callable[[], str]
Responder = Callable[[HttpRequest, int, str, Message], HttpResponse]


@cache
def _responders() -> list[tuple[str, Responder]]:
    return [
        (prefix, import_string(dotted_path)) for prefix, dotted_path in settings.ERROR_RESPONDERS
    ]


def error_respond(
    request: HttpRequest, *, status: int, code: str, message: Message
) -> HttpResponse:
    """The answer of the first responder whose prefix starts the request's path."""
    for prefix, responder in _responders():
        if request.path.startswith(prefix):
            return responder(request, status, code, message)
    raise LookupError(f"settings.ERROR_RESPONDERS has no entry for {request.path!r}")
