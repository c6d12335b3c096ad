from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .views import healthz

HEALTH_PATHS = frozenset({"/healthz", "/healthz/"})


class HealthCheckMiddleware:
    """Answers /healthz before host validation and the HTTPS redirect.

    Load balancers probe each instance by its IP address over plain HTTP: the Host header
    is not in ALLOWED_HOSTS, and a redirect would mark every instance unhealthy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in HEALTH_PATHS:
            return healthz(request)
        return self.get_response(request)
