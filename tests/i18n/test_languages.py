"""Swedish first, English second: the browser's language before sign-in, the person's own
after; a switch in the header that the account keeps; e-mails and calendar files in their
recipient's language; minutes started in their forum's."""

from decimal import Decimal

from django.core import mail
from django.utils import translation

from governance.models import Level, OutboxMessage, Role
from governance.settings import base
from meetings.services import reconcile_meetings, start_minutes
from suppliers.models import ServiceLevel
from tests.factories import make_forum, make_user


def test_the_portal_speaks_swedish_unless_told_otherwise():
    assert base.LANGUAGE_CODE == "sv"
    assert [code for code, _name in base.LANGUAGES] == ["sv", "en"]


def test_before_sign_in_the_browsers_language_then_the_one_chosen(client, db):
    swedish = client.get("/login/", headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    assert '<html lang="sv"' in swedish.text and "Logga in" in swedish.text
    assert swedish["Content-Language"] == "sv"
    english = client.get("/login/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in" in english.text and "Logga in" not in english.text

    response = client.post("/language/", {"language": "sv", "next": "/login/"})
    assert response["Location"] == "/login/"
    page = client.get("/login/", headers={"Accept-Language": "en-GB"})
    assert "Logga in" in page.text  # the choice outweighs the browser's


def test_a_signed_in_person_reads_their_own_language_and_the_switch_keeps_it(client, procurement):
    client.force_login(procurement)
    page = client.get("/contracts/", headers={"Accept-Language": "sv"})
    assert '<html lang="en"' in page.text  # the account says English
    assert "På svenska" in page.text  # the switch offers the other language, named in itself

    client.post("/language/", {"language": "sv", "next": "/contracts/"})
    procurement.refresh_from_db()
    assert procurement.language == "sv"
    page = client.get("/contracts/", headers={"Accept-Language": "en"})
    assert '<html lang="sv"' in page.text and "Avtal" in page.text
    assert "In English" in page.text

    response = client.post("/language/", {"language": "de", "next": "/contracts/"})
    assert response.status_code == 400
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    procurement.refresh_from_db()
    assert procurement.language == "en"


def test_meeting_invitations_go_out_in_each_recipients_language(
    db, contract_a, procurement, settings
):
    settings.OUTBOX_KICK_ON_COMMIT = False
    swedish_reader = make_user(Role.DIRECTOR, email="sv@city.example", language="sv")
    contract_a.governance_levels.get(level=Level.OPERATIONAL).role_holders.create(
        side="buyer", role_title="Observer", name="Svea", email=swedish_reader.email
    )
    make_forum([contract_a], procurement, name="Veckomöte")
    reconcile_meetings()
    subjects = {
        message.payload["to"][0]: message.payload["subject"]
        for message in OutboxMessage.objects.filter(kind="email")
    }
    assert subjects[swedish_reader.email].startswith("Inbjudan: Veckomöte")
    assert subjects[procurement.email].startswith("Invitation: Veckomöte")
    calendar = next(
        message.payload["attachments"][0][1]
        for message in OutboxMessage.objects.filter(kind="email")
        if message.payload["to"][0] == swedish_reader.email
    )
    assert "Operativ nivå" in calendar.replace("\r\n ", "")


def test_minutes_start_in_the_language_the_forum_is_held_in(db, contract_a, procurement):
    from datetime import timedelta

    from django.utils import timezone

    from meetings.models import Meeting

    forum = make_forum([contract_a], procurement, language="sv")
    starts_at = timezone.now() - timedelta(hours=2)
    meeting = Meeting.objects.create(
        forum=forum, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
    )
    minutes = start_minutes(meeting=meeting, by=procurement)
    titles = list(minutes.items.values_list("title", flat=True))
    assert titles[0] == "Tillgänglighet mot målet" or titles[0].startswith("Tillgänglighet")
    assert "Availability against target" not in titles
    assert minutes.attendance.filter(role_title="Ordförande").exists()


def test_numbers_in_the_readers_format(db, contract_a):
    level = ServiceLevel(
        contract=contract_a, name="Uptime", target=Decimal("99.70"), unit="percent"
    )
    with translation.override("sv"):
        assert "99,7\u00a0%" in level.target_display
    with translation.override("en"):
        assert "99.7\u00a0%" in level.target_display


def test_a_password_reset_email_in_the_accounts_language(client, supplier_a):
    person = make_user(
        Role.SUPPLIER_CONTACT, supplier=supplier_a, email="svea@supplier.example", language="sv"
    )
    client.post("/password/reset/", {"email": person.email})
    message = OutboxMessage.objects.get(key__startswith="password-reset:")
    assert "lösenord" in (message.payload["subject"] + message.payload["body"]).lower()
    assert mail.outbox == []  # through the outbox, as every e-mail


def test_a_new_account_starts_in_the_language_the_invitation_was_accepted_in(
    client, procurement, supplier_a
):
    from django.urls import reverse

    from governance.models import User
    from suppliers.services import invite_contact

    _invitation, token = invite_contact(
        supplier=supplier_a, name="Nils Berg", email="nils@alpha.example", by=procurement
    )
    url = reverse("suppliers:accept_invitation", args=[token])
    passwords = {"password1": "a long pass phrase", "password2": "a long pass phrase"}
    client.post(url, {"name": "Nils Berg", **passwords}, headers={"Accept-Language": "sv"})
    assert User.objects.get(email="nils@alpha.example").language == "sv"
