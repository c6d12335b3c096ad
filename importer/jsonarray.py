"""The items of a JSON array, streamed in bounded memory, each decoded on its own.

A streaming parser that builds each item (ijson) holds a whole item however large, and
spends memory with the square of its nesting depth; a hostile file of nested brackets
then takes the machine down (scripts/measure_fastpaths.py ijson compares the two where
ijson is installed). Here each item is decoded by the json module's C decoder
from a buffer that never holds more than MAX_ROW_BYTES of it: an item that is larger, or
nested deeper than the decoder recurses, is skipped by a scanner that keeps only its
nesting depth, and becomes a rejected row. Bytes that are not UTF-8 reject their item.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from .limits import MAX_DEPTH, MAX_ROW_BYTES

CHUNK = 64 * 1024
_SPACE = re.compile(r"[ \t\r\n]*")
_STRUCTURE = re.compile(r'["\[\]{},]')
_STRING_END = re.compile(r'["\\]')
# Bytes that are not UTF-8, decoded with surrogateescape.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_decoder = json.JSONDecoder()


@dataclass(frozen=True)
class ArrayItem:
    value: Any = None
    problem: str | None = None
    preview: str = ""


def _maybe_incomplete(exc: ValueError, buffered: int) -> bool:
    """Whether the decoder may have failed only because the item goes on in the next chunk:
    it then fails at the end of the buffer, or on a string it saw open."""
    if not isinstance(exc, json.JSONDecodeError):
        return False  # an integer of too many digits, say: the item itself is wrong
    return exc.pos >= buffered - 8 or exc.msg.startswith("Unterminated string")


class JsonArrayItems:
    """Iterates over the items of the JSON array that `stream` holds.

    A syntax error ends the iteration with ValueError (what follows cannot be framed);
    an item too large or too deep is an ArrayItem with its problem, and the next one follows.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decode = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape").decode
        self._text = ""
        self._pos = 0
        self._eof = False

    def __iter__(self) -> Iterator[ArrayItem]:
        if self._next_char() != "[":
            raise ValueError("not a JSON array")
        self._pos += 1
        if self._next_char() == "]":
            return
        while True:
            yield self._item()
            delimiter = self._next_char()
            if delimiter == "]":
                return
            if delimiter != ",":
                raise ValueError(f"expected , or ] after item, found {delimiter or 'the end'!r}")
            self._pos += 1

    def _more(self) -> bool:
        if self._eof:
            return False
        if self._pos > CHUNK:
            self._text, self._pos = self._text[self._pos :], 0
        data = self._stream.read(CHUNK)
        self._text += self._decode(data, final=not data)
        self._eof = not data
        return True

    def _next_char(self) -> str:
        """The next character that is not white space, not consumed; "" at the end."""
        while True:
            self._pos = _SPACE.match(self._text, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._more():
                return ""

    def _item(self) -> ArrayItem:
        self._next_char()
        start = self._pos
        while True:
            try:
                value, end = _decoder.raw_decode(self._text, start)
            except RecursionError:
                return self._skip(start, f"The item is nested deeper than {MAX_DEPTH} levels.")
            except ValueError as exc:
                if not _maybe_incomplete(exc, len(self._text)):
                    raise
                if len(self._text) - start > MAX_ROW_BYTES:
                    return self._skip(start, None)
                if not self._more():
                    raise
                start, self._pos = self._pos, self._pos  # _more() may have moved the buffer
                continue
            if end == len(self._text) and self._more():
                start = self._pos
                continue  # a number may go on in the next chunk
            break
        if end - start > MAX_ROW_BYTES:
            self._pos = start
            return self._skip(start, None)
        self._pos = end
        if _UNDECODABLE.search(self._text, start, end):
            return ArrayItem(problem="The item is not UTF-8 text.", preview=self._text[start : start + 200])
        return ArrayItem(value=value)

    def _skip(self, start: int, problem: str | None) -> ArrayItem:
        """Scans past the item keeping only its nesting depth; ValueError at the end of the data."""
        self._pos = start
        text_preview = self._text[start : start + 200]
        depth = 0
        deepest = 0
        size = 0
        in_string = False
        while True:
            if self._pos >= len(self._text):
                size += self._pos - start
                self._text, self._pos, start = "", 0, 0
                if not self._more():
                    raise ValueError("the data ends inside an item")
            if in_string:
                found = _STRING_END.search(self._text, self._pos)
                if found is None:
                    self._pos = len(self._text)
                    continue
                if found.group() == "\\":
                    if found.end() >= len(self._text):  # the escaped character is in the next chunk
                        size += found.start() - start
                        self._text, self._pos, start = self._text[found.start() :], 0, 0
                        if not self._more():
                            raise ValueError("the data ends inside an item")
                        continue
                    self._pos = found.end() + 1
                    continue
                in_string = False
                self._pos = found.end()
                continue
            found = _STRUCTURE.search(self._text, self._pos)
            if found is None:
                self._pos = len(self._text)
                continue
            char = found.group()
            if depth == 0 and char in ",]":
                self._pos = found.start()
                break
            self._pos = found.end()
            if char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "]}":
                depth -= 1
        size += self._pos - start
        if problem is None:
            problem = (
                f"The item is nested deeper than {MAX_DEPTH} levels."
                if deepest > MAX_DEPTH
                else f"The item is {size:,} characters long; at most {MAX_ROW_BYTES:,} are read."
            )
        return ArrayItem(problem=problem, preview=text_preview)
