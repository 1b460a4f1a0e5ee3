"""The API as an outsider meets it: schemathesis reads the published schema from a live server
and sends every operation generated requests, with a supplier contact's read-write token and
a procurement manager's. No answer is a server error and every answer matches the schema
(status, content type and body), refusals included. Bounded: a few examples an operation."""

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import create_token
from governance.models import Role
from operations.services import record_measurement
from tests.factories import (
    fill_governance,
    make_contract,
    make_issue,
    make_service_level,
    make_supplier,
    make_user,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def people(transactional_db, settings):
    """A supplier's contact with records to read, and procurement staff: their tokens."""
    settings.API_REQUESTS_PER_MINUTE = 1_000_000  # the run is one busy client
    supplier = make_supplier()
    contract = fill_governance(make_contract(supplier))
    contact = make_user(Role.SUPPLIER_CONTACT, supplier=supplier)
    manager = make_user(Role.PROCUREMENT)
    level = make_service_level(contract)
    record_measurement(service_level=level, period_start=date(2025, 6, 1), value=98, by=contact)
    make_issue([contract], manager)
    return [
        create_token(user=person, name="Tool", scope="read_write", days=1)[1]
        for person in (contact, manager)
    ]


@pytest.fixture
def published_schema(live_server, people, request):
    # schemathesis 4.32's lazy loader renames the test by pytest's old Node._nodeid, which
    # pytest 9 no longer has: give it the id it reads.
    request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")


schema = schemathesis.pytest.from_fixture("published_schema")


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, people):
    for token in people:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
