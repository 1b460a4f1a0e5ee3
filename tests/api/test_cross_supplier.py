"""Supplier B's contact, with a read-write token and supplier A's ids, learns nothing through
the API and changes nothing: every route with an id answers 404 for A's, as for a missing one,
no answer names A's records, and a body naming A's records is refused as naming unknown ones.
The routes are read from the router (tests/api/routes.py), so a new one cannot be missed."""

import re

import pytest

from api.services import create_token
from operations.models import QuestionCount, TicketCount
from tests.api.routes import api_operations
from tests.security.test_idor import database_state
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

MARKER = "alpha-secret"
MISSING = 2_000_000_000

# path parameter -> the World's object of supplier A it is asked with.
API_ROUTES = {
    "supplier_id": "supplier",
    "contract_id": "contract",
    "service_level_id": "service_level",
    "measurement_id": "measurement",
    "ticket_count_id": "ticket_count",
    "question_count_id": "question_count",
    "issue_id": "issue",
    "meeting_id": "approved_meeting",
    "minutes_id": "approved_minutes",
    "action_id": "action",
    "risk_id": "risk",
    "document_id": "document",
    "governance_level_id": "governance_level",
    "forum_id": "forum",
}

# Bodies naming A's records, for each route that writes.
BODIES = {
    "/api/v1/measurements": lambda objects: {
        "measurements": [
            {"service_level_id": objects["service_level"], "period": "2025-06", "value": "1"}
        ]
    },
    "/api/v1/ticket-counts": lambda objects: {
        "contract_id": objects["contract"],
        "period": "2025-06",
        "counts": [{"priority": "P1", "opened": 1, "closed": 1}],
    },
    "/api/v1/question-counts": lambda objects: {
        "contract_id": objects["contract"],
        "period": "2025-06",
        "counts": [{"category": "VPN", "questions": 1}],
    },
    "/api/v1/issues/{issue_id}/comments": lambda objects: {"text": "Seen it"},
    "/api/v1/issues": lambda objects: {
        "title": "Theirs",
        "contract_ids": [objects["contract"]],
        "owner_name": "B",
        "owner_organisation": "B",
    },
}


def assert_says_nothing_of_a(response, where):
    text = response.content.decode(errors="replace") + str(response.headers)
    assert not re.search(re.escape(MARKER), text, re.IGNORECASE), f"{where} shows A's data"


def test_supplier_b_gets_not_found_for_every_api_route_with_a_s_ids(client):
    world = build_world(MARKER)
    objects = dict(world.objects)
    objects["ticket_count"] = TicketCount.objects.exclude(contract=objects["contract_b"]).first().pk
    objects["question_count"] = (
        QuestionCount.objects.exclude(contract=objects["contract_b"]).first().pk
    )
    token = create_token(user=world.users["contact_b"], name="B's tool", scope="read_write", days=1)
    headers = {"Authorization": f"Bearer {token[1]}"}
    before = database_state()
    swept = 0
    for method, path in api_operations():
        parameters = re.findall(r"{(\w+)}", path)
        where = f"{method} {path}"
        if method == "GET" and parameters:
            assert all(name in API_ROUTES for name in parameters), f"{where}: add to API_ROUTES"
            theirs = client.get(
                path.format(**{name: objects[API_ROUTES[name]] for name in parameters}),
                headers=headers,
            )
            missing = client.get(path.format(**dict.fromkeys(parameters, MISSING)), headers=headers)
            assert theirs.status_code == missing.status_code == 404, where
            assert theirs.json()["detail"] == missing.json()["detail"], where
            assert_says_nothing_of_a(theirs, where)
        elif method == "GET":
            response = client.get(path, headers=headers)
            assert response.status_code == 200, where
            assert_says_nothing_of_a(response, where)
        elif parameters:  # a write to one of A's records: as if it did not exist
            assert path in BODIES, f"{where}: add a body to BODIES"
            named = {name: objects[API_ROUTES[name]] for name in parameters}
            theirs = client.post(
                path.format(**named),
                BODIES[path](objects),
                content_type="application/json",
                headers=headers,
            )
            missing = client.post(
                path.format(**dict.fromkeys(parameters, MISSING)),
                BODIES[path](objects),
                content_type="application/json",
                headers=headers,
            )
            assert theirs.status_code == missing.status_code == 404, where
            assert_says_nothing_of_a(theirs, where)
        else:
            assert path in BODIES, f"{where}: add a body to BODIES"
            response = client.post(
                path, BODIES[path](objects), content_type="application/json", headers=headers
            )
            assert response.status_code == 422, f"{where}: {response.content[:300]!r}"
            assert_says_nothing_of_a(response, where)
        swept += 1
    assert swept == len(list(api_operations()))
    assert database_state() == before
