from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class IssuerConfig(AppConfig):
    name = "issuer"
    verbose_name = "Embedded authorization server"

    def ready(self) -> None:
        from . import checks, conf, crypto, revocation, shared_cache  # noqa: F401 (checks registers itself)
        from .models import ApiClient

        if conf.is_embedded():
            crypto.check_configured()  # at start-up, in gunicorn too, not at the first token
        post_migrate.connect(ensure_signing_key, sender=self)
        post_migrate.connect(shared_cache.create_table, sender=self)
        post_save.connect(revocation.client_changed, sender=ApiClient)
        post_delete.connect(revocation.client_changed, sender=ApiClient)


def ensure_signing_key(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """After `migrate`, a signing key exists, so the first JWKS fetched is never empty.

    `flush` sends post_migrate too, without a plan (the test suite flushes after every test):
    there the key is made on first use instead. A migrate back to an older table skips it.
    """
    from . import conf, keys
    from .models import SigningKey
    from .schema_state import table_is_current

    if plan is None or not conf.is_embedded():
        return
    if table_is_current(SigningKey, using):
        keys.current_signing_key(using=using)
