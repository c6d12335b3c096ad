from django.core.management.base import BaseCommand, CommandError, CommandParser

from issuer.management.output import write_credentials
from issuer.services import InvalidRedirectUri, app_client_create


class Command(BaseCommand):
    help = (
        "Registers an app people sign in to (authorization code with PKCE), public unless "
        "--confidential, and prints its client id (and a confidential app's secret, once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            metavar="URI",
            help="Repeatable: https://…, http://127.0.0.1/… (any port), com.example.app:/callback, "
            "or a path on this server such as /app/.",
        )
        parser.add_argument(
            "--confidential", action="store_true", help="A server-side app that keeps a client secret."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print them as one JSON object."
        )

    def handle(
        self, *args, name: str, redirect_uris: list[str], confidential: bool, as_json: bool, **options
    ) -> None:
        try:
            created = app_client_create(name=name, redirect_uris=redirect_uris, confidential=confidential)
        except InvalidRedirectUri as exc:
            raise CommandError(str(exc), returncode=2) from None
        credentials = {"client_id": created.client.client_id}
        if confidential:
            credentials["client_secret"] = created.client_secret
        write_credentials(self, credentials, as_json=as_json)
