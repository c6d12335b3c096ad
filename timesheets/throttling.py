from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .permissions import caller_identity


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per calling client: the token's client, or the staff user.

    Counted in Django's cache, which is Redis when REDIS_URL is set, so that every API
    instance behind the load balancer counts against the same limit.
    """

    scope = "client"

    def get_rate(self) -> str | None:
        return settings.TIMESHEETS_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user is None or not request.user.is_authenticated:
            return None  # refused with 401 before any work is done
        return self.cache_format % {"scope": self.scope, "ident": caller_identity(request.user)}
