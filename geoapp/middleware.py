"""Language choice: Vietnamese first."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

MACHINE_INTERFACE_PREFIXES = ("/api/", "/open311/")


class VietnameseUnlessChosenMiddleware:
    """Pages are in Vietnamese unless the visitor chose English with the language switch.

    Many browsers here announce English by default (an English Windows or Android), which must
    not turn a Vietnamese official's pages into English; so for pages the Accept-Language header
    is dropped before Django's LocaleMiddleware, leaving the language cookie and then Vietnamese.
    Machine interfaces (the REST API, Open311) still honour Accept-Language, as clients expect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(MACHINE_INTERFACE_PREFIXES):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
