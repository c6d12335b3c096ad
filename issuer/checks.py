from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register

from common.devchecks import development_warnings_wanted

from . import conf, crypto


@register()
def development_key_encryption_key(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if development_warnings_wanted() and conf.is_embedded() and crypto.uses_development_key():
        return [
            Warning(
                "TIMESHEETS_KEY_ENCRYPTION_KEY is not set: signing keys are sealed with a key "
                "derived from DJANGO_SECRET_KEY.",
                hint="Set TIMESHEETS_KEY_ENCRYPTION_KEY (or _FILE) to a Fernet key before serving "
                "anyone but yourself, and keep a copy outside the database backups.",
                id="issuer.W001",
            )
        ]
    return []
