"""Shared fragments (governance.fragments): the contract list, a supplier's page for its
contacts, approved minutes and the meeting page around them are rendered once and shared, yet
every change shows on the next look, and nobody is shown a rendering made for someone who sees
other things, nor anyone else's CSRF token or pulse."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import outbox
from governance.models import OutboxMessage, Role, RoleHolder, Side
from governance.services import remove_role_holder
from meetings.services import (
    add_comment,
    approve_minutes,
    save_item,
    start_correction,
    start_minutes,
)
from relationship.models import Expectation
from relationship.services import answer_pulse
from suppliers.models import Contact, Contract
from suppliers.services import change_contract_status
from tests.factories import (
    fill_governance,
    make_contract,
    make_held_minutes,
    make_quarterly_meeting,
    make_user,
    mark_present,
    sign_off,
)
from tests.helpers import squashed

pytestmark = pytest.mark.django_db

CONTRACTS = reverse("suppliers:contract_list")


def page(client, url=CONTRACTS, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return squashed(response.content.decode())


def test_the_contract_list_shows_every_kind_of_change_on_the_next_look(
    client_for, procurement, director, contract_a, supplier_a
):
    assert "Alpha operations" in page(client_for(procurement))
    assert "complete" in page(client_for(director))

    contract_a.title = "Alpha operations and network"
    contract_a.save()
    assert "Alpha operations and network" in page(client_for(director))

    supplier_a.name = "Alpha Drift Group AB"
    supplier_a.save()
    assert "Alpha Drift Group AB" in page(client_for(director))

    holder = contract_a.governance_levels.get(level="contract").role_holders.first()
    remove_role_holder(holder=holder, by=None)
    assert "1 role missing" in page(client_for(director))
    holder.pk = None
    holder.save()  # a successor is named
    assert "role missing" not in page(client_for(director))

    sign_off(contract_a)
    change_contract_status(contract=contract_a, status="active", by=None)
    assert 'class="status active"' in page(client_for(director), f"{CONTRACTS}?q=A-001")

    fill_governance(make_contract(supplier_a, reference="A-002", title="Alpha desktops"))
    assert "Alpha desktops" in page(client_for(director))
    # The htmx table under the filters is shared in the same way.
    table = page(client_for(procurement), f"{CONTRACTS}?q=desk", HTTP_HX_REQUEST="true")
    assert "Alpha desktops" in table and "Alpha operations" not in table


def test_a_rendering_is_only_shared_with_those_who_see_the_same(
    client_for, procurement, director, contact_a, contract_a, contract_b
):
    for_procurement = page(client_for(procurement))
    assert "Beta applications" in for_procurement
    assert "New contract" in for_procurement

    for_director = page(client_for(director))
    assert "Beta applications" in for_director
    assert "New contract" not in for_director  # the director does not manage contracts

    for_contact = page(client_for(contact_a))
    assert "Alpha operations" in for_contact
    assert "Beta" not in for_contact
    assert 'name="supplier"' not in for_contact  # no supplier filter for a supplier's contact


def test_a_shared_rendering_holds_no_one_s_csrf_token_or_name(client_for, procurement, director):
    body = page(client_for(procurement))
    content = body[body.index("<main ") :]
    assert "csrfmiddlewaretoken" not in content
    assert procurement.email not in content and str(procurement) not in content
    assert str(director) in page(client_for(director))  # the header is each person's own


def test_the_shared_list_costs_the_same_few_queries_however_many_contracts(
    client_for, director, supplier_a
):
    client = client_for(director)
    page(client)
    with CaptureQueriesContext(connection) as first:
        page(client)
    for number in range(30):
        fill_governance(make_contract(supplier_a, reference=f"A-{number:03}"))
    page(client)  # the new version is rendered once
    with CaptureQueriesContext(connection) as again:
        page(client)
    assert len(again) == len(first) <= 7  # session, user, data version, session save


def test_a_supplier_s_contacts_see_new_contacts_accounts_and_contracts_at_once(
    client_for, procurement, contact_a, supplier_a, contract_a
):
    url = supplier_a.get_absolute_url()
    supplier_a.contacts.all().delete()  # the supplier's role holders (fill_governance)
    assert "No contacts yet." in page(client_for(contact_a), url)

    client_for(procurement).post(
        reverse("suppliers:contact_add", args=[supplier_a.pk]),
        {"name": "Ada Drift", "title": "Service manager", "email": "ada@alpha.example"},
    )
    assert "Ada Drift" in page(client_for(contact_a), url)

    contact = Contact.objects.get(email="ada@alpha.example")
    # Ada's account (removing her contact below deactivates it: not the viewer's).
    contact.user = make_user(Role.SUPPLIER_CONTACT, supplier=supplier_a, email=contact.email)
    contact.save()
    assert "<td>yes</td>" in page(client_for(contact_a), url)

    Contract.objects.get(pk=contract_a.pk).delete()
    assert "No contracts yet." in page(client_for(contact_a), url)

    client_for(procurement).post(
        reverse("suppliers:contact_delete", args=[supplier_a.pk, contact.pk])
    )
    assert "Ada Drift" not in page(client_for(contact_a), url)


def test_managers_get_their_own_forms_on_a_supplier_s_page(
    client_for, procurement, contact_a, supplier_a
):
    url = supplier_a.get_absolute_url()
    page(client_for(contact_a), url)
    body = page(client_for(procurement), url)
    assert "Add contact" in body and "csrfmiddlewaretoken" in body
    assert "Add contact" not in page(client_for(contact_a), url)


def test_a_new_role_holder_shows_as_the_governance_completes(client_for, director, supplier_a):
    contract = fill_governance(
        make_contract(supplier_a, reference="A-009"), skip=[("business", Side.SUPPLIER)]
    )
    assert "1 role missing" in page(client_for(director))
    RoleHolder.objects.create(
        governance_level=contract.governance_levels.get(level="business"),
        side=Side.SUPPLIER,
        role_title="Account director",
        name="Bo Drift",
        email="bo@alpha.example",
    )
    assert "role missing" not in page(client_for(director))


def test_approved_minutes_are_shared_and_still_show_their_pdf_and_a_correction(
    client_for, procurement, contact_a, contract_a
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    url = minutes.meeting.get_absolute_url()
    first = page(client_for(procurement), url)
    assert "Producing the PDF" in first and "Keep the target" in first
    shared = page(client_for(contact_a), url)
    assert "Keep the target" in shared
    assert "Correct these minutes" not in shared  # the manager's form is not in the record

    outbox.perform(OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}").pk)
    assert reverse("meetings:minutes_pdf", args=[minutes.pk]) in page(client_for(contact_a), url)

    correction = start_correction(minutes=minutes, by=procurement, reason="Wrong target in item 1")
    version_1 = page(client_for(contact_a), minutes.get_absolute_url())
    assert correction.get_absolute_url() in version_1  # the versions line lists v2


def test_draft_minutes_are_never_shared(client_for, procurement, contact_a, contract_a):
    minutes = make_held_minutes(contract_a, procurement)
    url = minutes.meeting.get_absolute_url()
    assert "Save item" in page(client_for(procurement), url)
    assert "Save item" not in page(client_for(contact_a), url)
    item = minutes.items.first()
    save_item(
        item=item,
        revision=item.revision,
        notes="Uptime back at 99.7 %.",
        decisions="",
        by=procurement,
    )
    assert "Uptime back at 99.7 %." in page(client_for(contact_a), url)


def test_a_contact_s_home_costs_the_same_few_queries_however_many_contracts(
    client_for, contact_a, supplier_a
):
    client = client_for(contact_a)
    url = supplier_a.get_absolute_url()
    page(client, url)
    with CaptureQueriesContext(connection) as first:
        body = page(client, url)
    assert supplier_a.name in body[: body.index("<main ")]  # the menu names their supplier
    for number in range(20):
        make_contract(supplier_a, reference=f"A-{number:03}")
    page(client, url)
    with CaptureQueriesContext(connection) as again:
        page(client, url)
    # session, the person with their supplier, the supplier, the data version, session save
    assert len(again) == len(first) <= 7


def signed_in(user):
    """A browser of its own that, like a real one, must send its CSRF token with every post."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def form_token(body):
    """The CSRF token of the first form in the page's main part (not the htmx header's)."""
    main = body[body.index("<main ") :]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', main).group(1)


def test_a_shared_meeting_page_gives_each_person_their_own_working_csrf_token(
    procurement, contact_a, contract_a
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    url = minutes.meeting.get_absolute_url()
    colleague = make_user(Role.SUPPLIER_CONTACT, supplier=contract_a.supplier)
    first, second = signed_in(contact_a), signed_in(colleague)
    first_page, second_page = page(first, url), page(second, url)
    assert "Keep the target" in first_page and "Keep the target" in second_page

    # Each token belongs to its own person: the other's is refused, one's own is taken.
    comment = reverse("meetings:comment_add", args=[minutes.pk])
    refused = second.post(
        comment, {"body": "Agreed.", "csrfmiddlewaretoken": form_token(first_page)}
    )
    assert refused.status_code == 403
    taken = second.post(
        comment, {"body": "Agreed.", "csrfmiddlewaretoken": form_token(second_page)}
    )
    assert taken.status_code == 302  # back to the comments, on the meeting page
    assert "Agreed." in page(first, url)


def test_a_shared_meeting_page_shows_every_kind_of_change_on_the_next_look(
    client_for, procurement, director, contact_a, contract_a
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    meeting = minutes.meeting
    url = meeting.get_absolute_url()
    assert "No comments yet." in page(client_for(contact_a), url)

    add_comment(minutes=minutes, by=procurement, body="Target confirmed with the supplier.")
    assert "Target confirmed with the supplier." in page(client_for(contact_a), url)

    Expectation.objects.create(
        contract=contract_a,
        meeting=meeting,
        agreed_on=date.today(),
        requirement="Restore within four hours",
        calibration="Counted from the ticket's acceptance.",
        recorded_by=procurement,
    )
    assert "Restore within four hours" in page(client_for(director), url)

    forum = meeting.forum
    forum.dial_in = "+46 8 555 0101"
    forum.save()
    assert "+46 8 555 0101" in page(client_for(contact_a), url)

    outbox.perform(OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}").pk)
    assert reverse("meetings:minutes_pdf", args=[minutes.pk]) in page(client_for(contact_a), url)

    start_correction(minutes=minutes, by=procurement, reason="Wrong target in item 1")
    assert "Save item" in page(client_for(procurement), url)  # the draft, with its forms


def test_a_shared_meeting_page_keeps_each_person_s_own_pulse(procurement, contact_a, contract_a):
    meeting = make_quarterly_meeting([contract_a], procurement)
    approve_minutes(
        minutes=mark_present(start_minutes(meeting=meeting, by=procurement)), by=procurement
    )
    colleague = make_user(Role.SUPPLIER_CONTACT, supplier=contract_a.supplier)
    answer_pulse(
        meeting=meeting, by=contact_a, trust=4, dialogue=3, delivery=5, comment="Steady quarter."
    )
    url = meeting.get_absolute_url()

    mine = page(signed_in(contact_a), url)
    theirs = page(signed_in(colleague), url)
    assert "Change my answer" in mine and "Send my pulse" not in mine
    assert "Send my pulse" in theirs and "Change my answer" not in theirs
    assert "Correct these minutes" not in mine  # and nothing of the managers' page


def test_a_shared_meeting_page_costs_the_same_few_queries_however_many_comments(
    client_for, procurement, contract_a
):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    client = client_for(procurement)
    url = minutes.meeting.get_absolute_url()
    page(client, url)
    with CaptureQueriesContext(connection) as first:
        page(client, url)
    for number in range(10):
        add_comment(minutes=minutes, by=procurement, body=f"Remark {number}")
    page(client, url)
    with CaptureQueriesContext(connection) as again:
        body = page(client, url)
    assert "Remark 9" in body
    # session, the person, the meeting with its forum, the data version, session save
    assert len(again) == len(first) <= 7


def test_a_joint_meeting_page_is_never_shared_between_suppliers(
    client_for, procurement, contact_a, contact_b, contract_a, contract_b
):
    meeting = make_quarterly_meeting([contract_a, contract_b], procurement)
    approve_minutes(
        minutes=mark_present(start_minutes(meeting=meeting, by=procurement)), by=procurement
    )
    Expectation.objects.create(
        contract=contract_a,
        meeting=meeting,
        agreed_on=date.today(),
        requirement="Alpha calibration only",
        calibration="Seen by the city and Alpha.",
        recorded_by=procurement,
    )
    url = meeting.get_absolute_url()
    assert "Alpha calibration only" in page(client_for(contact_a), url)
    assert "Alpha calibration only" not in page(client_for(contact_b), url)


# Whole pages (governance.fragments.shared_page) -------------------------------------------


def header(body):
    return body[: body.index("<main ")]


def test_a_shared_page_names_each_person_and_their_supplier_in_its_header(
    procurement, contact_a, contact_b, contract_a, contract_b
):
    colleague = make_user(Role.PROCUREMENT)
    for person in (procurement, colleague):
        top = header(page(signed_in(person)))
        assert str(person) in top and "Procurement staff" in top
        others = {procurement, colleague} - {person}
        assert all(str(other) not in top for other in others)

    # Each supplier's contacts see their own supplier in the menu, never the other's.
    url = reverse("suppliers:contract_list")
    assert "Alpha Drift AB" in header(page(signed_in(contact_a), url))
    top_b = header(page(signed_in(contact_b), url))
    assert "Beta Applikationer AB" in top_b and "Alpha" not in top_b


def test_a_shared_page_s_menu_follows_the_person(procurement, contract_a):
    admin_link = reverse("admin:index")
    assert admin_link not in header(page(signed_in(procurement)))
    staff = make_user(Role.PROCUREMENT, is_staff=True)
    assert admin_link in header(page(signed_in(staff)))  # same audience, their own menu
    assert admin_link not in header(page(signed_in(procurement)))


def test_a_message_for_the_person_shows_on_a_shared_page_once(procurement, contract_a):
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    url = minutes.meeting.get_absolute_url()
    client = signed_in(procurement)
    page(client, url)  # the page is shared from now on
    token = form_token(page(client, url))
    approve = reverse("meetings:minutes_approve", args=[minutes.pk])
    response = client.post(approve, {"csrfmiddlewaretoken": token}, follow=True)
    assert "These minutes were already approved." in response.content.decode()
    assert "These minutes were already approved." not in page(client, url)
    assert "These minutes were already approved." not in page(signed_in(procurement), url)


def test_a_shared_page_sends_fewer_bytes_and_keeps_what_people_typed(procurement, contract_a):
    """The templates' indentation between tags is left out of a shared page; notes, shown as
    typed (white-space: pre-wrap), keep their line breaks and leading spaces."""
    notes = "Steps:\n    1. restart\n    2. verify"
    minutes = approve_minutes(
        minutes=make_held_minutes(contract_a, procurement, notes=notes), by=procurement
    )
    url = minutes.meeting.get_absolute_url()
    client = signed_in(procurement)
    page(client, url)
    body = client.get(url).content.decode()
    assert "Steps:\n    1. restart\n    2. verify" in body
    assert not re.search(r">\n[ \t]+<", body)


def test_the_data_version_is_prepared_once_per_connection_and_counted(client_for, director):
    """PostgreSQL plans the data version's query once per connection (planning it on every
    page cost more than the rest of the request); it still shows among a page's queries."""
    client = client_for(director)
    page(client)
    with CaptureQueriesContext(connection) as captured:
        page(client)
    assert any("max(history_id)" in query["sql"] for query in captured)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any("max(history_id)" in statement for statement in prepared)


def test_a_shared_meeting_page_follows_a_held_meeting_changed_by_hand(
    procurement, director, contract_a
):
    """The city's people are served a shared meeting page without the meeting being looked up:
    a change made by hand (the admin saves the meeting) still shows at once. (A meeting with
    minutes cannot be deleted: the minutes protect it.)"""
    minutes = approve_minutes(minutes=make_held_minutes(contract_a, procurement), by=procurement)
    meeting = minutes.meeting
    url = meeting.get_absolute_url()
    client = signed_in(director)
    assert "Keep the target" in page(client, url)

    meeting.ends_at = meeting.starts_at + timedelta(minutes=95)
    meeting.save()
    local_end = timezone.localtime(meeting.ends_at).strftime("%H:%M")
    assert f"\u2013{local_end}" in page(client, url)  # after the start, an en dash
