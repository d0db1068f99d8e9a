"""The REST API's own OpenAPI document, loaded by schemathesis to call the WSGI application
in-process and check each answer against it (tests/incidents/api/test_schema_*.py)."""

from __future__ import annotations

import schemathesis
from django.core.wsgi import get_wsgi_application
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

STAFF_PREFIX = "/api/v1/staff/"
# What every answer must be: no server error; a status, a content type and a body the
# operation declares.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def api_schema() -> schemathesis.BaseSchema:
    """The document `/api/schema/` serves, bound to the WSGI application. Building it reads no
    table, so it may be loaded at collection (schemathesis.pytest.from_fixture, which would load
    it inside a test, does not run on pytest 9)."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
