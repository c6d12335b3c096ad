"""How the client commands print credentials: shown once, as key=value lines or one JSON object."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


def write_credentials(command: BaseCommand, credentials: dict[str, str], *, as_json: bool) -> None:
    if as_json:
        command.stdout.write(json.dumps(credentials))
        return
    command.stdout.write("\n".join(f"{name}={value}" for name, value in credentials.items()))
    if "client_secret" in credentials:
        command.stderr.write("The secret is shown once and stored hashed: keep it now.")
