"""The one place that decides the API's error shapes (docs/troubleshooting.md).

DRF's views answer through `api_exception_handler`; what the middleware answers before a
view runs, or after a view met a database that is down, goes through `error_response`, so
every error of the API is `{"detail": …}` built here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .permissions import InsufficientScope


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the entry's state."
    default_code = "conflict"


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "too_large"


class ControlCharacters(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Control characters are not allowed."
    default_code = "control_characters"


class DatabaseUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again later."
    default_code = "database_unavailable"


def error_response(exc: APIException) -> JsonResponse:
    """The API's error shape for an answer given outside DRF's views, where no renderer runs."""
    return JsonResponse({"detail": str(exc.detail)}, status=exc.status_code)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # else Django's HTML 400, not the API's JSON
        exc = RequestTooLarge(f"Request body larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        # One message for every reason a token fails, so a caller cannot probe which check
        # it tripped; the reason is in the server log.
        response.data = {"detail": "Missing or invalid token"}
    elif isinstance(exc, InsufficientScope):
        response.data = {"detail": "Insufficient scope", "required_scopes": exc.required_scopes}
        response["WWW-Authenticate"] = (
            f'Bearer realm="timesheets", error="insufficient_scope", scope="{" ".join(exc.required_scopes)}"'
        )
    return response
