"""`make demo`: the whole scenario on this machine, end to end, in under a minute.

Migrates the SQLite database, starts the API with the embedded issuer under gunicorn,
registers an import client, imports the bundled sample export through the HTTP API,
makes two people for the web app (an employee and a manager, new passwords each run),
prints the summary and what to open, then serves until Ctrl-C (DEMO_KEEP_SERVING=0 stops
after the import). DEMO_PORT picks the port (default 8000). Rerunning it is harmless: the
rerun's import comes back `unchanged`.
"""

from __future__ import annotations

import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import django
from servers import start_gunicorn

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PORT_TEXT = os.getenv("DEMO_PORT", "8000")
PORT = int(PORT_TEXT) if PORT_TEXT.isdigit() and 0 < int(PORT_TEXT) < 65536 else 0
BASE_URL = f"http://{HOST}:{PORT}"
SAMPLE = PROJECT_DIR / "samples" / "contractor-export.csv"
# The import client's secret, for importing again into the demo's own data: owner-only.
SECRET_FILE = Path(os.getenv("DEMO_SECRET_FILE", str(PROJECT_DIR / ".demo-import-client-secret")))
CLIENT_NAME = "demo import job"
# (username, name, user_type, user_id, manager): who signs in to the web app at /app/.
PEOPLE = [
    ("ann", "Ann Employee", "Employee", "007", False),
    ("mia", "Mia Manager", "Employee", "100", True),
]


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesheets_site.settings")
    django.setup()


def port_is_free() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, PORT)) != 0


def prepare_database() -> tuple[str, str, str]:
    """Migrates, and (re)creates the demo admin and import client; returns their credentials."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from issuer.models import ApiClient
    from issuer.services import api_client_create, api_client_reset_secret

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    admin_password = secrets.token_urlsafe(12)
    admin, _ = get_user_model().objects.get_or_create(
        username="admin", defaults={"email": "admin@abc.example"}
    )
    admin.is_staff = admin.is_superuser = True
    admin.set_password(admin_password)
    admin.save()

    # Secrets are kept hashed, so a rerun gives the same client a new one: the same client id
    # keeps the import's keys, and the rerun comes back `unchanged` instead of doubling.
    client = ApiClient.objects.filter(name=CLIENT_NAME).first()
    if client is None:
        created = api_client_create(name=CLIENT_NAME, scopes=["create:timesheets"])
        return admin_password, created.client.client_id, created.client_secret
    return admin_password, client.client_id, api_client_reset_secret(client=client)


def prepare_people() -> list[tuple[str, str, str]]:
    """Makes the demo's people with `create_person`, or gives them a new password on a rerun;
    returns (username, password, role) for each."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    signed_up = []
    for username, name, user_type, user_id, manager in PEOPLE:
        password = secrets.token_urlsafe(12)
        account = get_user_model().objects.filter(username=username).first()
        if account is not None:
            account.set_password(password)
            account.save(update_fields=["password"])
        else:
            with tempfile.TemporaryDirectory(prefix="timesheets-demo-") as folder:
                password_file = Path(folder) / "password"
                password_file.write_text(password)
                options = ["--user-type", user_type, "--user-id", user_id, "--name", name]
                options += ["--email", f"{username}@abc.example", "--password-file", str(password_file)]
                if manager:
                    options.append("--manager")
                call_command("create_person", username, *options, stdout=io.StringIO())
        signed_up.append((username, password, "manager" if manager else "employee"))
    return signed_up


def run_import(client_id: str, client_secret: str) -> int:
    # As from cron: no DJANGO_SETTINGS_MODULE, so manage.py runs the job under its own settings.
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"},
        "TIMESHEETS_API_URL": BASE_URL,
        "OAUTH_CLIENT_ID": client_id,
        "OAUTH_CLIENT_SECRET": client_secret,
        "TIMESHEETS_CACHE_DIR": tempfile.mkdtemp(prefix="timesheets-demo-"),
    }
    command = [sys.executable, "manage.py", "import_timesheets", "--no-progress", str(SAMPLE)]
    print(f"\n$ .venv/bin/python manage.py import_timesheets {SAMPLE.relative_to(PROJECT_DIR)}", flush=True)
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode


def keep_secret(client_secret: str) -> None:
    """The secret in a file only its owner reads, never on the screen."""
    descriptor = os.open(SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w") as file:
        file.write(client_secret + "\n")


def import_again(client_id: str) -> str:
    secret_file = (
        SECRET_FILE.relative_to(PROJECT_DIR) if SECRET_FILE.is_relative_to(PROJECT_DIR) else SECRET_FILE
    )
    return f"""
  The import client is {client_id}; its secret is in {secret_file} (only you can read it).
  Import into this demo's data again (unchanged rows stay unchanged):
    TIMESHEETS_API_URL={BASE_URL} OAUTH_CLIENT_ID={client_id} OAUTH_CLIENT_SECRET_FILE={secret_file} \\
      .venv/bin/python manage.py import_timesheets {SAMPLE.relative_to(PROJECT_DIR)}
"""


def links(admin_password: str, people: list[tuple[str, str, str]]) -> str:
    sign_ins = "".join(
        f"\n                  {role:<9} {username} / {password}" for username, password, role in people
    )
    return f"""
  Start page:     {BASE_URL}/
  Web app:        {BASE_URL}/app/   (sign in as one of:{sign_ins})
  Admin:          {BASE_URL}/admin/   (login: admin / {admin_password})
  Weekly picture: {BASE_URL}/admin/timesheets/timesheet/weekly/
  Browsable API:  {BASE_URL}/timesheets   (after logging in to the admin)
  API docs:       {BASE_URL}/api/docs/   (Authorize with a client of your own:
                  .venv/bin/python manage.py create_api_client "docs" \\
                      --scopes "read:timesheets create:timesheets")
"""


def main() -> int:
    if not PORT:
        print(f"DEMO_PORT={PORT_TEXT!r} is not a port number (1-65535).")
        return 2
    if not port_is_free():
        print(
            f"Port {PORT} is taken: stop whatever listens on {BASE_URL}, or pick another with"
            " DEMO_PORT, and run `make demo` again."
        )
        return 2
    setup_django()
    admin_password, client_id, client_secret = prepare_database()
    keep_secret(client_secret)
    people = prepare_people()
    server = start_gunicorn(PORT, 2)
    try:
        status = run_import(client_id, client_secret)
        if status != 0:
            print(
                f"\nThe import exited with status {status}; the server at {BASE_URL} has been stopped.",
                flush=True,
            )
            return status
        print(import_again(client_id), flush=True)
        if os.getenv("DEMO_KEEP_SERVING", "1") == "0":
            print(
                f"\nThe import is done and the server at {BASE_URL} has been stopped (DEMO_KEEP_SERVING=0)."
                "\nRun `make demo` without it to keep the API serving and get the addresses to open.",
                flush=True,
            )
            return 0
        print(
            f"\nThe Timesheets API is running at {BASE_URL}, with its embedded authorization server.\n"
            + links(admin_password, people)
            + "\nServing until Ctrl-C.",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        server.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
