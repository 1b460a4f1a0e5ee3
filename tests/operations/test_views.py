"""Figure pages: who may open and write what, the report form, corrections, the overview."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalations.models import Issue, IssueStatus
from operations.models import FigureImport, Measurement, QuestionCount, TicketCount
from operations.services import record_measurement
from tests.factories import make_contract, make_service_level
from tests.helpers import squashed

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def measurement_a(contract_a, contact_a):
    return record_measurement(
        service_level=make_service_level(contract_a),
        period_start=OCTOBER,
        value=Decimal("99.9"),
        by=contact_a,
    ).measurement


@pytest.fixture
def import_a(supplier_a, contact_a, contract_a):
    return FigureImport.objects.create(
        supplier=supplier_a,
        filename="a.csv",
        content="contract,period,priority,opened,closed\nA-001,2026-10,P1,1,1\n",
        rows_total=1,
        uploaded_by=contact_a,
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, {"list": 302, "figures": 302, "report": 302, "upload": 302, "import": 302}),
        ("contact_a", {"list": 200, "figures": 200, "report": 200, "upload": 200, "import": 200}),
        ("contact_b", {"list": 200, "figures": 404, "report": 404, "upload": 200, "import": 404}),
        ("procurement", {"list": 200, "figures": 200, "report": 200, "upload": 200, "import": 200}),
        ("director", {"list": 200, "figures": 200, "report": 403, "upload": 403, "import": 200}),
        ("admin_user", {"list": 200, "figures": 200, "report": 200, "upload": 200, "import": 200}),
    ],
)
def test_who_may_open_what(request, client_for, who, expected, contract_a, import_a, contact_b):
    client = client_for(request.getfixturevalue(who) if who else None)
    urls = {
        "list": reverse("operations:figure_list"),
        "figures": reverse("operations:contract_figures", args=[contract_a.pk]),
        "report": reverse("operations:report", args=[contract_a.pk]),
        "upload": reverse("operations:import_upload"),
        "import": reverse("operations:import_detail", args=[import_a.pk]),
    }
    assert {name: client.get(url).status_code for name, url in urls.items()} == expected


@pytest.mark.parametrize(
    ("who", "report", "confirm", "correct_get", "correct_post"),
    [
        ("contact_a", 302, 302, 403, 403),
        ("contact_b", 404, 404, 404, 404),
        ("director", 403, 403, 403, 403),
        ("procurement", 302, 302, 200, 302),
    ],
)
def test_who_may_write(
    request,
    client_for,
    who,
    report,
    confirm,
    correct_get,
    correct_post,
    contract_a,
    import_a,
    measurement_a,
    contact_b,
):
    client = client_for(request.getfixturevalue(who))
    data = {"period": "2026-10"}
    assert client.post(reverse("operations:report", args=[contract_a.pk]), data).status_code == (
        report
    )
    url = reverse("operations:import_confirm", args=[import_a.pk])
    assert client.post(url).status_code == confirm
    url = reverse("operations:measurement_correct", args=[measurement_a.pk])
    assert client.get(url).status_code == correct_get
    assert client.post(url, {"value": "99", "reason": "x"}).status_code == correct_post


def test_supplier_b_does_not_see_a_in_the_overview(client_for, contact_b, measurement_a):
    page = client_for(contact_b).get(reverse("operations:figure_list")).content.decode()
    assert "A-001" not in page


def test_report_form_saves_the_figures_and_raises_the_breach(client_for, contact_a, contract_a):
    service_level = make_service_level(contract_a)
    url = reverse("operations:report", args=[contract_a.pk])
    response = client_for(contact_a).post(
        url,
        {
            "period": "2026-10",
            f"sl_{service_level.pk}": "98,1",
            "opened_P1": "2",
            "closed_P1": "1",
            "category_0": "Printing",
            "questions_0": "14",
        },
    )
    assert response.status_code == 302
    assert Measurement.objects.get().value == Decimal("98.1")
    assert TicketCount.objects.get().opened == 2
    assert QuestionCount.objects.get().category == "Printing"
    assert Issue.objects.count() == 1


def test_invalid_report_keeps_what_was_typed_and_saves_nothing(client_for, contact_a, contract_a):
    service_level = make_service_level(contract_a)
    url = reverse("operations:report", args=[contract_a.pk])
    response = client_for(contact_a).post(
        url,
        {
            "period": "2026-10",
            f"sl_{service_level.pk}": "99.9",
            "opened_P1": "2",
            "category_0": "Printing\x00",
            "questions_0": str(10**30),
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # htmx gets the form partial
    assert "Give both opened and closed for P1" in body
    assert "Null characters are not allowed." in body
    assert 'value="99.9"' in body
    assert not Measurement.objects.exists()
    assert not TicketCount.objects.exists()


def test_correction_shows_history_and_says_the_issue_stays(
    client_for, procurement, contract_a, contact_a
):
    service_level = make_service_level(contract_a)
    measurement = record_measurement(
        service_level=service_level, period_start=OCTOBER, value=Decimal("98"), by=contact_a
    ).measurement
    url = reverse("operations:measurement_correct", args=[measurement.pk])
    client = client_for(procurement)

    refused = client.post(url, {"value": "99.9", "reason": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()

    page = client.post(url, {"value": "99,9", "reason": "Planned maintenance."}, follow=True)
    body = squashed(page.content.decode())
    assert "stays open until someone resolves it" in body
    assert "98 → 99.9" in body
    assert "Planned maintenance." in body
    assert Issue.objects.get().status == IssueStatus.OPEN


def test_overview_filters_and_keeps_its_query_count(
    client_for, procurement, contact_a, supplier_a, supplier_b, contract_a, contract_b
):
    client = client_for(procurement)
    url = reverse("operations:figure_list")
    record_measurement(
        service_level=make_service_level(contract_a),
        period_start=OCTOBER,
        value=Decimal("98"),
        by=contact_a,
    )
    record_measurement(
        service_level=make_service_level(contract_b),
        period_start=OCTOBER,
        value=Decimal("99.9"),
        by=contact_a,
    )
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(5):
        contract = make_contract(supplier_b)
        for month in range(1, 4):
            record_measurement(
                service_level=make_service_level(contract, name=f"S{number}-{month}"),
                period_start=date(2026, month, 1),
                value=Decimal("99"),
                by=contact_a,
            )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)

    missed = client.get(url, {"missed": "1"}).content.decode()
    assert "A-001" in missed and "B-001" not in missed
    only_b = client.get(url, {"supplier": supplier_b.pk}).content.decode()
    assert "B-001" in only_b and "A-001" not in only_b


@pytest.mark.parametrize(
    "path",
    [
        "/figures/?supplier=99999999999999999999999999&missed=%00",
        "/figures/?supplier=-1",
        f"/figures/contracts/{10**30}/",
        f"/figures/contracts/{2**63}/report/?period=%00",
        f"/figures/imports/{2**63}/",
        f"/figures/measurements/{10**30}/correct/",
    ],
)
def test_odd_urls_answer_without_a_server_error(client_for, procurement, contract_a, path):
    assert client_for(procurement).get(path).status_code in (200, 404)


def test_contract_figures_page_shows_charts_and_links(
    client_for, procurement, contract_a, measurement_a
):
    body = (
        client_for(procurement)
        .get(reverse("operations:contract_figures", args=[contract_a.pk]))
        .content.decode()
    )
    assert "<svg" in body
    assert reverse("operations:measurement_correct", args=[measurement_a.pk]) in body
    assert reverse("operations:report", args=[contract_a.pk]) in body
