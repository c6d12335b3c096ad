from django.core.management.base import BaseCommand

from issuer.keys import rotate_signing_key


class Command(BaseCommand):
    help = "Adds a new signing key; tokens signed with the old one stay valid until they expire."

    def handle(self, *args, **options) -> None:
        key = rotate_signing_key()
        self.stdout.write(f"New signing key: kid={key.kid}")
