#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# The import job is a client of the API, often on another machine: it runs under its own
# settings, which load nothing of the server (importer/settings.py).
CLIENT_COMMANDS = {"import_timesheets": "importer.settings"}


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", CLIENT_COMMANDS.get(command, "timesheets_site.settings"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
