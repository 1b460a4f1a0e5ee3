"""The demo keeps two-factor sign-in: a demo officer gives the demo password, then the code
the code page tells in the demo (README: Two commands)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from governance.passwords import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@override_settings(DEMO_SECOND_FACTOR_HINT=True)
def test_a_demo_officer_passes_the_second_factor_with_the_code_the_page_tells(client):
    call_command("seed_demo", force=True, stdout=StringIO())
    client.post("/login/", {"username": "anna.lind@city.example", "password": DEMO_PASSWORD})
    response = client.get("/dashboard/")
    assert response["Location"] == "/mfa/?next=/dashboard/"

    page = client.get(response["Location"]).text
    code = re.search(r'id="demo-code">\D*(\d{6})', page).group(1)  # in Swedish, as the demo
    response = client.post("/mfa/", {"code": code, "next": "/dashboard/"})
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    # A demo supplier contact signs in with the password alone.
    client.logout()
    client.post("/login/", {"username": "jonas.ek@nordlys.example", "password": DEMO_PASSWORD})
    assert client.get("/contracts/").status_code == 200
