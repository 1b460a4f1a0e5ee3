"""Every page of the URL x role matrix, and every page a refused form comes back as without
JavaScript, has one h1 (WCAG 1.3.1 and 2.4.6: the page says what it is, once). The browser
sweep (tests/browser/test_accessibility.py) checks the same in Chromium for GET pages."""

import re

import pytest
from django.urls import reverse

from tests.governance.test_authorization_matrix import MATRIX, objects  # noqa: F401 - fixture

H1 = re.compile(r"<h1[\s>]")


@pytest.mark.parametrize("role", ["procurement", "contact_a", "admin_user"])
def test_every_page_has_one_h1(role, objects, request, client):  # noqa: F811
    client.force_login(request.getfixturevalue(role))
    wrong = []
    for url_name, (method, kwarg_names, _expected) in sorted(MATRIX.items()):
        if url_name in ("logout", "oidc_logout", "portal:person_erase"):
            continue  # a plain redirect, or a change that ends the test's records
        url = reverse(url_name, kwargs={key: objects[name] for key, name in kwarg_names.items()})
        response = getattr(client, method)(url)
        is_html = "text/html" in response.get("Content-Type", "")
        if response.status_code not in (200, 400, 403, 404, 409) or not is_html:
            continue
        body = response.content.decode()
        if "<html" not in body:
            continue  # a bare refusal, not a page
        count = len(H1.findall(body))
        if count != 1:
            wrong.append(f"{method.upper()} {url}: {count} h1")
    assert wrong == [], "\n".join(wrong)
