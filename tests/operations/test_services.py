"""Recording figures: a value below target raises exactly one operational issue; corrections keep
their reason in the history; the standing figures are plain data from a constant few queries."""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.models import EventKind, Issue, Severity
from governance.models import Level, OutboxMessage
from operations import charts
from operations.figures import standing_figures
from operations.models import Measurement, QuestionCount, Source, TicketCount
from operations.services import (
    record_measurement,
    record_question_counts,
    record_ticket_counts,
)
from portal.demo.figures import seed_figures
from suppliers.models import Comparison, Metric, Unit
from tests.factories import make_contract, make_service_level, make_supplier

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def test_a_value_below_target_raises_one_operational_issue(contract_a, contact_a, settings):
    settings.BREACH_ISSUE_DUE_DAYS = 10
    service_level = make_service_level(contract_a)

    recorded = record_measurement(
        service_level=service_level, period_start=OCTOBER, value=Decimal("98.1"), by=contact_a
    )
    again = record_measurement(
        service_level=service_level, period_start=OCTOBER, value=Decimal("98.1"), by=contact_a
    )
    lower = record_measurement(
        service_level=service_level, period_start=OCTOBER, value=Decimal("97.0"), by=contact_a
    )

    issue = Issue.objects.get()
    assert recorded.raised == issue
    assert again.raised is None and lower.raised is None
    assert Measurement.objects.get().breach_issue == issue
    assert issue.title == (
        "Availability below target: Server operations 2026-10 (98.1 % against at least 99.5 %)"
    )
    assert issue.level == Level.OPERATIONAL
    assert issue.severity == Severity.HIGH
    assert issue.owner_name == "Supplier person"  # the supplier's operational role holder
    assert issue.owner_organisation == "Alpha Drift AB"
    assert issue.due_on == timezone.localdate() + timedelta(days=10)
    assert list(issue.contracts.all()) == [contract_a]
    event = issue.events.get()
    assert event.kind == EventKind.RAISED
    assert event.reason == "Detected from the reported figures"
    told = {m.payload["to"][0] for m in OutboxMessage.objects.filter(key__startswith="issue:")}
    assert told == {"buyer.operational@example.org", "supplier.operational@example.org"}


def test_a_met_value_raises_nothing_and_at_most_targets_compare_the_other_way(
    contract_a, contact_a
):
    availability = make_service_level(contract_a)
    resolution = make_service_level(
        contract_a,
        name="P1 resolution",
        metric=Metric.RESOLUTION_TIME,
        comparison=Comparison.AT_MOST,
        target="4",
        unit=Unit.HOURS,
    )
    assert (
        record_measurement(
            service_level=availability, period_start=OCTOBER, value=Decimal("99.5"), by=contact_a
        ).raised
        is None
    )
    assert (
        record_measurement(
            service_level=resolution, period_start=OCTOBER, value=Decimal("4"), by=contact_a
        ).raised
        is None
    )
    issue = record_measurement(
        service_level=resolution, period_start=OCTOBER, value=Decimal("5.5"), by=contact_a
    ).raised
    assert issue.severity == Severity.MEDIUM
    assert issue.title.startswith("Resolution time above target: P1 resolution 2026-10 (5.5 hours")


def test_owner_falls_back_to_the_supplier_without_an_operational_role_holder(supplier_a, contact_a):
    contract = make_contract(supplier_a)  # no role holders named
    issue = record_measurement(
        service_level=make_service_level(contract),
        period_start=OCTOBER,
        value=Decimal("90"),
        by=contact_a,
    ).raised
    assert issue.owner_name == "Alpha Drift AB"


def test_a_correction_keeps_the_old_value_who_and_why(contract_a, contact_a, procurement):
    service_level = make_service_level(contract_a)
    record_measurement(
        service_level=service_level, period_start=OCTOBER, value=Decimal("99.9"), by=contact_a
    )

    with pytest.raises(ValueError, match="reason"):
        record_measurement(
            service_level=service_level,
            period_start=OCTOBER,
            value=Decimal("99.1"),
            by=procurement,
            source=Source.CORRECTION,
        )
    recorded = record_measurement(
        service_level=service_level,
        period_start=OCTOBER,
        value=Decimal("99.1"),
        by=procurement,
        source=Source.CORRECTION,
        reason="The outage on 14 October was left out of the report.",
    )

    history = list(recorded.measurement.history.order_by("history_date"))
    assert [record.value for record in history] == [Decimal("99.9"), Decimal("99.1")]
    assert history[0].history_user == contact_a
    assert history[1].history_user == procurement
    assert history[1].source == Source.CORRECTION
    assert history[1].history_change_reason.startswith("The outage on 14 October")
    assert recorded.raised is not None  # the correction created a breach


def test_support_counts_are_created_then_updated(contract_a, contact_a):
    assert record_ticket_counts(
        contract=contract_a,
        period_start=OCTOBER,
        counts={"P1": (2, 1), "P3": (40, 38)},
        by=contact_a,
    ) == (
        2,
        0,
    )
    assert record_ticket_counts(
        contract=contract_a,
        period_start=OCTOBER,
        counts={"P1": (2, 2), "P3": (40, 38)},
        by=contact_a,
    ) == (
        0,
        1,
    )
    assert TicketCount.objects.get(priority="P1").closed == 2
    assert record_question_counts(
        contract=contract_a, period_start=OCTOBER, counts={"Printing": 12}, by=contact_a
    ) == (1, 0)
    assert record_question_counts(
        contract=contract_a, period_start=OCTOBER, counts={"printing": 15}, by=contact_a
    ) == (0, 1)
    assert QuestionCount.objects.get().questions == 15


def _seed(contract, by, months=12, today=date(2026, 11, 5)):
    availability = make_service_level(contract, name=f"{contract.reference} availability")
    other = make_service_level(
        contract,
        name="Service desk answer time",
        metric=Metric.RESPONSE_TIME,
        comparison=Comparison.AT_MOST,
        target="60",
        unit=Unit.MINUTES,
    )
    for back in range(months):
        month = date(2026, 10, 1) - timedelta(days=31 * back)
        month = month.replace(day=1)
        record_measurement(
            service_level=availability, period_start=month, value=Decimal("99.8"), by=by
        )
        record_measurement(service_level=other, period_start=month, value=Decimal("45"), by=by)
    record_ticket_counts(
        contract=contract,
        period_start=date(2026, 10, 1),
        counts={"P1": (1, 1), "P2": (5, 4)},
        by=by,
    )
    record_question_counts(
        contract=contract, period_start=date(2026, 10, 1), counts={"Printing": 30, "VPN": 12}, by=by
    )


def test_standing_figures_are_plain_data_from_a_constant_number_of_queries(supplier_a, contact_a):
    today = date(2026, 11, 5)
    small = [make_contract(supplier_a)]
    _seed(small[0], contact_a)
    with CaptureQueriesContext(connection) as few:
        figures = standing_figures(small, today=today)
    large = [make_contract(supplier_a) for _ in range(4)]
    for contract in large:
        _seed(contract, contact_a)
    with CaptureQueriesContext(connection) as many:
        standing_figures(small + large, today=today)
    assert len(few) == len(many) <= 6

    assert json.loads(json.dumps(figures)) == figures
    assert figures["as_of"] == "2026-11-05"
    first = figures["availability"][0]
    assert first["metric"] == "availability"
    assert [point["label"] for point in first["values"]][-1] == "2026-10"
    assert len(first["values"]) == 12
    assert first["latest"]["value"] == "99.8" and first["latest_met"] is True
    tickets = figures["support_tickets"][0]["months"]
    assert [month["label"] for month in tickets] == ["2026-08", "2026-09", "2026-10"]
    assert tickets[-1]["opened"] == 6 and tickets[-1]["closed"] == 5
    questions = figures["support_questions"][0]
    assert [row["category"] for row in questions["categories"]] == ["Printing", "VPN"]


def test_charts_are_valid_svg_with_escaped_labels():
    points = [(f"2026-{month:02d}", "99.8") for month in range(1, 12)]
    points += [('<script>"x"&', "98.1"), ("gap", None)]
    svg = str(charts.availability_chart(points, "99.5", title="A & B <b>"))
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{namespace}svg"
    assert root.get("aria-label") == "A & B <b>"
    assert root.find(f"{namespace}title").text == "A & B <b>"
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(root.findall(f"{namespace}circle[@class='missed']")) == 1
    assert root.find(f"{namespace}line[@class='target']").get("stroke-dasharray")
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")

    bars = str(charts.tickets_chart([{"label": "<okt>", "opened": 40, "closed": 38}]))
    root = ET.fromstring(bars)  # noqa: S314
    assert len(root.findall(f"{namespace}rect")) == 4  # two bars and two legend keys
    assert "&lt;okt&gt;" in bars
    ET.fromstring(str(charts.tickets_chart([])))  # noqa: S314
    ET.fromstring(str(charts.availability_chart([], None)))  # noqa: S314


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_a_chart_renders_into_a_pdf(tmp_path):
    from weasyprint import HTML

    svg = charts.availability_chart([("2026-09", "99.9"), ("2026-10", "98.1")], "99.5")
    pdf = tmp_path / "chart.pdf"
    HTML(string=f"<html><body><h1>Availability</h1>{svg}</body></html>").write_pdf(pdf)
    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2026-10" in text and "Availability" in text


def test_demo_figures_are_idempotent_and_raise_one_breach(procurement):
    from suppliers.models import ContractStatus

    supplier = make_supplier("Nordlys Drift AB")
    contract = make_contract(supplier, reference="IT-2024-001")
    contract.status = ContractStatus.ACTIVE
    contract.save()
    make_service_level(contract, target="99.7")
    assert seed_figures() == 1
    count = Measurement.objects.count()
    assert count == 12
    assert seed_figures() == 0
    assert Measurement.objects.count() == count
    assert Issue.objects.count() == 1
    assert TicketCount.objects.filter(contract=contract).count() == 12


def test_a_long_reason_for_a_correction_is_kept_whole(contract_a, contact_a, procurement):
    service_level = make_service_level(contract_a)
    record_measurement(
        service_level=service_level, period_start=OCTOBER, value=Decimal("99.9"), by=contact_a
    )
    reason = "The supplier's report left out the outage of 14 October, " * 5
    recorded = record_measurement(
        service_level=service_level,
        period_start=OCTOBER,
        value=Decimal("99.1"),
        by=procurement,
        source=Source.CORRECTION,
        reason=reason,
    )
    assert recorded.measurement.history.latest().history_change_reason == reason
