"""Answers given before, or instead of, the views: health checks, refused input, a database that is down."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from .exceptions import ControlCharacters, DatabaseUnavailable, error_response
from .views import healthz

logger = logging.getLogger(__name__)

HEALTH_PATHS = frozenset({"/healthz", "/healthz/"})
# C0 controls and DEL. A header value may hold a tab (RFC 9110 §5.5); nothing else may.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
HEADER_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


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


class ControlCharacterMiddleware:
    """Refuses control characters in the path, query parameters and header values with a 400.

    No entry field can hold one, so such a filter could match nothing, and PostgreSQL
    refuses NUL in any text: without this a NUL reaches a query as a 500. A view that sets
    `checks_control_characters` answers them itself (the token endpoint, in RFC 6749's error
    shape, counting them as failed authentications).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path):
            return _refusal("Control characters are not allowed in the path.")
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: object,
        view_kwargs: object,
    ) -> HttpResponse | None:
        view = getattr(view_func, "view_class", view_func)
        if getattr(view, "checks_control_characters", False):
            return None
        for name, values in request.GET.lists():
            if any(CONTROL_CHARACTERS.search(text) for text in (name, *values)):
                return _refusal("Control characters are not allowed in query parameters.")
        for name, value in request.META.items():
            is_header = name.startswith("HTTP_") and isinstance(value, str)
            if is_header and HEADER_CONTROL_CHARACTERS.search(value):
                return _refusal("Control characters are not allowed in headers.")
        return None


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached, or that timed out, is a 503 JSON answer, not an HTML 500.

    The client may retry (the importer does); the reason goes to the log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return error_response(DatabaseUnavailable())


def _refusal(detail: str) -> HttpResponse:
    return error_response(ControlCharacters(detail))
