from django.core.management.base import BaseCommand, CommandError, CommandParser

from issuer.models import ApiClient
from issuer.services import api_client_set_active


class Command(BaseCommand):
    help = (
        "Switches a client off, as the admin's active box does: no new token, and the API refuses "
        "the tokens it holds within seconds. --enable switches it back on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client_id")
        parser.add_argument("--enable", action="store_true", help="Switch the client back on.")

    def handle(self, *args, client_id: str, enable: bool, **options) -> None:
        client = ApiClient.objects.filter(client_id=client_id).first()
        if client is None:
            raise CommandError(f"No API client with client_id {client_id!r}", returncode=2)
        api_client_set_active(client=client, active=enable)
        state = "enabled" if enable else "disabled"
        self.stdout.write(f"API client {client.name or client_id} ({client_id}) {state}.")
