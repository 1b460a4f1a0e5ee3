"""Makes a new provider ready in one process: its tables, a signing key and the portal as a
confidential client of the code flow that is never asked for consent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from oidc_provider.models import Client, ResponseType


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", required=True)

    def handle(self, *args, client_id, client_secret, redirect_uri, **options):
        call_command("migrate", verbosity=0)
        call_command("creatersakey")
        client = Client.objects.create(
            name="Governance portal",
            client_type="confidential",
            client_id=client_id,
            client_secret=client_secret,
            jwt_alg="RS256",
            require_consent=False,
        )
        client.redirect_uris = [redirect_uri]
        client.save()
        client.response_types.add(ResponseType.objects.get(value="code"))
