"""schemathesis against /api/schema/: no 5xx, and every answer conforms to the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.persons import make_person

# What the API promises: no 5xx, and answers as documented. (The heuristics about which
# inputs "should" be accepted do not apply: the schema cannot say "printable characters".)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def person_token(local_issuer, transactional_db) -> str:
    """An Auth0-shaped token an app holds for a manager: the rules of a person's token apply."""
    make_person("meg", "100", manager=True, subject="auth0|meg")
    return local_issuer.token(sub="auth0|meg", azp="SpaClientId123", gty=None)


@pytest.mark.slow
@pytest.mark.parametrize("caller", ["token", "person_token"])
def test_every_operation_conforms_to_the_schema(api, request, caller, tally):
    token = request.getfixturevalue(caller)
    schema = schemathesis.openapi.from_url(api.base_url + "/api/schema/")
    schema.config.update(base_url=api.base_url)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) == 10  # with the export, the reconcile, PATCH and /me

    failures = {}
    for operation in operations:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis groups the failed checks
            failures[operation.label] = failure
        tally("schemathesis: operations conforming", operation.label not in failures)
    assert not failures, failures
