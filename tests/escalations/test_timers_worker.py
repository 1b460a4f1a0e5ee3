"""The hourly timer on a real Celery worker: a late contract-level issue is flagged and the
business level told by e-mail, once however often beat runs it."""

import email
import email.header
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from escalations.models import EventKind, Issue
from escalations.services import raise_issue
from escalations.tasks import flag_overdue_issues
from governance.models import Level
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def _late_notices(mail_folder, title):
    """(recipient, subject) of each e-mail in the mail folder that says the issue is late."""
    found = []
    for path in mail_folder.glob("*.log"):
        for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
            message = email.message_from_string(raw.strip())
            subject = str(
                email.header.make_header(email.header.decode_header(message["Subject"] or ""))
            )
            if subject == f"Late at the contract level: {title}":
                found.append((message["To"], subject))
    return sorted(found)


def test_the_timer_flags_a_late_contract_issue_and_tells_the_business_level_once(
    worker, contract_a, procurement, mail_folder
):
    title = "Licence true-up disputed (worker)"
    issue = raise_issue(
        title=title,
        contracts=[contract_a],
        owner_name="Ola Drift",
        owner_organisation=contract_a.supplier.name,
        level=Level.CONTRACT,
        by=procurement,
    )
    # It arrived at the contract level three weeks ago; the level's 14 days have run.
    arrived = timezone.now() - timedelta(days=21)
    Issue.objects.filter(pk=issue.pk).update(
        level_since=arrived, due_on=timezone.localdate(arrived) + timedelta(days=14)
    )

    flag_overdue_issues.delay()

    expected = [
        ("buyer.business@example.org", f"Late at the contract level: {title}"),
        ("supplier.business@example.org", f"Late at the contract level: {title}"),
    ]
    assert wait_for(lambda: _late_notices(mail_folder, title) == expected)
    issue.refresh_from_db()
    assert issue.is_flagged
    # A doubled beat: nothing more is flagged or sent.
    flag_overdue_issues.delay()
    flag_overdue_issues.delay()
    time.sleep(3)
    assert issue.events.filter(kind=EventKind.FLAGGED).count() == 1
    assert _late_notices(mail_folder, title) == expected
