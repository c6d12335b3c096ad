from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from common.devchecks import development_warnings_wanted


@register()
def development_secret_key(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if getattr(settings, "DEVELOPMENT_SECRET_KEY", False) and development_warnings_wanted():
        return [
            Warning(
                "DJANGO_SECRET_KEY is not set: using the public development key.",
                hint="Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) before serving anyone but yourself.",
                id="timesheets.W001",
            )
        ]
    return []
