import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.user_types import USER_TYPES
from people.models import Role
from people.services import PersonNotCreated, person_create


class Command(BaseCommand):
    help = "Makes a person: a sign-in with a timesheet identity and a role (employee unless --manager)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--user-type", required=True, choices=USER_TYPES)
        parser.add_argument("--user-id", required=True)
        parser.add_argument("--manager", action="store_true", help="May also approve entries.")
        parser.add_argument("--name", default="", help='Full name, e.g. "Ann Smith".')
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-file",
            type=Path,
            help="A file holding the password (never on the command line, where `ps` shows it). "
            "Without one, the sign-in is unusable until a password is set.",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")

    def handle(self, *args, password_file: Path | None, as_json: bool, **options) -> None:
        password = None
        if password_file is not None:
            try:
                password = password_file.read_text().rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                message = f"Cannot read the password file {password_file}: {exc}"
                raise CommandError(message, returncode=2) from None
        try:
            person = person_create(
                username=options["username"],
                user_type=options["user_type"],
                user_id=options["user_id"],
                role=Role.MANAGER if options["manager"] else Role.EMPLOYEE,
                name=options["name"],
                email=options["email"],
                password=password,
            )
        except PersonNotCreated as exc:
            raise CommandError(str(exc), returncode=2) from None
        made = {
            "username": person.account.get_username(),
            "subject": person.subject,
            "user_type": person.user_type,
            "user_id": person.user_id,
            "role": person.role,
        }
        if as_json:
            self.stdout.write(json.dumps(made))
        else:
            self.stdout.write(" ".join(f"{key}={value}" for key, value in made.items()))
