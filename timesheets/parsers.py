from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class NestingSafeJSONParser(JSONParser):
    """DRF's JSON parser, with a 400 instead of a 500 for JSON nested deeper than Python recurses.

    The json module raises RecursionError on a few thousand nested brackets, and DRF
    catches only ValueError. (Size needs nothing here: DRF reads JSON through
    request.body, which enforces DATA_UPLOAD_MAX_MEMORY_SIZE; see exceptions.py.)
    """

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
