"""The accessibility statement the DOS Act asks for (/accessibility/): open to anyone, linked
from every page's footer, in DIGG's model, its facts the city's settings."""

from datetime import date

from django.test import override_settings
from django.urls import reverse

STATEMENT = reverse("portal:accessibility")
# Swedish is the portal's first language; these tests read the English text.
ENGLISH = {"Accept-Language": "en"}


def test_the_statement_is_open_to_anyone_and_linked_from_every_page(client, db):
    login_page = client.get(reverse("login"), headers=ENGLISH).content.decode()
    assert f'href="{STATEMENT}"' in login_page
    response = client.get(STATEMENT, headers=ENGLISH)
    assert response.status_code == 200
    statement = response.content.decode()
    for part in [
        "How accessible is the portal?",
        "Report problems with the portal",
        "partially compliant",
        "Content that is not accessible",
        'href="https://www.digg.se/tdosanmalan"',
        "How we tested the portal",
        'href="mailto:tillganglighet@city.example"',
        "WCAG",
    ]:
        assert part in statement, part


@override_settings(
    ACCESSIBILITY_ORGANISATION="Exempelstad",
    ACCESSIBILITY_CONTACT_EMAIL="webb@exempelstad.se",
    ACCESSIBILITY_REVIEWED_ON=date(2027, 3, 15),
    ACCESSIBILITY_KNOWN_PROBLEMS=["Uploaded CSV files are not checked for accessibility."],
)
def test_the_city_sets_who_where_when_and_what_is_known(client, db):
    statement = client.get(STATEMENT, headers=ENGLISH).content.decode()
    assert "Exempelstad runs this portal" in statement
    assert 'href="mailto:webb@exempelstad.se"' in statement
    assert "<li>Uploaded CSV files are not checked for accessibility.</li>" in statement
    assert "March 15, 2027" in statement
    assert "The minutes as a PDF file" not in statement


@override_settings(ACCESSIBILITY_KNOWN_PROBLEMS=[])
def test_with_no_known_problem_the_portal_is_stated_fully_compliant(client, db):
    statement = client.get(STATEMENT, headers=ENGLISH).content.decode()
    assert "fully compliant" in statement
    assert "partially compliant" not in statement
    assert "Content that is not accessible" not in statement
