"""API conventions shared by every app: how domain errors become HTTP answers, the idempotency
header, and the names of nested serializers in the OpenAPI schema."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from geoapp import control_characters
from geoapp.exceptions import DomainError, ErrorKind, InvalidInput

# A client's own key for one write, so that a retry after a lost answer does not write twice.
IDEMPOTENCY_HEADER = "Idempotency-Key"

HTTP_STATUS_OF_ERROR = {
    ErrorKind.INVALID: status.HTTP_400_BAD_REQUEST,
    ErrorKind.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorKind.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorKind.CONFLICT: status.HTTP_409_CONFLICT,
}


def exception_handler(exception: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain errors as `{"detail": message, "code": code}`."""
    if isinstance(exception, DomainError):
        return Response(
            {"detail": exception.message, "code": exception.code},
            status=HTTP_STATUS_OF_ERROR[exception.kind],
        )
    return drf_exception_handler(exception, context)


def control_character_refused(
    request: HttpRequest, refusal: control_characters.Refusal
) -> JsonResponse:
    """The REST API's answer to a control character in the input, shaped like a domain error."""
    return JsonResponse(
        {"detail": refusal.message(), "code": control_characters.CODE},
        status=status.HTTP_400_BAD_REQUEST,
        json_dumps_params={"ensure_ascii": False},
    )


def name_nested_serializers_for_the_schema(namespace: dict[str, Any]) -> None:
    """Give each nested Input/Output serializer of the API views in `namespace` (a module's
    `globals()`) a schema name of its own ("StaffAssignInput").

    The schema names a component after its class, and every view nests an `InputSerializer`: left
    alone, they would all be one component "Input" in the OpenAPI document.
    """
    for view in list(namespace.values()):
        if not (isinstance(view, type) and issubclass(view, APIView)):
            continue
        for attribute, nested in vars(view).items():
            if isinstance(nested, type) and issubclass(nested, serializers.Serializer):
                prefix = view.__name__.lstrip("_").removesuffix("Api")
                name = prefix + attribute.removesuffix("Serializer")
                extend_schema_serializer(component_name=name)(nested)


def query_integer(text: str | None, *, name: str, default: int, maximum: int) -> int:
    """A whole-number query parameter from 0 to `maximum`, or `default` when absent."""
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or value > maximum:
        raise InvalidInput(
            _("Tham số %(name)s phải là số nguyên từ 0 đến %(maximum)d.")
            % {"name": name, "maximum": maximum},
            code="invalid_number",
        )
    return value


def query_choice(text: str | None, *, name: str, choices: list[str]) -> str | None:
    """A query parameter that must be one of `choices`, or None when absent."""
    if text in (None, ""):
        return None
    if text not in choices:
        raise InvalidInput(
            _("Tham số %(name)s “%(value)s” không hợp lệ; dùng một trong: %(choices)s.")
            % {"name": name, "value": text, "choices": ", ".join(choices)},
            code="invalid_choice",
        )
    return text
