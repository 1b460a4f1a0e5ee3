"""A supplier's contacts lose access SUPPLIER_ACCESS_GRACE_DAYS after its last contract ended,
and the portal keeps personal records no longer than their time (the access log, the outbox);
the privacy notice says so, on every page's footer and in each invitation."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.models import AccessEvent, HeldEmail, OutboxMessage
from governance.outbox import email_message
from governance.services import purge_old_records
from suppliers.models import Contract, ContractStatus
from suppliers.services import end_access_after_last_contract, invite_contact, send_invitation_email
from tests.factories import make_contract

pytestmark = pytest.mark.django_db

GRACE = timedelta(days=settings.SUPPLIER_ACCESS_GRACE_DAYS)


def end(contract, days_ago):
    """The contract ended `days_ago` days ago, as its history records it."""
    contract.status = ContractStatus.ENDED
    contract.save()
    record = Contract.history.filter(id=contract.pk).latest("history_id")
    record.history_date = timezone.now() - timedelta(days=days_ago)
    record.save()


def test_contacts_keep_access_through_the_grace_period_and_lose_it_after(
    contact_a, contract_a, contact_b, contract_b
):
    end(contract_a, days_ago=GRACE.days - 1)
    assert end_access_after_last_contract() == 0
    contact_a.refresh_from_db()
    assert contact_a.is_active

    later = timezone.now() + timedelta(days=2)
    assert end_access_after_last_contract(now=later) == 1
    contact_a.refresh_from_db()
    contact_b.refresh_from_db()
    assert not contact_a.is_active
    assert contact_b.is_active  # B's contract runs on
    assert AccessEvent.objects.filter(kind="deactivated", person=contact_a, by=None).exists()


def test_a_supplier_with_one_contract_still_running_keeps_its_contacts(
    contact_a, contract_a, supplier_a
):
    make_contract(supplier_a, status="active")
    end(contract_a, days_ago=GRACE.days * 3)
    assert end_access_after_last_contract() == 0


def test_old_access_records_and_sent_mail_are_deleted(procurement):
    old, recent = (
        AccessEvent.objects.create(kind="signed_in", email=procurement.email, person=procurement),
        AccessEvent.objects.create(kind="signed_in", email=procurement.email, person=procurement),
    )
    AccessEvent.objects.filter(pk=old.pk).update(
        at=timezone.now() - timedelta(days=settings.ACCESS_LOG_DAYS + 1)
    )
    sent = email_message("test:sent-long-ago", to=procurement.email, subject="s", body="b")
    sent.done_at = timezone.now() - timedelta(days=91)
    sent.save()
    waiting = email_message("test:not-sent", to=procurement.email, subject="s", body="b")
    waiting.save()
    # Held for the digest: one a digest carried long ago, one carried this week, one waiting.
    long_ago = timezone.now() - timedelta(days=91)
    for key, digest_key, created_at in [
        ("test:carried-long-ago", "digest:1:2026-W30", long_ago),
        ("test:carried-this-week", "digest:1:2026-W49", timezone.now()),
        ("test:waiting", "", long_ago),
    ]:
        HeldEmail.objects.create(
            user=procurement,
            key=key,
            kind="test",
            subject="s",
            body="b",
            digest_key=digest_key,
            created_at=created_at,
        )
    assert purge_old_records() == {
        "access_events": 1,
        "outbox_messages": 1,
        "held_emails": 1,
        "history_rows": 0,
    }
    assert list(AccessEvent.objects.all()) == [recent]
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == ["test:not-sent"]
    assert set(HeldEmail.objects.values_list("key", flat=True)) == {
        "test:carried-this-week",
        "test:waiting",
    }


def test_history_rows_are_kept_unless_history_days_is_set(settings, procurement, supplier_a):
    contract = make_contract(supplier_a)
    old_rows = Contract.history.filter(id=contract.pk)
    old_rows.update(history_date=timezone.now() - timedelta(days=400))
    contract.title = "Renamed"
    contract.save()
    assert settings.HISTORY_DAYS == 0
    assert purge_old_records()["history_rows"] == 0

    settings.HISTORY_DAYS = 365
    purged = purge_old_records()["history_rows"]
    assert purged >= 1
    assert list(Contract.history.filter(id=contract.pk).values_list("title", flat=True)) == [
        "Renamed"
    ]


def test_the_privacy_notice_is_on_every_page_and_in_the_invitation(
    client, client_for, procurement, supplier_a
):
    notice = client.get(reverse("portal:privacy")).content.decode()
    assert "Archives Act" in notice and f"{settings.ACCESS_LOG_DAYS} days" in notice
    for page in (reverse("login"), reverse("suppliers:contract_list")):
        body = client_for(procurement).get(page, follow=True).content.decode()
        assert f'href="{reverse("portal:privacy")}"' in body
    mail.outbox.clear()
    invitation, token = invite_contact(
        supplier=supplier_a, name="Nina Ek", email="nina@alpha.example", by=procurement
    )
    send_invitation_email(invitation=invitation, token=token)
    assert reverse("portal:privacy") in mail.outbox[-1].body
