"""The done criterion of the API: a supplier's tool pushes a month of availability figures,
one of them below target, and then reads through the API the breach issue it raised."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from escalations.models import Issue
from operations.models import Measurement, Source
from suppliers.models import Period
from tests.factories import make_service_level


def mondays_of_last_month():
    first = timezone.localdate().replace(day=1) - relativedelta(months=1)
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    while day.month == first.month:
        yield day
        day += timedelta(days=7)


def test_a_suppliers_tool_pushes_a_month_and_sees_the_breach_issue_it_raised(
    client, contract_a, contact_a, token_for, bearer
):
    weekly = make_service_level(contract_a, name="Mail", period=Period.WEEK, target="99.5")
    headers = bearer(token_for(contact_a))
    weeks = list(mondays_of_last_month())
    values = ["99.9"] * len(weeks)
    values[1] = "97.25"  # one week below target

    response = client.post(
        "/api/v1/measurements",
        {
            "measurements": [
                {"service_level_id": weekly.pk, "period": day.isoformat(), "value": value}
                for day, value in zip(weeks, values, strict=True)
            ]
        },
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["created"] for item in items] == [True] * len(weeks)
    raised = [item["raised_issue_id"] for item in items if item["raised_issue_id"]]
    assert len(raised) == 1
    assert items[1]["measurement"]["meets_target"] is False
    assert items[1]["measurement"]["value"] == "97.25"

    # The tool reads its issues and finds the one the breach raised, on its contract.
    issues = client.get("/api/v1/issues?status=open", headers=headers).json()["items"]
    issue = next(issue for issue in issues if issue["id"] == raised[0])
    assert issue["level"] == "operational"
    assert issue["contract_ids"] == [contract_a.pk]
    assert "Availability below target" in issue["title"]
    detail = client.get(f"/api/v1/issues/{raised[0]}", headers=headers).json()
    assert [event["kind"] for event in detail["events"]] == ["raised"]
    assert detail["events"][0]["by"] == str(contact_a)

    # The same history as the form and the file: who reported it, and that the API did.
    measurement = Measurement.objects.get(pk=items[1]["measurement"]["id"])
    assert measurement.breach_issue_id == raised[0]
    record = measurement.history.latest()
    assert (record.history_user, record.source) == (contact_a, Source.API)

    # Pushing the same month again changes nothing and raises no second issue.
    again = client.post(
        "/api/v1/measurements",
        {
            "measurements": [
                {"service_level_id": weekly.pk, "period": day.isoformat(), "value": value}
                for day, value in zip(weeks, values, strict=True)
            ]
        },
        content_type="application/json",
        headers=headers,
    )
    assert [item["changed"] for item in again.json()["items"]] == [False] * len(weeks)
    assert Issue.objects.filter(breaches__service_level=weekly).distinct().count() == 1


def test_figures_are_checked_as_the_form_checks_them_and_nothing_is_saved(
    client, contract_a, contact_a, token_for, bearer
):
    monthly = make_service_level(contract_a, name="Mail")
    next_month = (timezone.localdate().replace(day=1) + relativedelta(months=1)).strftime("%Y-%m")
    response = client.post(
        "/api/v1/measurements",
        {
            "measurements": [
                {"service_level_id": monthly.pk, "period": "2025-03", "value": 99.9},
                {"service_level_id": monthly.pk, "period": next_month, "value": 99.9},
                {"service_level_id": monthly.pk, "period": "2025-04", "value": 101},
                {"service_level_id": monthly.pk, "period": "not a month", "value": 99},
            ]
        },
        content_type="application/json",
        headers=bearer(token_for(contact_a)),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    fields = {error["field"]: error["message"] for error in problem["errors"]}
    assert "takes figures for" in fields["body.measurements.1.period"]
    assert fields["body.measurements.2.value"] == "A percentage cannot be above 100."
    assert "is not a period" in fields["body.measurements.3.period"]
    assert "body.measurements.0.period" not in fields
    assert not Measurement.objects.exists()


def test_tickets_and_questions_are_pushed_through_the_same_services(
    client, contract_a, contact_a, token_for, bearer
):
    headers = bearer(token_for(contact_a))
    month = (timezone.localdate().replace(day=1) - relativedelta(months=1)).strftime("%Y-%m")
    tickets = client.post(
        "/api/v1/ticket-counts",
        {
            "contract_id": contract_a.pk,
            "period": month,
            "counts": [{"priority": "P1", "opened": 3, "closed": 2}],
        },
        content_type="application/json",
        headers=headers,
    )
    questions = client.post(
        "/api/v1/question-counts",
        {
            "contract_id": contract_a.pk,
            "period": month,
            "counts": [{"category": "Passwords", "questions": 40}],
        },
        content_type="application/json",
        headers=headers,
    )
    assert tickets.json() == {"created": 1, "updated": 0}
    assert questions.json() == {"created": 1, "updated": 0}
    listed = client.get("/api/v1/ticket-counts", headers=headers).json()["items"]
    assert [(row["priority"], row["opened"], row["source"]) for row in listed] == [("P1", 3, "api")]
    listed = client.get("/api/v1/question-counts", headers=headers).json()["items"]
    assert [(row["category"], row["questions"]) for row in listed] == [("Passwords", 40)]


def test_another_suppliers_service_level_reads_as_unknown_and_the_director_may_not_write(
    client, contract_a, contract_b, contact_b, director, token_for, bearer
):
    monthly = make_service_level(contract_a, name="Mail")
    body = {"measurements": [{"service_level_id": monthly.pk, "period": "2025-03", "value": 1}]}
    response = client.post(
        "/api/v1/measurements",
        body,
        content_type="application/json",
        headers=bearer(token_for(contact_b)),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.measurements.0.service_level_id", "message": "Unknown service level."}
    ]
    response = client.post(
        "/api/v1/measurements",
        body,
        content_type="application/json",
        headers=bearer(token_for(director)),
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()
