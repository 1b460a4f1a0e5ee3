"""CSV imports: a preview with every row error by line, then all rows or none by the worker."""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

from escalations.models import Issue
from governance.models import OutboxMessage
from operations.models import FigureImport, ImportStatus, Measurement, QuestionCount, TicketCount
from operations.services import (
    LINKED_REASON,
    WRITE_BATCH,
    import_reason,
    perform_import,
    progress_key,
)
from suppliers.models import Period
from tests.factories import make_service_level
from tests.worker import wait_for

pytestmark = pytest.mark.django_db


def upload(client, content, name="figures.csv", **data):
    if isinstance(content, str):
        content = content.encode()
    return client.post(
        reverse("operations:import_upload"),
        {"file": SimpleUploadedFile(name, content, "text/csv"), **data},
    )


@pytest.fixture
def service_level(contract_a):
    return make_service_level(contract_a)


def test_preview_lists_every_row_error_by_line_and_saves_nothing(
    client_for, contact_a, service_level, contract_b
):
    make_service_level(contract_b)
    content = (
        "contract,service_level,period,value\n"
        "A-001,Server operations,2026-09,99.8\n"
        "A-001,Server operations,2026-10,98.1\n"
        "B-001,Server operations,2026-10,99.9\n"  # another supplier's contract
        "A-001,Nope,2026-10,99\n"
        "A-001,Server operations,2026-13,99\n"
        "A-001,Server operations,2026-11,lots\n"
        "A-001,Server operations,2026-09,99.7\n"  # duplicate of line 2
    )
    response = upload(client_for(contact_a), content)
    figure_import = FigureImport.objects.get()
    assert response.status_code == 302
    page = client_for(contact_a).get(response.url).content.decode()

    assert figure_import.status == ImportStatus.PREVIEW
    assert "Unknown contract “B-001”" in page
    for line in ("4", "5", "6", "7", "8"):
        assert f'<td class="num">{line}</td>' in page
    assert "The same figure as on line 2." in page
    assert "Would miss" in page
    assert reverse("operations:import_confirm", args=[figure_import.pk]) not in page
    assert not Measurement.objects.exists()
    refused = client_for(contact_a).post(
        reverse("operations:import_confirm", args=[figure_import.pk])
    )
    assert refused.status_code == 302
    assert FigureImport.objects.get().status == ImportStatus.PREVIEW
    assert not OutboxMessage.objects.exists()


def test_swedish_excel_file_is_read(client_for, contact_a, service_level):
    content = (
        "\ufeffcontract;service_level;period;value\r\nA-001;Server operations;2026-10;99,82\r\n"
    )
    response = upload(client_for(contact_a), content.encode("utf-8"))
    figure_import = FigureImport.objects.get()
    client_for(contact_a).post(reverse("operations:import_confirm", args=[figure_import.pk]))
    perform_import({"import_id": figure_import.pk})

    assert response.status_code == 302
    assert Measurement.objects.get().value == Decimal("99.820")
    cp1252 = "contract;period;category;questions\nA-001;2026-10;Lösenord;12\n".encode("cp1252")
    upload(client_for(contact_a), cp1252)
    assert "Lösenord" in FigureImport.objects.latest("pk").content


def test_import_applies_everything_reports_progress_and_links_breaches(
    client_for, contact_a, service_level
):
    contract = service_level.contract
    contract.start_date = date(2024, 1, 1)  # figures are taken only within the term
    contract.save(update_fields=["start_date"])
    content = "contract,service_level,period,value\n" + "".join(
        f"A-001,Server operations,{year}-{month:02d},{'98.5' if month == 10 else '99.9'}\n"
        for year in (2024, 2025)
        for month in range(1, 13)
    )
    client = client_for(contact_a)
    upload(client, content)
    figure_import = FigureImport.objects.get()
    client.post(reverse("operations:import_confirm", args=[figure_import.pk]))
    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.QUEUED
    message = OutboxMessage.objects.get(key=f"figure-import:{figure_import.pk}")
    assert message.payload == {"import_id": figure_import.pk}

    cache.set(progress_key(figure_import.pk), 12)
    status_url = reverse("operations:import_detail", args=[figure_import.pk])
    partial = client.get(status_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-status")
    body = partial.content.decode()
    assert "Imported 12 of 24 rows." in body
    assert 'hx-trigger="every 1s"' in body
    assert "<html" not in body

    perform_import({"import_id": figure_import.pk})
    perform_import({"import_id": figure_import.pk})  # a repeat changes nothing

    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.DONE
    assert (figure_import.created_count, figure_import.breach_count) == (24, 2)
    assert Measurement.objects.count() == 24
    assert Issue.objects.count() == 2
    body = client.get(status_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-status")
    body = body.content.decode()
    assert "every 1s" not in body
    assert "24 new" in body
    for issue in Issue.objects.all():
        assert issue.get_absolute_url() in body


def test_a_row_that_turns_invalid_before_the_import_leaves_nothing_saved(
    client_for, contact_a, contract_a, service_level
):
    other = make_service_level(contract_a, name="Network")
    content = (
        "contract,service_level,period,value\n"
        "A-001,Server operations,2026-10,99.9\n"
        "A-001,Network,2026-10,99.9\n"
    )
    client = client_for(contact_a)
    upload(client, content)
    figure_import = FigureImport.objects.get()
    client.post(reverse("operations:import_confirm", args=[figure_import.pk]))
    other.delete()  # the service level is removed while the file waits

    perform_import({"import_id": figure_import.pk})

    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.FAILED
    assert "Line 3" in figure_import.error and "Network" in figure_import.error
    assert not Measurement.objects.exists()
    page = client.get(reverse("operations:import_detail", args=[figure_import.pk]))
    assert "Nothing was imported" in page.content.decode()


def import_file(client, content):
    upload(client, content)
    figure_import = FigureImport.objects.latest("pk")
    client.post(reverse("operations:import_confirm", args=[figure_import.pk]))
    perform_import({"import_id": figure_import.pk})
    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.DONE, figure_import.error
    return figure_import


def test_a_second_import_records_only_what_changed_with_who_and_why(
    client_for, contact_a, contract_a
):
    client = client_for(contact_a)
    first = import_file(
        client,
        "contract,period,category,questions\n"
        "A-001,2026-09,Passwords,120\nA-001,2026-09,Printers,40\n",
    )
    second = import_file(
        client,
        "contract,period,category,questions\n"
        "A-001,2026-09,passwords,125\nA-001,2026-09,Printers,40\nA-001,2026-09,E-mail,7\n",
    )

    assert (first.created_count, first.updated_count) == (2, 0)
    assert (second.created_count, second.updated_count) == (1, 1)
    passwords = QuestionCount.objects.get(category="Passwords")
    assert passwords.questions == 125
    versions = list(passwords.history.order_by("history_date", "history_id"))
    assert [(v.history_type, v.questions) for v in versions] == [("+", 120), ("~", 125)]
    assert versions[1].history_user == contact_a
    assert versions[1].history_change_reason == import_reason(second)
    assert versions[1].reported_at > versions[0].reported_at
    printers = QuestionCount.objects.get(category="Printers")
    assert printers.history.count() == 1  # unchanged: no new version
    assert printers.history.get().history_change_reason == import_reason(first)


def test_an_unchanged_value_still_missing_its_target_gets_its_issue_again(
    client_for, contact_a, service_level
):
    client = client_for(contact_a)
    import_file(client, "contract,service_level,period,value\nA-001,Server operations,2026-09,98\n")
    Issue.objects.get().delete()  # the breach issue was removed by mistake

    again = import_file(
        client, "contract,service_level,period,value\nA-001,Server operations,2026-09,98\n"
    )

    measurement = Measurement.objects.get()
    assert (again.created_count, again.updated_count, again.breach_count) == (0, 0, 1)
    assert measurement.breach_issue == Issue.objects.get()
    latest = measurement.history.latest()
    assert latest.history_change_reason == LINKED_REASON
    assert latest.breach_issue_id == measurement.breach_issue_id


def test_supplier_b_cannot_import_into_a_contract_of_supplier_a(
    client_for, contact_b, contract_b, service_level
):
    content = "contract,period,priority,opened,closed\nA-001,2026-10,P1,1,1\n"
    upload(client_for(contact_b), content)
    figure_import = FigureImport.objects.get()
    assert figure_import.supplier == contract_b.supplier
    page = client_for(contact_b).get(reverse("operations:import_detail", args=[figure_import.pk]))
    assert "Unknown contract “A-001”" in page.content.decode()
    assert not TicketCount.objects.exists()


def test_procurement_imports_for_a_chosen_supplier(client_for, procurement, supplier_a, contract_a):
    content = "contract,period,priority,opened,closed\nA-001,2026-10,p1,3,2\n"
    response = upload(client_for(procurement), content, supplier=supplier_a.pk)
    figure_import = FigureImport.objects.get()
    client_for(procurement).post(reverse("operations:import_confirm", args=[figure_import.pk]))
    perform_import({"import_id": figure_import.pk})
    assert response.status_code == 302
    row = TicketCount.objects.get()
    assert (row.priority, row.opened, row.closed, row.reported_by) == ("P1", 3, 2, procurement)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"contract,value\x00\n", "null bytes"),
        (b"\x81\x8d\x8f\x90", "cannot be read"),
        (b"", "The submitted file is empty."),
        (b"name,age\nx,1\n", "The first line must name the columns"),
        ("contract,period,priority,opened,closed\n" + "A-001,2026-10,P1,1,1\n" * 50_001, "rows"),
    ],
)
def test_unusable_files_get_a_clear_message(client_for, contact_a, contract_a, content, message):
    response = upload(client_for(contact_a), content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FigureImport.objects.exists()


def test_junk_rows_are_row_errors_not_server_errors(client_for, contact_a, service_level):
    content = (
        "contract,service_level,period,value\n"
        f"A-001,Server operations,2026-10,{'9' * 400}\n"
        "A-001,Server operations,2026-10,1e999999\n"
        "A-001,Server operations,2026-10,NaN\n"
        "A-001,Server operations,2026-W99,99\n"
        "A-001,Server operations,9999-10,99\n"
        "A-001,Server operations,2026-10,101\n"
        "A-001,Server operations,2026-10\n"
        '"A-001,Server operations,2026-10,99\n'
    )
    response = upload(client_for(contact_a), content)
    page = client_for(contact_a).get(response.url)
    assert page.status_code == 200
    assert not Measurement.objects.exists()


def test_a_file_too_large_is_refused(client_for, contact_a):
    response = upload(client_for(contact_a), b"x" * (2 * 1024 * 1024 + 1))
    assert response.status_code == 200
    assert "larger than 2 MB" in response.content.decode()


@pytest.mark.worker
def test_the_worker_imports_the_file(worker, client_for, contact_a, service_level):
    content = "contract,service_level,period,value\n" + "".join(
        f"A-001,Server operations,2025-{month:02d},99.9\n" for month in range(1, 13)
    )
    client = client_for(contact_a)
    upload(client, content)
    figure_import = FigureImport.objects.get()
    client.post(reverse("operations:import_confirm", args=[figure_import.pk]))

    assert wait_for(
        lambda: FigureImport.objects.get(pk=figure_import.pk).status == ImportStatus.DONE
    )
    assert Measurement.objects.count() == 12
    assert Measurement.history.filter(history_user=contact_a).count() == 12


def weekly_file(service_levels, weeks, missed=None, value="99.9"):
    """A measurements file of every service level and week, each `value`; the (service level,
    week) pair `missed` gets 98.2, below the 99.5 % target."""
    lines = ["contract,service_level,period,value"]
    for service_level in service_levels:
        for week in weeks:
            year, number, _weekday = week.isocalendar()
            figure = "98.2" if (service_level, week) == missed else value
            lines.append(f"A-001,{service_level.name},{year}-W{number:02d},{figure}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def weekly_levels(contract_a):
    contract_a.start_date = date(2000, 1, 1)  # figures are taken only within the term
    contract_a.save(update_fields=["start_date"])
    return [
        make_service_level(contract_a, name=name, period=Period.WEEK)
        for name in ("Server operations", "Network", "Backup", "E-mail")
    ]


# Four service levels of more weeks than a quarter batch, all past: several batches.
WEEKS = [date(2000, 1, 3) + timedelta(weeks=n) for n in range(WRITE_BATCH // 4 + 150)]


def test_a_breach_deep_in_a_big_file_raises_its_issue_and_a_second_import_changes_one_row(
    client_for, contact_a, weekly_levels
):
    server, *_others, mail = weekly_levels
    missed = (mail, WEEKS[-7])  # in the file's last batch
    client = client_for(contact_a)
    first = import_file(client, weekly_file(weekly_levels, WEEKS, missed))

    rows = len(weekly_levels) * len(WEEKS)
    assert rows > WRITE_BATCH
    assert (first.created_count, first.updated_count, first.breach_count) == (rows, 0, 1)
    assert cache.get(progress_key(first.pk)) == rows
    issue = Issue.objects.get()
    assert issue.title.startswith(f"Availability below target: E-mail {WEEKS[-7]:%G-W%V}")
    breached = Measurement.objects.filter(breach_issue__isnull=False).get()
    assert (breached.service_level, breached.period_start, breached.breach_issue) == (
        mail,
        WEEKS[-7],
        issue,
    )
    told = {m.payload["to"][0] for m in OutboxMessage.objects.filter(key__startswith="issue:")}
    assert told == {"buyer.operational@example.org", "supplier.operational@example.org"}
    assert Measurement.history.filter(history_type="+", history_user=contact_a).count() == rows

    # The same file again with one value changed: one figure changes, nothing else is written.
    changed = (server, WEEKS[1])
    content = weekly_file(weekly_levels, WEEKS, missed).replace(
        f"Server operations,{WEEKS[1]:%G-W%V},99.9", f"Server operations,{WEEKS[1]:%G-W%V},99.95"
    )
    second = import_file(client, content)

    assert (second.created_count, second.updated_count, second.breach_count) == (0, 1, 0)
    assert Measurement.history.count() == rows + 1
    figure = Measurement.objects.get(service_level=changed[0], period_start=changed[1])
    assert figure.value == Decimal("99.95")
    assert [record.value for record in figure.history.order_by("history_id")] == [
        Decimal("99.9"),
        Decimal("99.95"),
    ]
    assert Issue.objects.count() == 1


def test_a_database_error_in_a_later_batch_leaves_nothing_of_the_file(
    client_for, contact_a, weekly_levels
):
    server, *_others = weekly_levels
    client = client_for(contact_a)
    upload(client, weekly_file(weekly_levels, WEEKS, missed=(server, WEEKS[0])))
    figure_import = FigureImport.objects.get()
    client.post(reverse("operations:import_confirm", args=[figure_import.pk]))
    # The database refuses the file's last figure, long after the first batch went in and its
    # breach issue was raised (as a unique key would refuse a figure a concurrent import wrote).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_figure() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_figure BEFORE INSERT ON operations_measurement FOR EACH ROW "
            "WHEN (NEW.period_start = %s) EXECUTE FUNCTION refuse_figure()",
            [WEEKS[-1]],
        )

    with pytest.raises(DatabaseError):
        perform_import({"import_id": figure_import.pk})

    assert not Measurement.objects.exists()
    assert not Measurement.history.exists()
    assert not Issue.objects.exists()
    assert not OutboxMessage.objects.filter(key__startswith="issue:").exists()
    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.QUEUED  # the outbox tries the whole file again


SQLITE_SETTINGS = """
from governance.settings.local import *

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
OUTBOX_KICK_ON_COMMIT = False
LANGUAGE_CODE = "en"  # the reasons below are read in English
"""

SQLITE_IMPORTS = """
import json

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction

from escalations.models import Issue
from governance.models import Role
from operations.models import Measurement, QuestionCount
from operations.services import confirm_import, create_import, perform_import
from tests.factories import (
    fill_governance, make_contract, make_service_level, make_supplier, make_user
)

call_command("migrate", verbosity=0)
supplier = make_supplier("Alpha Drift AB")
contract = fill_governance(make_contract(supplier, reference="A-001"))
make_service_level(contract)
contact = make_user(Role.SUPPLIER_CONTACT, supplier=supplier)
MEASUREMENTS = "contract,service_level,period,value\\n"
QUESTIONS = "contract,period,category,questions\\n"
files = [
    ("m1.csv", MEASUREMENTS + "A-001,Server operations,2026-09,99.9\\n"
     "A-001,Server operations,2026-10,98\\n"),
    ("m2.csv", MEASUREMENTS + "A-001,Server operations,2026-09,99.7\\n"
     "A-001,Server operations,2026-10,98\\n"),
    ("q1.csv", QUESTIONS + "A-001,2026-09,Printing,12\\nA-001,2026-09,VPN,3\\n"),
    ("q2.csv", QUESTIONS + "A-001,2026-09,printing,15\\nA-001,2026-09,VPN,3\\n"),
]
done = []
for name, text in files:
    figure_import, _parsed = create_import(supplier=supplier, filename=name, text=text, by=contact)
    confirm_import(figure_import=figure_import, by=contact)
    with transaction.atomic():  # as the outbox relay runs its handlers
        perform_import({"import_id": figure_import.pk})
    figure_import.refresh_from_db()
    done.append([figure_import.status, figure_import.created_count,
                 figure_import.updated_count, figure_import.breach_count])


def history(model, *fields):
    return [
        [*(str(getattr(record, field)) for field in fields), record.history_type,
         record.history_user_id == contact.pk, record.history_change_reason]
        for record in model.history.order_by("history_id")
    ]


print(json.dumps({
    "vendor": connection.vendor,
    "imports": done,
    "measurements": history(Measurement, "period_start", "value"),
    "questions": history(QuestionCount, "category", "questions"),
    "linked": [m.breach_issue_id is not None for m in Measurement.objects.order_by("period_start")],
    "issues": Issue.objects.count(),
}))
"""


def test_the_demo_s_sqlite_imports_keep_the_same_history(tmp_path):
    (tmp_path / "sqlite_settings.py").write_text(SQLITE_SETTINGS)
    script = tmp_path / "imports.py"
    script.write_text(SQLITE_IMPORTS)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="sqlite_settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        PYTHONPATH=os.pathsep.join([str(settings.BASE_DIR), str(tmp_path)]),
    )
    finished = subprocess.run(  # noqa: S603
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        check=False,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout.splitlines()[-1])

    assert result["vendor"] == "sqlite"
    assert result["imports"] == [
        ["done", 2, 0, 1],
        ["done", 0, 1, 0],
        ["done", 2, 0, 0],
        ["done", 0, 1, 0],
    ]
    first, second = "Imported from m1.csv (import 1)", "Imported from m2.csv (import 2)"
    assert result["measurements"] == [
        ["2026-09-01", "99.900", "+", True, first],
        ["2026-10-01", "98.000", "+", True, first],
        ["2026-09-01", "99.700", "~", True, second],
    ]
    third, fourth = "Imported from q1.csv (import 3)", "Imported from q2.csv (import 4)"
    assert result["questions"] == [
        ["Printing", "12", "+", True, third],
        ["VPN", "3", "+", True, third],
        ["Printing", "15", "~", True, fourth],
    ]
    assert result["linked"] == [False, True]
    assert result["issues"] == 1


def test_a_file_with_a_long_name_is_imported_and_its_history_names_it(
    client_for, contact_a, service_level
):
    """The history's reason names the file; a name of almost 200 characters (what the upload
    keeps) used to overflow the reason's 100 and leave the import queued for ever."""
    name = "October figures from the service management tool, exported " + "x" * 120 + ".csv"
    upload(
        client_for(contact_a),
        "contract,service_level,period,value\nA-001,Server operations,2026-10,99.9\n",
        name,
    )
    figure_import = FigureImport.objects.get()
    client_for(contact_a).post(reverse("operations:import_confirm", args=[figure_import.pk]))
    perform_import({"import_id": figure_import.pk})

    figure_import.refresh_from_db()
    assert figure_import.status == ImportStatus.DONE
    record = Measurement.objects.get().history.get()
    assert figure_import.filename in record.history_change_reason
