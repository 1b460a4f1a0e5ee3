"""Figures are taken only for the months of a contract's term up to this month: a value for a
month still to come (2027-06 reported in November 2026) would hide a missed target."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from operations.imports import check_period, reportable_months
from operations.models import FigureImport, Measurement, QuestionCount, TicketCount
from suppliers.models import Renewal
from tests.factories import make_contract, make_service_level

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)
RANGE = "Contract A-001 takes figures for 2025-01 to 2026-11"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (date(2024, 12, 31), False),  # before the term
        (date(2025, 1, 1), True),
        (date(2026, 10, 1), True),
        (date(2026, 11, 30), True),  # this month
        (date(2026, 12, 1), False),  # next month
        (date(2027, 6, 1), False),
    ],
)
def test_a_period_is_taken_from_the_terms_start_to_this_month(contract_a, day, allowed):
    assert reportable_months(contract_a) == (date(2025, 1, 1), date(2026, 11, 1))
    if allowed:
        check_period(day, contract_a)
    else:
        with pytest.raises(ValueError, match=rf"{RANGE} \(.*\), not for {day:%Y-%m}\."):
            check_period(day, contract_a)


def test_an_ended_term_and_a_term_still_to_come_bound_the_range(supplier_a):
    ended = make_contract(supplier_a, start_date=date(2024, 3, 15), end_date=date(2025, 6, 30))
    assert reportable_months(ended) == (date(2024, 3, 1), date(2025, 6, 1))
    with pytest.raises(ValueError, match=r"for 2024-03 to 2025-06 .*, not for 2025-07"):
        check_period(date(2025, 7, 1), ended)
    coming = make_contract(supplier_a, start_date=date(2027, 2, 1))
    with pytest.raises(ValueError, match="takes no figures yet: its term starts in 2027-02"):
        check_period(date(2026, 11, 1), coming)
    # A tacitly renewed contract rolls on past its end date, and so do its figures.
    rolled = make_contract(
        supplier_a,
        end_date=date(2025, 12, 31),
        renewal=Renewal.TACIT,
        renewal_term_months=12,
    )
    check_period(date(2026, 11, 1), rolled)


def _report(client, contract, period, **values):
    url = reverse("operations:report", args=[contract.pk])
    return client.post(url, {"period": period, **values})


@pytest.mark.parametrize("period", ["2027-06", "2026-12", "2026-W50", "2024-12", "2024-Q4"])
def test_the_report_form_refuses_a_period_outside_the_range_and_keeps_its_input(
    client_for, contact_a, contract_a, period
):
    service_level = make_service_level(contract_a)
    response = _report(
        client_for(contact_a),
        contract_a,
        period,
        **{f"sl_{service_level.pk}": "98,1", "opened_P1": "2", "closed_P1": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period"][0].startswith(RANGE)
    page = response.content.decode()
    assert RANGE in page
    assert f'value="{period}"' in page and 'value="98,1"' in page
    assert not Measurement.objects.exists()
    assert not TicketCount.objects.exists()
    assert not QuestionCount.objects.exists()


def test_the_report_form_takes_this_month(client_for, contact_a, contract_a):
    service_level = make_service_level(contract_a)
    response = _report(
        client_for(contact_a), contract_a, "2026-11", **{f"sl_{service_level.pk}": "99.9"}
    )
    assert response.status_code == 302
    assert Measurement.objects.get().period_start == date(2026, 11, 1)


def test_the_import_preview_gives_each_row_outside_the_range_its_error(
    client_for, contact_a, contract_a
):
    make_service_level(contract_a)
    content = (
        "contract,service_level,period,value\n"
        "A-001,Server operations,2026-11,99.8\n"
        "A-001,Server operations,2027-06,98.1\n"  # a future value hiding a miss
        "A-001,Server operations,2024-12,99.9\n"
    )
    client = client_for(contact_a)
    response = client.post(
        reverse("operations:import_upload"),
        {"file": SimpleUploadedFile("figures.csv", content.encode(), "text/csv")},
    )
    figure_import = FigureImport.objects.get()
    page = client.get(response.url).content.decode()
    assert f"{RANGE} (its term, up to this month), not for 2027-06." in page
    assert f"{RANGE} (its term, up to this month), not for 2024-12." in page
    for line in ("3", "4"):
        assert f'<td class="num">{line}</td>' in page
    assert reverse("operations:import_confirm", args=[figure_import.pk]) not in page
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("contract,period,priority,opened,closed", "A-001,2026-12,P1,1,1"),
        ("contract,period,category,questions", "A-001,2024-12,Printing,3"),
    ],
)
def test_ticket_and_question_rows_outside_the_range_are_refused_too(
    client_for, contact_a, contract_a, header, row
):
    client = client_for(contact_a)
    response = client.post(
        reverse("operations:import_upload"),
        {"file": SimpleUploadedFile("f.csv", f"{header}\n{row}\n".encode(), "text/csv")},
    )
    assert RANGE in client.get(response.url).content.decode()
    assert not TicketCount.objects.exists()
    assert not QuestionCount.objects.exists()
