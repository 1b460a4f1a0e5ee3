"""Personal API tokens: made on the person's own page, shown once, kept as a hash, named,
scoped, expiring, revocable, their last use shown; the access log records each made and
revoked; a deactivated person's tokens stop at once."""

import hashlib
import re
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from api.models import ApiToken, Scope
from governance.models import AccessEvent, AccessEventKind
from governance.services import deactivate_user, reactivate_user

SUPPLIERS = "/api/v1/suppliers"


def test_a_token_is_made_on_ones_own_page_shown_once_and_kept_as_a_hash(client, contact_a):
    client.force_login(contact_a)
    account = client.get("/account/")
    assert 'href="/account/api-tokens/"' in account.content.decode()

    response = client.post(
        "/account/api-tokens/", {"name": "Our ITSM tool", "scope": "read_write", "days": "30"}
    )
    page = response.content.decode()
    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    assert token.startswith("gpt_") and len(token) > 40
    stored = ApiToken.objects.get(user=contact_a)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values()))
    assert (stored.name, stored.scope) == ("Our ITSM tool", Scope.READ_WRITE)
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    event = AccessEvent.objects.get(kind=AccessEventKind.API_TOKEN_CREATED)
    assert (event.person, event.by) == (contact_a, contact_a)

    # Never shown again: the list names it by its first characters, with "never used".
    listing = client.get("/account/api-tokens/").content.decode()
    assert token not in listing
    assert f"{token[:10]}…" in listing
    assert "Never" in listing

    client.get(SUPPLIERS, headers={"Authorization": f"Bearer {token}"})
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert "Never" not in client.get("/account/api-tokens/").content.decode()


def test_a_token_lives_at_most_the_longest_lifetime(client, contact_a):
    client.force_login(contact_a)
    with override_settings(API_TOKEN_MAX_DAYS=60):
        response = client.post(
            "/account/api-tokens/", {"name": "Tool", "scope": "read", "days": "61"}
        )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 60." in response.content.decode()
    assert 'value="Tool"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_at_once_and_the_access_log_says_so(
    client, contact_a, token_for, bearer
):
    token = token_for(contact_a)
    assert client.get(SUPPLIERS, headers=bearer(token)).status_code == 200
    client.force_login(contact_a)
    stored = ApiToken.objects.get(user=contact_a)
    response = client.post(f"/account/api-tokens/{stored.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    answer = client.get(SUPPLIERS, headers=bearer(token))
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert AccessEvent.objects.filter(
        kind=AccessEventKind.API_TOKEN_REVOKED, person=contact_a
    ).exists()


def test_no_one_revokes_anothers_token(client, contact_a, contact_b, token_for):
    token_for(contact_a)
    client.force_login(contact_b)
    stored = ApiToken.objects.get(user=contact_a)
    assert client.post(f"/account/api-tokens/{stored.pk}/revoke/").status_code == 404
    stored.refresh_from_db()
    assert stored.revoked_at is None


def test_a_deactivated_persons_and_an_expired_token_stop_working(
    client, contact_a, procurement, token_for, bearer
):
    token = token_for(contact_a)
    old = token_for(contact_a)
    ApiToken.objects.filter(token_hash=hashlib.sha256(old.encode()).hexdigest()).update(
        created_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert client.get(SUPPLIERS, headers=bearer(old)).status_code == 401
    assert client.get(SUPPLIERS, headers=bearer(token)).status_code == 200
    deactivate_user(user=contact_a, by=procurement)
    assert client.get(SUPPLIERS, headers=bearer(token)).status_code == 401
    # Revoked with the account: reactivating it does not bring them back.
    reactivate_user(user=contact_a, by=procurement)
    assert client.get(SUPPLIERS, headers=bearer(token)).status_code == 401
    assert ApiToken.objects.filter(user=contact_a, revoked_at__isnull=True).count() == 0


def test_a_read_token_reads_and_may_not_write(client, contact_a, contract_a, token_for, bearer):
    headers = bearer(token_for(contact_a, scope=Scope.READ))
    assert client.get(SUPPLIERS, headers=headers).status_code == 200
    response = client.post(
        "/api/v1/issues",
        {
            "title": "Printers",
            "contract_ids": [contract_a.pk],
            "owner_name": "Ola",
            "owner_organisation": "Alpha",
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert "may only read" in response.json()["detail"]


def test_answers_speak_the_persons_language(client, contact_a, contract_a, token_for, bearer):
    contact_a.language = "sv"
    contact_a.save(update_fields=["language"])
    response = client.post(
        "/api/v1/issues",
        {
            "title": "Skrivare",
            "contract_ids": [contract_a.pk],
            "owner_name": "Ola",
            "owner_organisation": "Alpha",
        },
        content_type="application/json",
        headers=bearer(token_for(contact_a, scope=Scope.READ)),
    )
    assert response.status_code == 403
    assert response.json()["title"] == "Inte tillåtet"
    assert response.json()["detail"].startswith("Den här nyckeln får bara läsa")


def test_an_erased_persons_tokens_are_deleted_with_their_names(contact_a, procurement, token_for):
    from portal.erasure import erase_person

    token_for(contact_a)
    erase_person(person=contact_a, by=procurement)
    assert not ApiToken.objects.filter(user=contact_a).exists()
