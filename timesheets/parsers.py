from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .exceptions import RequestTooLarge


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with a size limit and no 500 on deeply nested input.

    The standard parser reads the stream whole with no limit (Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE applies only to request.body), and json raises
    RecursionError, which DRF does not catch, on a few thousand nested brackets.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(body.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")
