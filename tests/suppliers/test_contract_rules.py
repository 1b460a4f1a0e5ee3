from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from governance.models import Level, Role, Side
from governance.services import remove_role_holder
from suppliers.models import Contract, ContractStatus, Renewal
from suppliers.services import change_contract_status
from tests.factories import fill_governance, make_contract, make_user, sign_off

pytestmark = pytest.mark.django_db


def test_express_contract_notice_deadline_is_end_minus_notice_period(supplier_a):
    contract = make_contract(supplier_a, end_date=date(2027, 8, 31), notice_period_months=6)
    assert contract.notice_deadline(today=date(2026, 11, 24)) == date(2027, 2, 28)
    assert contract.days_to_notice_deadline(today=date(2027, 2, 27)) == 1


def test_tacit_contract_rolls_into_its_next_term(supplier_a):
    contract = make_contract(
        supplier_a,
        end_date=date(2025, 12, 31),
        renewal=Renewal.TACIT,
        renewal_term_months=24,
        notice_period_months=9,
    )
    today = date(2026, 11, 24)
    assert contract.current_term_end(today) == date(2027, 12, 31)
    assert contract.notice_deadline(today) == date(2027, 3, 31)


def test_open_ended_contract_has_no_deadline(supplier_a):
    contract = make_contract(supplier_a, end_date=None)
    assert contract.notice_deadline() is None


def test_new_contract_gets_three_levels_with_mandates(supplier_a):
    contract = make_contract(supplier_a)
    levels = {level.level: level.mandate for level in contract.governance_levels.all()}
    assert set(levels) == set(Level.values)
    assert "start and end the relationship" in levels[Level.BUSINESS]
    assert len(contract.missing_roles()) == 6


def test_missing_roles_names_each_gap(supplier_a):
    contract = fill_governance(make_contract(supplier_a), skip={(Level.CONTRACT, Side.SUPPLIER)})
    assert contract.missing_roles() == [(Level.CONTRACT, Side.SUPPLIER)]


def test_contract_cannot_be_activated_with_a_role_missing(supplier_a):
    contract = fill_governance(make_contract(supplier_a), skip={(Level.OPERATIONAL, Side.BUYER)})
    with pytest.raises(ValidationError, match="1 roles are not yet named"):
        change_contract_status(contract=contract, status=ContractStatus.ACTIVE, by=None)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_complete_contract_activates_and_follows_the_lifecycle(contract_a):
    sign_off(contract_a)
    change_contract_status(contract=contract_a, status=ContractStatus.ACTIVE, by=None)
    # Notice and ending are the business level's (tests/suppliers/test_ending.py).
    decision = {"decided_by": contract_a.business_deciders().get(), "reason": "Ends as agreed."}
    change_contract_status(
        contract=contract_a, status=ContractStatus.TERMINATING, by=None, **decision
    )
    change_contract_status(contract=contract_a, status=ContractStatus.ENDED, by=None, **decision)
    assert Contract.objects.get(pk=contract_a.pk).status == ContractStatus.ENDED
    with pytest.raises(ValidationError, match="cannot become active"):
        change_contract_status(contract=contract_a, status=ContractStatus.ACTIVE, by=None)


def test_last_holder_of_a_running_contract_cannot_be_removed(contract_a):
    sign_off(contract_a)
    change_contract_status(contract=contract_a, status=ContractStatus.ACTIVE, by=None)
    holder = contract_a.governance_levels.get(level=Level.BUSINESS).role_holders.get(
        side=Side.SUPPLIER
    )
    with pytest.raises(ValidationError, match="Name a successor"):
        remove_role_holder(holder=holder, by=None)
    assert contract_a.missing_roles() == []


def test_holder_of_a_draft_contract_can_be_removed(contract_a):
    holder = contract_a.governance_levels.get(level=Level.BUSINESS).role_holders.first()
    remove_role_holder(holder=holder, by=None)
    assert len(contract_a.missing_roles()) == 1


def test_database_refuses_a_contract_ending_before_it_starts(supplier_a):
    with pytest.raises(IntegrityError):
        Contract.objects.create(
            supplier=supplier_a,
            reference="X-1",
            title="Backwards",
            scope="-",
            start_date=date(2026, 1, 1),
            end_date=date(2025, 1, 1),
        )


def test_database_refuses_a_supplier_contact_without_a_supplier(db):
    with pytest.raises(IntegrityError):
        make_user(Role.SUPPLIER_CONTACT, supplier=None)


def test_database_refuses_city_staff_bound_to_a_supplier(supplier_a):
    with pytest.raises(IntegrityError):
        make_user(Role.PROCUREMENT, supplier=supplier_a)
