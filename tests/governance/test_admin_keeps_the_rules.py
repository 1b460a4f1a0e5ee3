"""/admin/ offers no way around the article's rules: a contract's status, a level's mandate and
its role holders change on the contract page only, where activation waits for both sides'
sign-off, ending for the business level's decision, and a change reopens the sign-off."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_shows_a_contracts_status_without_a_way_to_change_it(
    client, admin_user, contract_a
):
    client.force_login(admin_user)
    page = client.get(reverse("admin:suppliers_contract_change", args=[contract_a.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert 'name="title"' in page.content.decode()  # the rest stays editable


def test_the_admin_shows_a_levels_mandate_and_holders_without_a_way_to_change_them(
    client, admin_user, contract_a
):
    client.force_login(admin_user)
    level = contract_a.governance_levels.get(level="business")
    body = client.get(reverse("admin:governance_governancelevel_change", args=[level.pk])).content
    body = body.decode()
    assert 'name="mandate"' not in body
    assert "Business level lead" in body  # the holders are shown
    assert 'name="role_holders-0-role_title"' not in body
    assert 'name="role_holders-MAX_NUM_FORMS" value="0"' in body  # nobody is added here
