"""Small checks the tests share."""


def assert_section(response, section_id):
    """htmx got the section alone: the element with that id, no page around it."""
    html = response.content.decode()
    assert response.status_code == 200, html[:500]
    assert "<html" not in html
    assert f'id="{section_id}"' in html.split(">", 1)[0] + ">"


def contract_a_link(row):
    """The link back to the contract of a row (a goal, an expectation) on its section's page."""
    return f'href="{row.contract.get_absolute_url()}"'


def squashed(html):
    """The markup without the indentation between tags (the templates are formatted; a
    browser collapses that whitespace), so a test can look for `<td>yes</td>`."""
    import re

    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html)


def pass_second_factor(client, user):
    """The test client's session as after the person gave their authenticator's code (when
    they have one): tests/conftest.py does this after every force_login, so that a test signs
    in as far as a person at work is. The code step itself: tests/governance/test_mfa.py."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def authenticator_code(user):
    """The code the person's authenticator app shows now (one not used yet)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from governance.mfa import code_now

    return code_now(TOTPDevice.objects.get(user=user, confirmed=True))


def give_code(client, user):
    """After a password sign-in through the page, the second step: the code page, with the
    code the person's app shows now."""
    return client.post("/mfa/", {"code": authenticator_code(user)})
