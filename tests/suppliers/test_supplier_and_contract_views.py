import pytest
from django.urls import reverse

from governance.models import Level, RoleHolder, Side
from suppliers.models import Contact, Contract, ContractStatus, ServiceLevel, Supplier
from tests.factories import fill_governance, make_contract, make_supplier, sign_off

pytestmark = pytest.mark.django_db


def test_bad_organisation_number_is_explained_and_input_kept(client_for, procurement):
    client = client_for(procurement)
    response = client.post(
        reverse("suppliers:create"),
        {"name": "Gamma Nät AB", "organisation_number": "556036-0794", "tier": "key"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "the check digit does not match" in page
    assert 'value="Gamma Nät AB"' in page
    assert not Supplier.objects.filter(name="Gamma Nät AB").exists()


def test_supplier_is_created_with_normalised_number(client_for, procurement):
    response = client_for(procurement).post(
        reverse("suppliers:create"),
        {"name": "Gamma Nät AB", "organisation_number": "5560360793", "tier": "key"},
    )
    supplier = Supplier.objects.get(name="Gamma Nät AB")
    assert response["Location"] == supplier.get_absolute_url()
    assert supplier.organisation_number == "556036-0793"


def test_duplicate_contract_reference_gets_a_message_not_an_error(
    client_for, procurement, contract_a
):
    response = client_for(procurement).post(
        reverse("suppliers:contract_create"),
        {
            "supplier": contract_a.supplier_id,
            "reference": contract_a.reference,
            "title": "Second",
            "scope": "Same reference",
            "start_date": "2026-01-01",
            "end_date": "2025-01-01",
            "notice_period_months": 6,
            "renewal": "tacit",
            "annual_value_sek": 5,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Contract with this Reference already exists." in page
    assert "The end date cannot be before the start date." in page
    assert "Say how long each tacit renewal runs" in page
    assert 'value="Second"' in page


def test_new_contract_page_shows_all_six_missing_roles(client_for, procurement, supplier_a):
    response = client_for(procurement).post(
        reverse("suppliers:contract_create"),
        {
            "supplier": supplier_a.pk,
            "reference": "N-1",
            "title": "New",
            "scope": "Scope",
            "start_date": "2026-01-01",
            "end_date": "2028-12-31",
            "notice_period_months": 6,
            "renewal": "express",
            "annual_value_sek": 1000,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.content.decode().count("Nobody named") == 6
    assert Contract.objects.get(reference="N-1").status == ContractStatus.DRAFT


def test_activation_with_missing_roles_says_why(client_for, procurement, supplier_a):
    contract = fill_governance(make_contract(supplier_a), skip={(Level.BUSINESS, Side.SUPPLIER)})
    response = client_for(procurement).post(
        reverse("suppliers:contract_status", args=[contract.pk]), {"status": "active"}, follow=True
    )
    page = response.content.decode()
    assert "cannot be made active: 1 roles are not yet named" in page
    assert "Business level · Supplier" in page


def test_htmx_role_holder_add_returns_the_level_and_updates_the_banner(
    client_for, procurement, supplier_a
):
    contract = fill_governance(make_contract(supplier_a), skip={(Level.BUSINESS, Side.SUPPLIER)})
    vera = Contact.objects.create(supplier=supplier_a, name="Vera Vd", email="vera@alpha.example")
    response = client_for(procurement).post(
        reverse("governance:role_holder_add", args=[contract.pk, "business"]),
        {"business-person": f"contact-{vera.pk}", "business-role_title": "Managing director"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="level-business"' in page
    assert "Vera Vd" in page
    assert 'hx-swap-oob="true"' in page
    assert "Every level has named role holders on both sides." in page
    holder = RoleHolder.objects.get(name="Vera Vd")
    assert (holder.email, holder.contact, holder.side) == ("vera@alpha.example", vera, "supplier")
    assert "HX-Request" in response["Vary"]


def test_htmx_role_holder_errors_stay_in_the_panel(client_for, procurement, contract_a):
    response = client_for(procurement).post(
        reverse("governance:role_holder_add", args=[contract_a.pk, "contract"]),
        {"contract-person": "user-999999", "contract-role_title": "Kept role"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "Select a valid choice." in page
    assert 'value="Kept role"' in page


def test_removing_the_last_holder_of_an_active_contract_is_refused(
    client_for, procurement, contract_a
):
    contract_a.status = ContractStatus.ACTIVE
    contract_a.save()
    holder = RoleHolder.objects.get(
        governance_level__contract=contract_a, governance_level__level="operational", side="buyer"
    )
    response = client_for(procurement).post(
        reverse("governance:role_holder_remove", args=[contract_a.pk, "operational", holder.pk]),
        headers={"HX-Request": "true"},
    )
    assert "Name a successor before removing them." in response.content.decode()
    assert RoleHolder.objects.filter(pk=holder.pk).exists()


def test_service_level_over_100_percent_is_refused_clearly(client_for, procurement, contract_a):
    response = client_for(procurement).post(
        reverse("suppliers:service_level_add", args=[contract_a.pk]),
        {
            "name": "E-mail",
            "metric": "availability",
            "comparison": "at_least",
            "target": "199",
            "unit": "percent",
            "period": "month",
        },
        headers={"HX-Request": "true"},
    )
    assert "A percentage target must be between 0 and 100." in response.content.decode()
    assert not ServiceLevel.objects.exists()


def test_supplier_contact_sees_only_their_contracts(client_for, contact_a, contract_a, contract_b):
    page = client_for(contact_a).get(reverse("suppliers:contract_list")).content.decode()
    assert contract_a.reference in page
    assert contract_b.reference not in page
    assert contract_b.supplier.name not in page


def test_supplier_contact_sees_no_edit_controls(client_for, contact_a, contract_a):
    page = client_for(contact_a).get(contract_a.get_absolute_url()).content.decode()
    assert "Name a role holder" not in page
    assert "Make active" not in page
    assert "Alpha operations" in page


def test_contract_list_filters_with_htmx_partial(client_for, procurement, contract_a, contract_b):
    response = client_for(procurement).get(
        reverse("suppliers:contract_list"), {"q": "beta"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="contract-table">')
    assert contract_b.reference in page
    assert contract_a.reference not in page


def _count_queries(client, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Worked out afresh each time: what was kept from before would save the queries of the
    # dashboard's parts whose data did not change in between.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name", ["suppliers:contract_list", "suppliers:list", "portal:dashboard"]
)
def test_list_pages_do_a_fixed_number_of_queries(client_for, procurement, url_name):
    client = client_for(procurement)
    url = reverse(url_name)
    supplier = make_supplier()
    fill_governance(make_contract(supplier))
    small = _count_queries(client, url)
    for _ in range(5):
        supplier = make_supplier()
        for _ in range(4):
            fill_governance(make_contract(supplier))
    large = _count_queries(client, url)
    assert large == small


def test_dashboard_lists_a_passed_deadline_until_the_term_ends(client_for, director, supplier_a):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    passed = make_contract(
        supplier_a,
        reference="PASSED-1",
        end_date=today + timedelta(days=60),
        notice_period_months=6,
        status=ContractStatus.ACTIVE,
    )
    far = fill_governance(
        make_contract(
            supplier_a,
            reference="FAR-1",
            end_date=today + timedelta(days=2000),
            status=ContractStatus.ACTIVE,
        )
    )
    page = client_for(director).get(reverse("portal:dashboard")).content.decode()
    assert passed.reference in page
    assert "(passed)" in page
    assert far.reference not in page


def test_contract_list_pages_keep_the_filter(client_for, procurement, supplier_a, supplier_b):
    for number in range(55):
        make_contract(supplier_a, reference=f"P-{number:03d}", title="Paged")
    make_contract(supplier_b, reference="P-999", title="Paged elsewhere")
    client = client_for(procurement)
    first = client.get(reverse("suppliers:contract_list"), {"supplier": supplier_a.pk})
    page = first.content.decode()
    assert "Page 1 of 2" in page
    assert f"?supplier={supplier_a.pk}&amp;page=2" in page
    second = client.get(reverse("suppliers:contract_list"), {"supplier": supplier_a.pk, "page": 2})
    assert "P-054" in second.content.decode()
    assert "P-999" not in second.content.decode()


def test_history_shows_who_changed_what(client_for, procurement, contract_a):
    client = client_for(procurement)
    sign_off(contract_a)
    client.post(reverse("suppliers:contract_status", args=[contract_a.pk]), {"status": "active"})
    dora = Contact.objects.create(
        supplier=contract_a.supplier, name="Dora Deputy", email="dora@alpha.example"
    )
    client.post(
        reverse("governance:role_holder_add", args=[contract_a.pk, "contract"]),
        {"contract-person": f"contact-{dora.pk}", "contract-role_title": "Deputy"},
    )
    page = client.get(reverse("portal:contract_history", args=[contract_a.pk])).content.decode()
    assert "Contract level, Supplier: Deputy Dora Deputy" in page
    assert "<del>Draft</del> → Active" in page
    assert str(procurement) in page


def test_history_page_queries_do_not_grow_with_history(client_for, procurement, contract_a):
    client = client_for(procurement)
    url = reverse("portal:contract_history", args=[contract_a.pk])
    small = _count_queries(client, url)
    for number in range(10):
        contract_a.title = f"Renamed {number}"
        contract_a.save()
    large = _count_queries(client, url)
    assert large == small


def test_history_includes_the_target_picture_and_the_expectations_log(
    client_for, procurement, contract_a
):
    from datetime import date

    from relationship.models import CityGoal, Expectation, Goal

    goal = Goal.objects.create(contract=contract_a, title="One service desk for the city")
    goal.status = "achieved"
    goal.save()
    goal.city_goal = CityGoal.objects.create(title="Digital first")
    goal.save()
    Expectation.objects.create(
        contract=contract_a,
        agreed_on=date(2026, 10, 13),
        requirement="Response time for P2 tickets",
        calibration="Counted in office hours.",
        recorded_by=procurement,
    )
    page = (
        client_for(procurement)
        .get(reverse("portal:contract_history", args=[contract_a.pk]))
        .content.decode()
    )
    assert "Goal: One service desk for the city" in page
    assert "<del>Pursuing</del> → Achieved" in page
    assert "→ Digital first" in page  # the city-wide goal it serves, by its title
    assert "Expectation: Response time for P2 tickets" in page
