from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .permissions import caller_identity
from .rules import person_of


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per caller: the token's client, the token's person, or the staff user.

    A person counts on their own, whichever of their apps sends the request: the company's
    web app serves everyone, and one person's busy afternoon must not spend their
    colleagues' rate. A client's own token counts per client, as before.

    Counted in Django's cache, which is Redis when REDIS_URL is set, so that every API
    instance behind the load balancer counts against the same limit.
    """

    scope = "client"

    def get_rate(self) -> str | None:
        return settings.TIMESHEETS_THROTTLE_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user is None or not request.user.is_authenticated:
            return None  # refused with 401 before any work is done
        person = person_of(request.user)
        ident = f"person:{person.subject}" if person is not None else caller_identity(request.user)
        return self.cache_format % {"scope": self.scope, "ident": ident}
