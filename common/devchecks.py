"""Whether this process should show the development warnings (timesheets.W001, issuer.W001).

Django runs the system checks before most management commands, so on a developer's machine
every `migrate`, `createsuperuser` or `create_api_client` repeated the same two warnings
about development keys. They matter where a server is checked or started: `check` and
`runserver` show them, and so does any command given `-v 2` or more. The command is read
from the command line as manage.py itself reads it (to pick the import job's settings).
"""

from __future__ import annotations

import sys

SHOWN_BY = frozenset({"check", "runserver"})


def development_warnings_wanted(argv: list[str] | None = None) -> bool:
    argv = sys.argv if argv is None else argv
    command = argv[1] if len(argv) > 1 else ""
    return command in SHOWN_BY or verbosity(argv[2:]) >= 2


def verbosity(args: list[str]) -> int:
    """-v N, -vN, --verbosity N or --verbosity=N, as Django's parser reads them; 1 otherwise."""
    for index, arg in enumerate(args):
        if arg in ("-v", "--verbosity"):
            value = args[index + 1] if index + 1 < len(args) else ""
        elif arg.startswith("--verbosity="):
            value = arg.partition("=")[2]
        elif arg.startswith("-v") and not arg.startswith("--"):
            value = arg[2:]
        else:
            continue
        return int(value) if value.isdigit() else 1
    return 1
