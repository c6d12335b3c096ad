from django.core.management.base import BaseCommand, CommandError, CommandParser

from issuer.management.output import write_credentials
from issuer.services import UnknownScope, api_client_create


class Command(BaseCommand):
    help = "Registers a client with the embedded issuer and prints its credentials once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scopes", required=True, help='Space separated, e.g. "create:timesheets"')
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print them as one JSON object."
        )

    def handle(self, *args, name: str, scopes: str, as_json: bool, **options) -> None:
        try:
            created = api_client_create(name=name, scopes=scopes.split())
        except UnknownScope as exc:
            raise CommandError(str(exc), returncode=2) from None
        credentials = {"client_id": created.client.client_id, "client_secret": created.client_secret}
        write_credentials(self, credentials, as_json=as_json)
