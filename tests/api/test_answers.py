"""What every client meets: sign-in by token only, problem details for every refusal, pages
with an opaque cursor, a rate limit per token, and the published schema and docs."""

from django.test import override_settings

from escalations.models import Issue
from tests.factories import make_contract

PROBLEM = "application/problem+json"


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"] and problem["title"] and problem["detail"]
    return problem


def test_without_a_token_nothing_is_read_and_a_session_does_not_count(client, contact_a):
    response = client.get("/api/v1/suppliers")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_problem(client.get("/api/v1/suppliers", headers={"Authorization": "Bearer gpt_x"}), 401)
    client.force_login(contact_a)
    assert_problem(client.get("/api/v1/suppliers"), 401)


def test_refusals_are_problem_details(client, contact_a, token_for, bearer):
    headers = bearer(token_for(contact_a))
    assert_problem(client.get("/api/v1/no-such-thing", headers=headers), 404)
    assert_problem(client.get("/api/v2/suppliers"), 404)
    assert_problem(client.get("/api/v1/contracts/999999", headers=headers), 404)
    assert_problem(client.get("/api/v1/suppliers?cursor=nonsense", headers=headers), 400)
    broken = client.post(
        "/api/v1/issues", "{not json", content_type="application/json", headers=headers
    )
    assert_problem(broken, 400)
    # ninja's own validation: the fields named.
    invalid = client.post(
        "/api/v1/issues", {"title": 5}, content_type="application/json", headers=headers
    )
    problem = assert_problem(invalid, 422)
    fields = {error["field"] for error in problem["errors"]}
    assert {"body.title", "body.contract_ids", "body.owner_name"} <= fields


def test_pages_follow_an_opaque_cursor_in_id_order(client, procurement, token_for, bearer):
    from tests.factories import make_supplier

    suppliers = [make_supplier() for _ in range(5)]
    for supplier in suppliers:
        make_contract(supplier)
    headers = bearer(token_for(procurement))
    seen = []
    url = "/api/v1/contracts?limit=2"
    while url:
        page = client.get(url, headers=headers).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
        assert url is None or ("cursor=" in url and "limit=2" in url)
    assert seen == sorted(seen) and len(seen) == 5


def test_a_token_is_held_to_its_requests_a_minute(client, contact_a, token_for, bearer):
    headers = bearer(token_for(contact_a))
    other = bearer(token_for(contact_a))
    with override_settings(API_REQUESTS_PER_MINUTE=3):
        answers = [client.get("/api/v1/suppliers", headers=headers) for _ in range(4)]
        assert [answer.status_code for answer in answers[:3]] == [200, 200, 200]
        problem = assert_problem(answers[3], 429)
        assert 1 <= int(answers[3]["Retry-After"]) <= 60
        assert "more than 3 requests" in problem["detail"]
        # Per token: another token of the same person still gets its answers.
        assert client.get("/api/v1/suppliers", headers=other).status_code == 200


def test_a_contact_raises_an_issue_through_the_issue_pages_service(
    client, contact_a, contract_a, contract_b, token_for, bearer
):
    headers = bearer(token_for(contact_a))
    body = {
        "title": "Printers offline",
        "contract_ids": [contract_a.pk],
        "owner_name": "Ola",
        "owner_organisation": "Alpha",
        "severity": "high",
    }
    response = client.post("/api/v1/issues", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    issue = Issue.objects.get(pk=response.json()["id"])
    assert (issue.created_by, issue.severity, issue.due_on is not None) == (contact_a, "high", True)
    assert [event.kind for event in issue.events.all()] == ["raised"]
    # Another supplier's contract is not one to choose, as on the page.
    refused = client.post(
        "/api/v1/issues",
        {**body, "contract_ids": [contract_b.pk]},
        content_type="application/json",
        headers=headers,
    )
    problem = assert_problem(refused, 422)
    assert problem["errors"][0]["field"] == "body.contract_ids"


def test_the_schema_is_published_and_the_docs_are_for_signed_in_people(client, contact_a):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/measurements" in document["paths"]
    assert client.get("/api/v1/openapi.json").json() == document
    assert client.get("/api/docs/").status_code == 302
    client.force_login(contact_a)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<code>POST /api/v1/measurements</code>" in html
    assert 'href="/api/openapi.json"' in html
