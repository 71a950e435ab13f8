"""The API fuzzed from its own schema with schemathesis, in-process: no 500, no response that breaks the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import openapi
from tests.factories import (
    EventFactory,
    ParticipationFactory,
    PassageFactory,
    PlaceFactory,
    QuoteFactory,
)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_data(db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000000/hour"}}
    place = PlaceFactory(slug="la-paz", latitude="-16.5", longitude="-68.15")
    event = EventFactory(slug="meeting", place=place)
    event.passages.add(PassageFactory())
    ParticipationFactory(event=event)
    QuoteFactory(slug="quote")
    # Like Django's test client: the test's transaction must outlive each in-process request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    from timeline.wsgi import application

    loaded = schemathesis.openapi.from_dict(openapi())
    loaded.app = application
    return loaded


schema = _schema()


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, fuzz_data):
    case.call_and_validate(checks=CHECKS)
