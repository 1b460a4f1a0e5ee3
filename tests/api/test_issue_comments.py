"""A supplier's tool comments on its issues through the API, as the issue page does."""

from escalations.models import EventKind, IssueStatus
from tests.factories import make_issue

PROBLEM = "application/problem+json"


def test_a_supplier_s_tool_comments_on_its_issue(
    client, contract_a, procurement, contact_a, director, token_for, bearer
):
    issue = make_issue([contract_a], procurement, title="Printers offline")
    url = f"/api/v1/issues/{issue.pk}/comments"
    tool = bearer(token_for(contact_a))
    response = client.post(
        url, {"text": "Spare part arrives Tuesday."}, content_type="application/json", headers=tool
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "commented"
    events = client.get(f"/api/v1/issues/{issue.pk}", headers=tool).json()["events"]
    assert events[-1]["reason"] == "Spare part arrives Tuesday."
    assert issue.events.filter(kind=EventKind.COMMENTED, by=contact_a).count() == 1

    blank = client.post(url, {"text": "  "}, content_type="application/json", headers=tool)
    assert blank.status_code == 422 and blank["Content-Type"] == PROBLEM
    reader = bearer(token_for(director))
    refused = client.post(url, {"text": "Noted"}, content_type="application/json", headers=reader)
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM

    issue.status = IssueStatus.RESOLVED
    issue.save()
    closed = client.post(url, {"text": "Late"}, content_type="application/json", headers=tool)
    assert closed.status_code == 422 and "resolved" in closed.json()["detail"]
    assert issue.events.filter(kind=EventKind.COMMENTED).count() == 1
