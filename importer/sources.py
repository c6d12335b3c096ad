"""Rows from the sources an import names: files, standard input, or an HTTP(S) JSON endpoint.

Everything is streamed, so a file of a million rows takes the memory of a few rows.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson
import requests

SUFFIX_KINDS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
URL_TIMEOUT = (5, 60)


class SourceError(Exception):
    """A source that cannot be read (further); what was read before still counts."""


@dataclass(frozen=True)
class SourceRow:
    source: str
    line: int  # the line in a CSV or JSONL file; the item's position in a JSON array
    data: Any  # a dict for a well-formed row, whatever the source held otherwise
    error: str | None = None  # why the row could not even be parsed


def check_sources(sources: list[str]) -> None:
    """Fails before anything is sent when a named file is missing."""
    for source in sources:
        if source != "-" and not is_url(source) and not Path(source).is_file():
            raise SourceError(f"{source}: no such file")


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_rows(source: str) -> Iterator[SourceRow]:
    """The source's rows; when it breaks off (bad encoding, broken JSON, a failed page),
    one last row says so, and the rows before it still count."""
    line = 0
    try:
        for row in _open_and_read(source):
            line = row.line
            yield row
    except (OSError, ValueError, csv.Error, ijson.JSONError, requests.RequestException) as exc:
        yield SourceRow(source, line + 1, None, error=f"The source cannot be read past this point: {exc}")


def _open_and_read(source: str) -> Iterator[SourceRow]:
    if source == "-":
        yield from _read_stream(sys.stdin.buffer, source, kind=None)
    elif is_url(source):
        yield from _read_url(source)
    else:
        with open(source, "rb") as stream:
            yield from _read_stream(stream, source, kind=SUFFIX_KINDS.get(Path(source).suffix.lower()))


def _read_stream(stream: IO[bytes], source: str, kind: str | None) -> Iterator[SourceRow]:
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
    kind = kind or _sniff(buffered)
    if kind == "json":
        yield from _json_array(buffered, source)
    elif kind == "jsonl":
        yield from _json_lines(buffered, source)
    else:
        yield from _csv(buffered, source)


def _sniff(stream: io.BufferedReader) -> str:
    """JSON when the data starts with `[`, JSONL with `{`, else CSV; nothing is consumed."""
    head = stream.peek(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return {b"[": "json", b"{": "jsonl"}.get(head[:1], "csv")


def _json_array(stream: IO[bytes], source: str) -> Iterator[SourceRow]:
    if _sniff(stream) != "json":  # a page saved from GET /timesheets, say: not silently zero rows
        yield SourceRow(source, 1, None, error="A .json source must be a JSON array of entries.")
        return
    for position, item in enumerate(ijson.items(stream, "item", use_float=True), start=1):
        yield SourceRow(source, position, item)


def _json_lines(stream: IO[bytes], source: str) -> Iterator[SourceRow]:
    for number, raw in enumerate(io.TextIOWrapper(stream, encoding="utf-8-sig"), start=1):
        if not raw.strip():
            continue
        try:
            yield SourceRow(source, number, json.loads(raw))
        except ValueError as exc:
            yield SourceRow(source, number, raw.rstrip("\r\n"), error=f"Not valid JSON: {exc}")


def _csv(stream: IO[bytes], source: str) -> Iterator[SourceRow]:
    reader = csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
    for row in reader:
        yield SourceRow(source, reader.line_num, row)


def _read_url(url: str) -> Iterator[SourceRow]:
    """An array, or pages of {"results", "next"}, as DRF paginates."""
    position = 0
    next_url: str | None = url
    with requests.Session() as session:
        while next_url:
            with session.get(next_url, timeout=URL_TIMEOUT, stream=True) as response:
                response.raise_for_status()
                response.raw.decode_content = True
                response.raw.auto_close = False  # else the buffer below reads a closed file at the end
                body = io.BufferedReader(response.raw)  # type: ignore[arg-type]
                if _sniff(body) == "json":
                    page = None
                    items = ijson.items(body, "item", use_float=True)
                else:
                    page = json.load(body)
                    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                        raise ValueError("the answer is neither a JSON array nor a page of results")
                    items = page["results"]
                for item in items:
                    position += 1
                    yield SourceRow(url, position, item)
            next_url = page.get("next") if isinstance(page, dict) else None
