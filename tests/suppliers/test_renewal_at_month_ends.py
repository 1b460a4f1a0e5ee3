"""Terms that start on a month's last day stay on the last day: a tacit term from 31 August
renews to the end of February and back to 31 August, not to the 28th; leap years included."""

import calendar
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.dashboard import notice_deadlines
from suppliers.models import Renewal, add_months
from tests.factories import make_contract
from tests.helpers import squashed

pytestmark = pytest.mark.django_db


def month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def months_later(year, month, months):
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


MONTH_ENDS = [month_end(year, month) for year in range(2023, 2030) for month in range(1, 13)]


@pytest.mark.parametrize("end", MONTH_ENDS, ids=str)
def test_add_months_keeps_every_month_end_on_the_last_day(end):
    for months in (-12, -9, -6, -3, -1, 1, 3, 6, 12, 24):
        assert add_months(end, months) == month_end(*months_later(end.year, end.month, months))


@pytest.mark.parametrize("end", MONTH_ENDS, ids=str)
@pytest.mark.parametrize("term", [1, 6, 12])
def test_tacit_terms_from_a_month_end_renew_to_month_ends(supplier_a, end, term):
    contract = make_contract(
        supplier_a,
        start_date=date(2020, 1, 1),
        end_date=end,
        renewal=Renewal.TACIT,
        renewal_term_months=term,
        notice_period_months=3,
    )
    for renewals in range(1, 9):
        expected = month_end(*months_later(end.year, end.month, renewals * term))
        previous = month_end(*months_later(end.year, end.month, (renewals - 1) * term))
        # The day after the previous term ended, and the term's own last day.
        for today in (previous + timedelta(days=1), expected):
            assert contract.current_term_end(today) == expected
            assert contract.notice_deadline(today) == month_end(
                *months_later(expected.year, expected.month, -3)
            )


@pytest.mark.parametrize("end", MONTH_ENDS, ids=str)
def test_express_notice_deadlines_from_a_month_end_fall_on_month_ends(supplier_a, end):
    contract = make_contract(supplier_a, start_date=date(2020, 1, 1), end_date=end)
    for notice in (1, 3, 6, 9, 12):
        contract.notice_period_months = notice
        assert contract.notice_deadline(date(2022, 1, 1)) == month_end(
            *months_later(end.year, end.month, -notice)
        )


@pytest.mark.parametrize(
    ("end", "term", "today", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 3, 1), date(2026, 8, 31)),  # the issue: not 08-28
        (date(2024, 2, 29), 12, date(2025, 3, 1), date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2027, 3, 1), date(2028, 2, 29)),
        (date(2023, 2, 28), 12, date(2023, 3, 1), date(2024, 2, 29)),
        (date(2025, 4, 30), 1, date(2025, 7, 1), date(2025, 7, 31)),
        # A day that is not a month's last keeps its number where the month has it.
        (date(2025, 1, 30), 1, date(2025, 3, 1), date(2025, 3, 30)),
        (date(2025, 1, 28), 1, date(2025, 3, 1), date(2025, 3, 28)),
    ],
)
def test_named_renewals(supplier_a, end, term, today, expected):
    contract = make_contract(
        supplier_a, end_date=date(2025, 12, 31), renewal=Renewal.TACIT, renewal_term_months=term
    )
    contract.start_date, contract.end_date = date(2020, 1, 1), end
    assert contract.current_term_end(today) == expected


@pytest.fixture
def tacit_from_august_end(supplier_a, monkeypatch):
    """Running since 31 August 2025, six months at a time, three months' notice; today is
    15 March 2026, in the term that ends on 31 August 2026."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 3, 15))
    return make_contract(
        supplier_a,
        status="active",
        start_date=date(2023, 9, 1),
        end_date=date(2025, 8, 31),
        renewal=Renewal.TACIT,
        renewal_term_months=6,
        notice_period_months=3,
    )


def test_the_contract_page_shows_the_month_end_term_and_deadline(
    client_for, procurement, tacit_from_august_end
):
    url = reverse("portal:contract_detail", args=[tacit_from_august_end.pk])
    page = squashed(client_for(procurement).get(url).content.decode())
    assert "current term ends 2026-08-31" in page
    assert ">2026-05-31</strong>" in page
    assert "2026-08-28" not in page and "2026-05-28" not in page


def test_the_dashboard_lists_the_month_end_deadline(client_for, director, tacit_from_august_end):
    assert notice_deadlines(date(2026, 3, 15))["shown"] == [
        (date(2026, 5, 31), tacit_from_august_end)
    ]
    page = squashed(client_for(director).get(reverse("portal:dashboard")).content.decode())
    assert "2026-05-31" in page and "2026-08-31" in page
    assert "2026-08-28" not in page and "2026-05-28" not in page
