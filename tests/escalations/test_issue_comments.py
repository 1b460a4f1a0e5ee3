"""An issue's parties comment on it between its moves: the comment goes into its history, read
by everyone who reads the issue; the IT director reads, a resolved issue takes no more."""

import pytest
from django.urls import reverse

from escalations.models import EventKind, IssueStatus
from escalations.services import IssueClosed, comment_on_issue
from tests.factories import make_issue

pytestmark = pytest.mark.django_db


def comment(client, issue, text):
    return client.post(reverse("escalations:issue_comment", args=[issue.pk]), {"comment": text})


def test_a_supplier_s_contact_comments_and_the_city_reads_it(
    client_for, contract_a, procurement, contact_a
):
    issue = make_issue([contract_a], procurement, title="Printers offline")
    response = comment(client_for(contact_a), issue, "Spare part arrives Tuesday.")
    assert response.status_code == 302
    assert response["Location"].endswith("#history")
    event = issue.events.get(kind=EventKind.COMMENTED)
    assert (event.reason, event.by, event.to_level) == (
        "Spare part arrives Tuesday.",
        contact_a,
        issue.level,
    )
    page = client_for(procurement).get(issue.get_absolute_url()).content.decode()
    assert "Spare part arrives Tuesday." in page and "Commented" in page


def test_an_empty_comment_is_refused_next_to_the_field(client_for, contract_a, procurement):
    issue = make_issue([contract_a], procurement)
    response = comment(client_for(procurement), issue, "   ")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not issue.events.filter(kind=EventKind.COMMENTED).exists()


def test_the_director_reads_and_another_supplier_finds_nothing(
    client_for, contract_a, procurement, director, contact_b
):
    issue = make_issue([contract_a], procurement)
    assert comment(client_for(director), issue, "Noted").status_code == 403
    assert comment(client_for(contact_b), issue, "Noted").status_code == 404
    director_page = client_for(director).get(issue.get_absolute_url()).content.decode()
    assert reverse("escalations:issue_comment", args=[issue.pk]) not in director_page
    assert not issue.events.filter(kind=EventKind.COMMENTED).exists()


def test_a_resolved_issue_takes_no_more_comments(client_for, contract_a, procurement):
    issue = make_issue([contract_a], procurement, status=IssueStatus.RESOLVED)
    with pytest.raises(IssueClosed):
        comment_on_issue(issue=issue, text="Late word", by=procurement)
    client = client_for(procurement)
    assert reverse("escalations:issue_comment", args=[issue.pk]) not in (
        client.get(issue.get_absolute_url()).content.decode()
    )
    response = comment(client, issue, "Late word")
    assert response.status_code == 302
    assert not issue.events.filter(kind=EventKind.COMMENTED).exists()
