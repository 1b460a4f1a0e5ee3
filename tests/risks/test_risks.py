"""The risk register: the rules of a risk, who sees and changes which risks, comments from
both sides, the owners' review reminders, the agenda and the dashboard's heat map."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from governance.models import OutboxMessage, Role
from meetings.models import AgendaProposal, Meeting, ProposalStatus
from risks.models import Risk, RiskComment, RiskStatus
from risks.selectors import heat_map, heat_map_counts
from risks.services import (
    NotShared,
    create_risk,
    put_on_agenda,
    queue_review_reminders,
    update_risk,
)
from suppliers.models import Contact
from tests.factories import make_contract, make_forum, make_issue, make_risk, make_user
from tests.helpers import assert_section, squashed

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def risk_fields(of, owner, **fields):
    return {
        "supplier": of.supplier,
        "contract": of,
        "title": "Key person leaves",
        "likelihood": 2,
        "impact": 4,
        "owner_user": owner,
        "review_on": timezone.localdate() + timedelta(days=10),
        **fields,
    }


# The rules of a risk


def test_score_is_likelihood_times_impact(contract_a, procurement):
    risk = make_risk(contract_a, procurement, likelihood=4, impact=5)
    assert risk.score == 20
    assert (risk.likelihood_label, risk.impact_label) == ("4 Likely", "5 Severe")


@pytest.mark.parametrize("field", ["likelihood", "impact"])
@pytest.mark.parametrize("value", [0, 6])
def test_likelihood_and_impact_are_one_to_five(contract_a, procurement, field, value):
    with pytest.raises(ValidationError) as refused:
        create_risk(by=procurement, **risk_fields(contract_a, procurement, **{field: value}))
    assert field in refused.value.message_dict
    # The database holds the rule too (the admin, a bulk write).
    risk = make_risk(contract_a, procurement)
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(**{field: value})


def test_the_contract_must_be_the_suppliers(contract_a, contract_b, procurement):
    fields = risk_fields(contract_a, procurement, contract=contract_b)
    with pytest.raises(ValidationError) as refused:
        create_risk(by=procurement, **fields)
    assert refused.value.message_dict["contract"] == ["The contract must be one of the supplier's."]


def test_one_owner_on_either_side(contract_a, supplier_a, supplier_b, procurement, contact_a):
    own = Contact.objects.create(supplier=supplier_a, name="Ola", email="ola@a.example")
    other = Contact.objects.create(supplier=supplier_b, name="Bo", email="bo@b.example")
    for fields, field in [
        ({"owner_user": None}, "owner_user"),  # nobody
        ({"owner_contact": own, "shared_with_supplier": True}, "owner_contact"),  # both
        (
            {"owner_user": None, "owner_contact": other, "shared_with_supplier": True},
            "owner_contact",
        ),
        ({"owner_user": contact_a}, "owner_user"),  # a supplier's account is not the city's
        ({"owner_user": None, "owner_contact": own}, "shared_with_supplier"),
    ]:
        with pytest.raises(ValidationError) as refused:
            create_risk(by=procurement, **risk_fields(contract_a, procurement, **fields))
        assert field in refused.value.message_dict, fields
    risk = create_risk(
        by=procurement,
        **risk_fields(
            contract_a, procurement, owner_user=None, owner_contact=own, shared_with_supplier=True
        ),
    )
    assert (risk.owner_name, risk.owner_organisation, risk.owner_email) == (
        "Ola",
        supplier_a.name,
        "ola@a.example",
    )


def test_only_issues_of_the_same_supplier_are_linked(contract_a, contract_b, procurement):
    own = make_issue([contract_a], procurement, title="Backups")
    other = make_issue([contract_b], procurement, title="Beta's")
    risk = create_risk(by=procurement, issues=[own, other], **risk_fields(contract_a, procurement))
    assert list(risk.issues.all()) == [own]


def test_changes_are_kept_in_the_history_and_shown_on_the_page(contract_a, procurement, client_for):
    risk = make_risk(contract_a, procurement, likelihood=2)
    update_risk(risk=risk, by=procurement, likelihood=5, status=RiskStatus.MONITORING)
    assert risk.history.count() == 2
    page = squashed(client_for(procurement).get(risk.get_absolute_url()).content.decode())
    assert "Likelihood: 2 Unlikely → 5 Almost certain" in page
    assert "Status: Open → Mitigated, monitored" in page


# Who sees and changes what


def test_supplier_contacts_see_only_their_own_shared_risks(
    contract_a, contract_b, procurement, contact_a, contact_b, client_for
):
    shared = make_risk(contract_a, procurement, title="Shared one", shared_with_supplier=True)
    unshared = make_risk(contract_a, procurement, title="City's own")
    beta = make_risk(contract_b, procurement, title="Beta's risk", shared_with_supplier=True)
    client = client_for(contact_a)
    listed = client.get(reverse("risks:list")).content.decode()
    assert "Shared one" in listed
    assert "City&#x27;s own" not in listed and "City's own" not in listed
    assert "Beta&#x27;s risk" not in listed and "Beta's risk" not in listed
    assert client.get(shared.get_absolute_url()).status_code == 200
    assert client.get(unshared.get_absolute_url()).status_code == 404
    assert client.get(beta.get_absolute_url()).status_code == 404
    for url in (
        reverse("risks:comment_add", args=[beta.pk]),
        reverse("risks:comment_add", args=[unshared.pk]),
    ):
        assert client.post(url, {"body": "Ours?"}).status_code == 404
    assert not RiskComment.objects.exists()
    # Supplier B's contact: A's shared risk does not exist for them.
    assert client_for(contact_b).get(shared.get_absolute_url()).status_code == 404


def test_the_supplier_and_contract_pages_list_the_open_risks(
    contract_a, procurement, contact_a, client_for
):
    make_risk(contract_a, procurement, title="Shared one", shared_with_supplier=True)
    make_risk(contract_a, procurement, title="City only one")
    make_risk(contract_a, procurement, title="Closed one", status=RiskStatus.CLOSED)
    for user, shown, hidden in [
        (procurement, ["Shared one", "City only one"], ["Closed one"]),
        (contact_a, ["Shared one"], ["City only one", "Closed one"]),
    ]:
        client = client_for(user)
        for url in (
            contract_a.get_absolute_url(),
            reverse("portal:supplier_detail", args=[contract_a.supplier_id]),
        ):
            page = client.get(url).content.decode()
            assert 'id="risks"' in page
            assert all(title in page for title in shown), (user, url)
            assert not any(title in page for title in hidden), (user, url)


def test_the_register_is_sorted_by_score_and_filtered(contract_a, procurement, client_for):
    low = make_risk(contract_a, procurement, title="Low one", likelihood=1, impact=2)
    high = make_risk(contract_a, procurement, title="High one", likelihood=5, impact=4)
    other = make_contract(contract_a.supplier)
    middle = make_risk(other, procurement, title="Middle one", likelihood=3, impact=3)
    client = client_for(procurement)
    page = client.get(reverse("risks:list")).content.decode()
    assert page.index("High one") < page.index("Middle one") < page.index("Low one")
    by_contract = client.get(reverse("risks:list"), {"contract": other.pk}).content.decode()
    assert "Middle one" in by_contract and "High one" not in by_contract
    cell = client.get(reverse("risks:list"), {"likelihood": 5, "impact": 4}).content.decode()
    assert "High one" in cell and "Low one" not in cell
    update_risk(risk=low, by=procurement, status=RiskStatus.CLOSED)
    assert "Low one" not in client.get(reverse("risks:list")).content.decode()
    closed = client.get(reverse("risks:list"), {"status": "closed"}).content.decode()
    assert "Low one" in closed
    by_owner = client.get(reverse("risks:list"), {"owner": f"user:{procurement.pk}"})
    assert "High one" in by_owner.content.decode()
    assert {high.pk, middle.pk} <= set(Risk.objects.values_list("pk", flat=True))


def test_a_manager_records_a_risk_through_the_form(contract_a, procurement, client_for):
    client = client_for(procurement)
    url = reverse("risks:create") + f"?supplier={contract_a.supplier_id}"
    form = client.get(url).content.decode()
    assert "3 Possible" in form and "5 Severe" in form
    response = client.post(
        url,
        {
            "supplier": contract_a.supplier_id,
            "contract": contract_a.pk,
            "title": "Storage end of life",
            "likelihood": "4",
            "impact": "3",
            "owner_user": procurement.pk,
            "review_on": "2027-01-15",
            "status": "open",
        },
    )
    risk = Risk.objects.get()
    assert response.status_code == 302 and response["Location"] == risk.get_absolute_url()
    assert (risk.score, risk.shared_with_supplier, risk.created_by) == (12, False, procurement)


def test_a_refused_form_says_why_and_keeps_what_was_typed(contract_a, procurement, client_for):
    client = client_for(procurement)
    response = client.post(
        reverse("risks:create") + f"?supplier={contract_a.supplier_id}",
        {"supplier": contract_a.supplier_id, "title": "Half typed", "likelihood": "9"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Half typed"' in page
    assert "Select a valid choice" in page
    assert "Name an owner: at the city or at the supplier." in page
    assert not Risk.objects.exists()


# Comments


def test_both_sides_comment_on_a_shared_risk(contract_a, procurement, contact_a, client_for):
    risk = make_risk(contract_a, procurement, shared_with_supplier=True)
    url = reverse("risks:comment_add", args=[risk.pk])
    response = client_for(contact_a).post(url, {"body": "We test the restore in March"}, **HTMX)
    assert_section(response, "comments")
    assert "We test the restore in March" in response.content.decode()
    client_for(procurement).post(url, {"body": "Good, tell us the date"})
    assert [(c.author, c.body) for c in risk.comments.all()] == [
        (contact_a, "We test the restore in March"),
        (procurement, "Good, tell us the date"),
    ]
    refused = client_for(contact_a).post(url, {"body": ""}, **HTMX)
    assert "This field is required." in refused.content.decode()


def test_the_director_reads_but_does_not_comment(contract_a, procurement, director, client_for):
    risk = make_risk(contract_a, procurement)
    client = client_for(director)
    assert client.get(risk.get_absolute_url()).status_code == 200
    assert (
        client.post(reverse("risks:comment_add", args=[risk.pk]), {"body": "Hm"}).status_code == 403
    )


# Review reminders


def test_the_owner_is_told_once_per_review_date(contract_a, supplier_a, procurement):
    today = timezone.localdate()
    contact = Contact.objects.create(supplier=supplier_a, name="Ola", email="ola@a.example")
    due = make_risk(
        contract_a,
        procurement,
        title="Restore untested",
        review_on=today,
        owner_contact=contact,
        shared_with_supplier=True,
    )
    make_risk(contract_a, procurement, title="Later", review_on=today + timedelta(days=1))
    make_risk(contract_a, procurement, title="Closed", review_on=today, status=RiskStatus.CLOSED)
    city = make_risk(contract_a, procurement, title="City's own", review_on=today - timedelta(3))

    assert queue_review_reminders(today=today) == 2
    queue_review_reminders(today=today)  # a doubled beat
    queue_review_reminders(today=today + timedelta(days=1))  # the next day, not reviewed yet
    mails = OutboxMessage.objects.filter(key__startswith="risk-review:")
    assert mails.count() == 3  # the two of today, and "Later" the next day
    mail = mails.get(key=f"risk-review:{due.pk}:{today}:ola@a.example")
    assert mail.payload["to"] == ["ola@a.example"]
    assert "Restore untested" in mail.payload["subject"]
    assert due.get_absolute_url() in mail.payload["body"]
    assert mails.get(key__startswith=f"risk-review:{city.pk}:").payload["to"] == [procurement.email]
    # A new review date is told again, when it comes.
    update_risk(risk=due, by=procurement, review_on=today + timedelta(days=30))
    queue_review_reminders(today=today + timedelta(days=30))
    assert mails.filter(key__startswith=f"risk-review:{due.pk}:").count() == 2


def test_the_reminder_speaks_the_owners_language(contract_a, procurement):
    owner = make_user(Role.PROCUREMENT, language="sv")
    make_risk(contract_a, procurement, owner_user=owner, review_on=timezone.localdate())
    queue_review_reminders()
    mail = OutboxMessage.objects.get(key__startswith="risk-review:")
    assert mail.payload["subject"].startswith("Risk att se över senast")
    assert "Sannolikhet" in mail.payload["body"]


# The agenda


def _coming_meeting(forum, days=3):
    starts_at = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )


def test_a_shared_risk_goes_on_the_coming_meeting_agenda(
    contract_a, contract_b, procurement, client_for
):
    chair = make_user(Role.PROCUREMENT)
    forum = make_forum([contract_a], chair)
    meeting = _coming_meeting(forum)
    _coming_meeting(forum, days=10)  # the one after: not offered
    joint = _coming_meeting(make_forum([contract_a, contract_b], chair))  # B would read it
    risk = make_risk(contract_a, procurement, title="Restore untested")
    client = client_for(procurement)
    page = client.get(risk.get_absolute_url()).content.decode()
    assert f'value="{meeting.pk}"' in page and f'value="{joint.pk}"' not in page

    url = reverse("risks:agenda_add", args=[risk.pk])
    refused = client.post(url, {"meeting": meeting.pk}, **HTMX)
    assert "Share the risk with the supplier first" in refused.content.decode()
    assert not AgendaProposal.objects.exists()

    update_risk(risk=risk, by=procurement, shared_with_supplier=True)
    response = client.post(url, {"meeting": meeting.pk}, **HTMX)
    assert_section(response, "agenda")
    proposal = AgendaProposal.objects.get()
    assert proposal.meeting == meeting and proposal.title == "Risk: Restore untested"
    assert proposal.status == ProposalStatus.PROPOSED  # the chair decides
    assert risk.get_absolute_url() in proposal.description
    assert OutboxMessage.objects.filter(key=f"agenda-proposal:{proposal.pk}").exists()
    assert meeting.get_absolute_url() in response.content.decode()


def test_the_chairs_own_risk_is_on_the_agenda_at_once(contract_a, procurement):
    meeting = _coming_meeting(make_forum([contract_a], procurement))
    risk = make_risk(contract_a, procurement, shared_with_supplier=True)
    item = put_on_agenda(risk=risk, meeting=meeting, by=procurement)
    assert item.proposal.status == ProposalStatus.ACCEPTED
    with pytest.raises(NotShared):
        put_on_agenda(risk=make_risk(contract_a, procurement), meeting=meeting, by=procurement)


# The dashboard's heat map


def test_heat_map_counts_the_risks_not_closed(contract_a, contract_b, procurement):
    make_risk(contract_a, procurement, likelihood=4, impact=5)
    make_risk(contract_b, procurement, likelihood=4, impact=5, status=RiskStatus.MONITORING)
    make_risk(contract_a, procurement, likelihood=1, impact=1)
    make_risk(contract_a, procurement, likelihood=2, impact=2, status=RiskStatus.CLOSED)
    counts = heat_map_counts()
    assert counts == {(4, 5): 2, (1, 1): 1}
    table = heat_map(counts)
    assert table["total"] == 3
    assert next(label for label, _cells in table["rows"]) == "5 Almost certain"
    cell = dict(table["rows"])["4 Likely"][4]
    assert (cell.count, cell.score, cell.band) == (2, 20, "critical")


def test_the_dashboard_shows_the_heat_map_and_each_cell_links_to_its_risks(
    contract_a, procurement, director, client_for
):
    client = client_for(director)
    client.get(reverse("portal:dashboard"))  # kept, before the risk
    make_risk(contract_a, procurement, title="Restore untested", likelihood=4, impact=5)
    page = squashed(client.get(reverse("portal:dashboard")).content.decode())  # the next look
    assert '<th scope="row">Likelihood 4 Likely</th>' in page
    assert '<th scope="col">Impact 5 Severe</th>' in page
    link = reverse("risks:list") + "?status=active&amp;likelihood=4&amp;impact=5"
    assert f'<a href="{link}">1</a><span class="band">very high</span>' in page
    assert page.count('<td class="heat') == 25
    listed = client.get(reverse("risks:list"), {"status": "active", "likelihood": 4, "impact": 5})
    assert "Restore untested" in listed.content.decode()


def test_a_removed_contact_leaves_the_risk_without_an_owner(
    contract_a, supplier_a, procurement, client_for
):
    contact = Contact.objects.create(supplier=supplier_a, name="Ola", email="ola@a.example")
    risk = make_risk(
        contract_a, procurement, owner_user=None, owner_contact=contact, shared_with_supplier=True
    )
    url = reverse("suppliers:contact_delete", args=[supplier_a.pk, contact.pk])
    assert client_for(procurement).post(url).status_code == 302
    risk.refresh_from_db()
    assert risk.owner_contact is None
    assert queue_review_reminders(today=risk.review_on) == 0  # nobody to tell


def test_a_persons_data_lists_their_risk_comments_and_risks(
    contract_a, procurement, contact_a, client_for
):
    risk = make_risk(contract_a, procurement, title="Restore untested", shared_with_supplier=True)
    client_for(contact_a).post(
        reverse("risks:comment_add", args=[risk.pk]), {"body": "We test in March"}
    )
    data = (
        client_for(procurement)
        .get(reverse("portal:personal_data_json", args=[contact_a.pk]))
        .json()
    )
    assert [row["text"] for row in data["risk_comments"]] == ["We test in March"]
    owner = (
        client_for(procurement)
        .get(reverse("portal:personal_data_json", args=[procurement.pk]))
        .json()
    )
    assert [row["title"] for row in owner["risks_owned"]] == ["Restore untested"]
