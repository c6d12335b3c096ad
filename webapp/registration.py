"""The web app's registration with the embedded issuer: one public client, made by `migrate`.

The page at /app/ is a browser app: it keeps no secret, so it is a public client that
proves itself with PKCE. Its redirect URI is the path `/app/`, which the issuer reads as
that path on its own origin, so one registration serves every host the deployment answers.
"""

from __future__ import annotations

from typing import Any

CLIENT_ID = "timesheets-web"
NAME = "Timesheets web"
REDIRECT_PATH = "/app/"


def registered_fields() -> dict[str, Any]:
    """What the registration must say; anything else (is_active) is the admin's to change."""
    from issuer.models import ApiClient

    return {
        "name": NAME,
        "client_type": ApiClient.CLIENT_PUBLIC,
        "authorization_grant_type": ApiClient.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": REDIRECT_PATH,
        "skip_authorization": True,  # first-party: no consent screen
        "client_secret": "",
        "hash_client_secret": False,
        # A public app has no secret to rotate; a rotation recorded before the admin refused
        # one would keep signing out whoever signed in before it.
        "secret_rotated_at": None,
    }


def web_client_register(*, using: str = "default") -> None:
    """Creates the client, or puts its registration back as above; changes nothing when it is so."""
    from issuer.models import ApiClient

    fields = registered_fields()
    client = ApiClient.objects.using(using).filter(client_id=CLIENT_ID).first()
    if client is None:
        ApiClient.objects.db_manager(using).create(client_id=CLIENT_ID, **fields)
        return
    changed = [name for name, value in fields.items() if getattr(client, name) != value]
    if changed:
        for name in changed:
            setattr(client, name, fields[name])
        client.save(using=using, update_fields=[*changed, "updated"])


def register_after_migrate(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """post_migrate: every `migrate` leaves the web app registered.

    `flush` sends post_migrate without a plan (the test suite flushes after every test):
    there nothing is made, so a test starts from the tables it expects. A migrate back to
    before the client table exists skips it.
    """
    from issuer.models import ApiClient
    from issuer.schema_state import table_is_current

    if plan is None:
        return
    if table_is_current(ApiClient, using):
        web_client_register(using=using)
