"""The whole REST API fuzzed from its own OpenAPI document (schemathesis, issue 8).

Every operation of `/api/schema/`, public and staff, with data that fits the schema (positive)
and data that does not (negative), sent in-process to the WSGI application against the real test
database and Redis. Each answer must be no server error, have a status and a body the schema
declares, and the content type it declares.

The staff operations are called with a real officer's token on a real report of the officer's
unit (the generated codes would only ever find nothing), the public reporter actions on a real
report too; the rates are raised so that no throttle hides an operation. The number of examples
is bounded and the generation derandomized, so `make test` runs the same requests every time in
about a minute; the longer run is in docs/security.md ("Fuzzing").
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from hypothesis import HealthCheck, settings
from pytest_django import Settings
from rest_framework.authtoken.models import Token

from tests.conftest import Territory

from ..conftest import FileReport, jpeg_bytes, upload
from .openapi import CHECKS, STAFF_PREFIX, api_schema

# Examples per operation and generation mode in `make test`: a bounded run, the same every time.
# GEOAPP_FUZZ_EXAMPLES=N asks for the longer run of docs/security.md, with new random data.
LONG_RUN_EXAMPLES = int(os.environ.get("GEOAPP_FUZZ_EXAMPLES") or 0)
EXAMPLES_PER_OPERATION = LONG_RUN_EXAMPLES or 20

# Statuses answered per operation, for the check that the staff operations were reached.
ANSWERED: dict[str, set[int]] = defaultdict(set)
# Requests sent per generation mode, to show that both ran.
MODES: Counter[str] = Counter()


@pytest.fixture
def fuzzing_world(
    connection_kept_between_requests: None,
    settings: Settings,
    territory: Territory,
    categories: None,
    file_report: FileReport,
    officer_a: User,
) -> dict[str, Any]:
    """Real objects for the generated requests to act on, and rates no fuzzer reaches."""
    for name in dir(django_settings):
        if name.endswith("_RATE"):
            setattr(settings, name, "1000000/hour")
    filed = file_report(photos=[upload("o-ga.jpg", jpeg_bytes())])
    token, _created = Token.objects.get_or_create(user=officer_a)
    return {
        "tracking_code": filed.incident.tracking_code,
        "reporter_token": filed.token,
        "photo_id": filed.incident.photos.get().pk,
        "staff_token": token.key,
    }


schema = api_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=not LONG_RUN_EXAMPLES,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_its_schema_says(
    case: schemathesis.Case, fuzzing_world: dict[str, Any]
) -> None:
    path = case.operation.path
    headers: dict[str, str] = {}
    if case.meta is not None and case.meta.generation.mode.is_positive:
        # Real objects: a generated code finds no report, so every action would stop at 404.
        if "tracking_code" in (case.path_parameters or {}):
            assert case.path_parameters is not None
            case.path_parameters["tracking_code"] = fuzzing_world["tracking_code"]
        if "photo_id" in (case.path_parameters or {}):
            assert case.path_parameters is not None
            case.path_parameters["photo_id"] = fuzzing_world["photo_id"]
        if isinstance(case.body, dict) and "reporter_token" in case.body:
            case.body["reporter_token"] = fuzzing_world["reporter_token"]
    if path.startswith(STAFF_PREFIX):
        headers["Authorization"] = f"Token {fuzzing_world['staff_token']}"
    response = case.call(headers=headers)
    ANSWERED[case.operation.label].add(response.status_code)
    MODES[str(case.meta.generation.mode) if case.meta is not None else "explicit"] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_the_staff_operations_were_fuzzed_past_authentication() -> None:
    """Issue 8, finding 13's note: the staff operations answered only 401/403 to the fuzzer, so
    they were not fuzzed at all. Runs after the fuzzing above (pytest keeps a module's order)."""
    staff_operations = {
        f"{method.upper()} {path}"
        for path, operations in schema.raw_schema["paths"].items()
        if path.startswith(STAFF_PREFIX)
        for method in operations
    }
    assert len(staff_operations) == 34
    answered = {label: statuses for label, statuses in ANSWERED.items() if STAFF_PREFIX in label}
    assert set(answered) == staff_operations, "run with the fuzzing test above"
    past_authentication = {
        label for label, statuses in answered.items() if statuses - {401, 403, 405}
    }
    assert past_authentication == staff_operations
    acted = {label for label, statuses in answered.items() if 200 in statuses}
    assert acted == staff_operations
    assert MODES["positive"] > 0 and MODES["negative"] > 0, MODES
    print(f"\nfuzzed {len(ANSWERED)} operations with {sum(MODES.values())} requests: {dict(MODES)}")
