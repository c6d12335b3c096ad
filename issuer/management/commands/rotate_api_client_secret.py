import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from issuer.models import ApiClient
from issuer.services import PublicClientHasNoSecret, api_client_reset_secret


class Command(BaseCommand):
    help = "Gives a client a new secret under the same client id, printed once; the old one stops at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client_id")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the credentials as one JSON object."
        )

    def handle(self, *args, client_id: str, as_json: bool, **options) -> None:
        client = ApiClient.objects.filter(client_id=client_id).first()
        if client is None:
            raise CommandError(f"No API client with client_id {client_id!r}", returncode=2)
        try:
            client_secret = api_client_reset_secret(client=client)
        except PublicClientHasNoSecret as error:
            raise CommandError(str(error), returncode=2) from error
        if as_json:
            self.stdout.write(json.dumps({"client_id": client_id, "client_secret": client_secret}))
        else:
            self.stdout.write(f"client_id={client_id}\nclient_secret={client_secret}")
            self.stderr.write("The new secret is shown once and stored hashed: keep it now.")
