"""Work the drills do in a process of their own, on a database the test process is not bound
to (the private cluster): `python -m tests.drills.scripts NAME '{"keyword": value}'` prints the
function's answer as JSON on its last line. Everything goes through the factories and services,
as in the other tests."""

import json
import sys

import django


def seed_minutes(users=1, approve=False):
    """A contract with its governance, procurement users and one held meeting's draft minutes
    (approved, with the PDF job waiting in the outbox, when approve is true)."""
    from governance.models import OutboxMessage, Role
    from meetings.services import approve_minutes
    from tests.factories import (
        PASSWORD,
        fill_governance,
        make_contract,
        make_held_minutes,
        make_supplier,
        make_user,
    )

    contract = fill_governance(make_contract(make_supplier("Alpha Drift AB"), reference="A-001"))
    people = [make_user(Role.PROCUREMENT) for _ in range(users)]
    minutes = make_held_minutes(contract, people[0])
    answer = {
        "users": [
            {"pk": user.pk, "email": user.email, "authenticator": user.totpdevice_set.get().key}
            for user in people
        ],
        "password": PASSWORD,
        "minutes": minutes.pk,
        "meeting": minutes.meeting_id,
        "contract": contract.pk,
        "recipients": sorted(minutes.attendance.exclude(email="").values_list("email", flat=True)),
    }
    if approve:
        approve_minutes(minutes=minutes, by=people[0])
        answer["job"] = OutboxMessage.objects.get(key=f"minutes-pdf:{minutes.pk}").pk
    return answer


def minutes_page(minutes, user):
    """What a signed-in user sees of the minutes' PDF: the button, or "Producing the PDF"."""
    from django.test import Client
    from django.urls import reverse

    from governance.models import User
    from tests.helpers import pass_second_factor

    client = Client()
    person = User.objects.get(pk=user)
    client.force_login(person)
    pass_second_factor(client, person)  # another process: tests/conftest.py's patch is not here
    page = client.get(reverse("meetings:minutes_detail", args=[minutes]))
    pdf = client.get(reverse("meetings:minutes_pdf", args=[minutes]))
    body = page.content.decode()
    return {
        "status": page.status_code,
        "pdf_link": reverse("meetings:minutes_pdf", args=[minutes]) in body,
        "producing": "Producing the PDF" in body,
        "pdf_status": pdf.status_code,
    }


def reconcile():
    """One beat's reconcile, as the worker runs it: the task's own body."""
    from meetings.tasks import reconcile_meetings

    return reconcile_meetings()


if __name__ == "__main__":
    django.setup()
    name, arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(globals()[name](**arguments), default=str))
