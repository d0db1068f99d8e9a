"""API conventions shared by every app: how domain errors become HTTP answers, the idempotency
header, and the names of nested serializers in the OpenAPI schema."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from geoapp.error_responses import Message
from geoapp.exceptions import DomainError, ErrorKind, InvalidInput
from geoapp.outages import (
    DATABASE_UNAVAILABLE_CODE,
    DATABASE_UNAVAILABLE_ERRORS,
    RETRY_AFTER_SECONDS,
    database_unavailable_log,
    database_unavailable_message,
)
from geoapp.request_limits import request_refusal

# A client's own key for one write, so that a retry after a lost answer does not write twice.
IDEMPOTENCY_HEADER = "Idempotency-Key"

HTTP_STATUS_OF_ERROR = {
    ErrorKind.INVALID: status.HTTP_400_BAD_REQUEST,
    ErrorKind.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorKind.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorKind.CONFLICT: status.HTTP_409_CONFLICT,
}


def exception_handler(exception: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain errors, and Django's refusals to read an oversized body, as
    `{"detail": message, "code": code}`; a refusal by a rate limit (429) takes the same shape, in
    the request's language (DRF's own text has no Vietnamese); a database outage is a 503 with
    Retry-After (geoapp/outages.py)."""
    refusal = request_refusal(exception)
    if refusal is not None:
        return Response(
            {"detail": refusal.error.message, "code": refusal.error.code}, status=refusal.status
        )
    if isinstance(exception, DomainError):
        return Response(
            {"detail": exception.message, "code": exception.code},
            status=HTTP_STATUS_OF_ERROR[exception.kind],
        )
    if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
        database_unavailable_log(context["request"], exception)
        return Response(
            {"detail": database_unavailable_message(), "code": DATABASE_UNAVAILABLE_CODE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = drf_exception_handler(exception, context)
    if isinstance(exception, exceptions.Throttled) and response is not None:
        # `wait` is set by DRF's Throttled, which its stubs do not declare.
        seconds = max(1, round(getattr(exception, "wait", None) or 1))
        response.data = {
            "detail": _(
                "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn; vui lòng thử lại sau "
                "%(seconds)d giây."
            )
            % {"seconds": seconds},
            "code": "throttled",
        }
    return response


def error_response(request: HttpRequest, status: int, code: str, message: Message) -> JsonResponse:
    """The REST API's answer to an error met outside its views (geoapp/error_responses.py),
    shaped like a domain error."""
    return JsonResponse(
        {"detail": message(), "code": code},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


# The error bodies of every operation: a domain error or a refused input is `{"detail", "code"}`;
# DRF's validation errors name each field with its list of messages.
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "`{detail, code}` for a refused request; for invalid fields, each field's name with "
        "the list of its messages."
    ),
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (a parameter, a field, a control character), with the reason.",
    "401": "Credentials given but not valid (a token, an API key).",
    "403": "Not signed in, or no role on this report.",
    "404": "No such object, or none the caller may see.",
    "409": "The action does not fit the report's current state.",
    "415": "A request body in a media type the operation does not read.",
    "429": "Too many writes from this client; retry after the Retry-After header's seconds.",
}


class ErrorSerializer(serializers.Serializer):
    """The schema's "Error" component (its final form is ERROR_SCHEMA, set by the hook below)."""

    detail = serializers.CharField()
    code = serializers.CharField()


# For an operation that answers 404 about an object named in its query or body, not its path
# (no area at the point, no report with that code): the hook below cannot tell those apart.
NOT_FOUND_RESPONSE = OpenApiResponse(
    response=ErrorSerializer, description="Nothing found for the point or the code given."
)


def declare_error_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing: the error answers each operation can give, so that a
    client (and the schemathesis fuzzing in the tests) knows every status it may receive.

    By what the operation is rather than one by one, because the causes are shared: any input may
    be refused (400); an operation that authenticates may refuse credentials (401, 403); an
    object named in the path may not exist (404); a write may be throttled (429) or sent in an
    unread media type (415), and an action on an object may not fit its state (409).
    """
    result["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result["paths"].items():
        for operation in operations.values():
            statuses = {"400"}
            if any(requirement for requirement in operation.get("security", [])):
                statuses |= {"401", "403"}
            if "{" in path:
                statuses.add("404")
            if "requestBody" in operation:
                statuses |= {"415", "429"}
                if "{" in path:
                    statuses.add("409")
            for status_code in sorted(statuses):
                operation["responses"].setdefault(
                    status_code,
                    {
                        "description": ERROR_DESCRIPTIONS[status_code],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result


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
