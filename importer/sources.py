"""Rows from the sources an import names: files, standard input, or an HTTP(S) JSON endpoint.

Everything is streamed and every row is bounded (importer/limits.py), so a file of a million
rows, or of one 50 MB line, takes the memory of a few rows. Lines are decoded one by one: a
line that is not UTF-8 rejects its own row, and the rows before and after it still count.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

import requests

from . import limits
from .http import SameOriginSession, request, shown
from .jsonarray import JsonArrayItems
from .limits import MAX_COLUMNS, MAX_DEPTH, MAX_ROW_BYTES

SUFFIX_KINDS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
URL_TIMEOUT = (5, 60)
BOM = b"\xef\xbb\xbf"
SKIP_CHUNK = 1024 * 1024
PREVIEW_CHARS = 200


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
    """The source's rows; when it breaks off (broken JSON, a failed page, a read error),
    one last row says so, and the rows before it still count."""
    line = 0
    try:
        for row in _open_and_read(source):
            line = row.line
            yield row
    except (OSError, ValueError, csv.Error, requests.RequestException) as exc:
        yield SourceRow(source, line + 1, None, error=f"The source cannot be read past this point: {exc}")


def preview(raw: bytes | str) -> str:
    """The start of a row that could not be read, for the operator to find it."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.rstrip("\r\n")
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def shape_problem(data: Any) -> str | None:
    """Why a parsed row is too wide or too deep to use, if it is."""
    if isinstance(data, dict) and len(data) > MAX_COLUMNS:
        return f"The row has {len(data):,} fields; at most {MAX_COLUMNS} are read."
    if isinstance(data, dict | list) and _deeper_than(data, MAX_DEPTH):
        return f"The row is nested deeper than {MAX_DEPTH} levels."
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    if limit < 1:
        return True
    children = value.values() if isinstance(value, dict) else value
    return any(_deeper_than(child, limit - 1) for child in children if isinstance(child, dict | list))


def _open_and_read(source: str) -> Iterator[SourceRow]:
    if source == "-":
        yield from _read_stream(sys.stdin.buffer, source, kind=None)
    elif is_url(source):
        yield from _read_url(source)
    else:
        with open(source, "rb") as stream:
            yield from _read_stream(stream, source, kind=SUFFIX_KINDS.get(Path(source).suffix.lower()))


def _read_stream(stream: IO[bytes], source: str, kind: str | None) -> Iterator[SourceRow]:
    buffered: io.BufferedReader[Any] = (
        stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)
    )
    head = buffered.peek(MAX_ROW_BYTES)
    if b"\r" in head and b"\n" not in head:  # classic Mac OS line ends (CR only): read as lines
        buffered = io.BufferedReader(_CrAsLf(buffered))
    kind = kind or _sniff(buffered)
    if kind == "json":
        yield from _json_array(buffered, source)
    elif kind == "jsonl":
        yield from _json_lines(buffered, source)
    else:
        yield from _csv(buffered, source)


class _CrAsLf(io.RawIOBase):
    """A stream whose line ends are CR alone, read with LF instead: the line reader splits on LF,
    and would take a CR-only file for one long line, merging its rows."""

    def __init__(self, stream: io.BufferedReader[Any]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read1(len(buffer)).replace(b"\r", b"\n")
        buffer[: len(data)] = data
        return len(data)


def _sniff(stream: io.BufferedReader[Any]) -> str:
    """JSON when the data starts with `[`, JSONL with `{`, else CSV; nothing is consumed."""
    head = stream.peek(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return {b"[": "json", b"{": "jsonl"}.get(head[:1], "csv")


class Line(NamedTuple):  # a tuple: one is made per line, on the hot path
    number: int
    text: str | None  # None when the line cannot be used
    size: int  # in bytes, as in the file
    problem: str | None = None
    raw: bytes = b""  # the start of an unusable line


def lines(stream: IO[bytes]) -> Iterator[Line]:
    """The stream's lines (LF or CRLF), each decoded alone; none longer than MAX_ROW_BYTES is held."""
    readline = stream.readline
    number = 0
    while raw := readline(MAX_ROW_BYTES + 1):
        number += 1
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        size = len(raw)
        if size > MAX_ROW_BYTES:
            while not raw.endswith(b"\n") and (rest := readline(SKIP_CHUNK)):
                size += len(rest)
                raw = raw[:PREVIEW_CHARS] + rest[-1:]  # keeps its start, and whether it ended
            problem = f"Line {number} is {size:,} bytes long; at most {MAX_ROW_BYTES:,} are read."
            yield Line(number, None, size, problem, raw[:PREVIEW_CHARS])
            continue
        try:
            yield Line(number, raw.decode("utf-8"), size)
        except UnicodeDecodeError as exc:
            problem = (
                f"Line {number} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1})."
            )
            yield Line(number, None, size, problem, raw)


def _json_lines(stream: IO[bytes], source: str) -> Iterator[SourceRow]:
    for line in lines(stream):
        if line.text is None:
            yield SourceRow(source, line.number, preview(line.raw), error=line.problem)
            continue
        if not line.text.strip():
            continue
        try:
            data = json.loads(line.text)
        except RecursionError:
            yield SourceRow(source, line.number, preview(line.text), error=_TOO_DEEP)
            continue
        except ValueError as exc:
            yield SourceRow(source, line.number, preview(line.text), error=f"Not valid JSON: {exc}")
            continue
        problem = shape_problem(data)
        yield SourceRow(source, line.number, preview(line.text) if problem else data, error=problem)


_TOO_DEEP = f"The row is nested deeper than {MAX_DEPTH} levels."


class RecordTooLarge(Exception):
    pass


class _CsvFeed:
    """Feeds csv.reader one line at a time and remembers, for the record being read, its
    first unusable line and its size; a record over MAX_ROW_BYTES (an unclosed quote) stops."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._lines = lines(stream)
        self.number = 0
        self.start_record()

    def start_record(self) -> None:
        self.problem: Line | None = None
        self.size = 0
        self.first = self.number + 1

    def __iter__(self) -> _CsvFeed:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number = line.number
        self.size += line.size
        if line.text is None:
            self.problem = self.problem or line
            return "\n"  # the record goes on, or is blank, and is rejected either way
        if self.size > MAX_ROW_BYTES:
            raise RecordTooLarge(
                f"The record from line {self.first} is over {MAX_ROW_BYTES:,} bytes at line "
                f"{line.number} (a quote left open?)."
            )
        return line.text


def _csv(stream: IO[bytes], source: str) -> Iterator[SourceRow]:
    feed = _CsvFeed(stream)
    reader = csv.reader(feed)
    header: list[str] | None = None
    header_problem: str | None = None
    header_row: SourceRow | None = None  # the unreadable header, refused when no row follows it
    width = -1
    while True:
        feed.problem, feed.size, feed.first = None, 0, feed.number + 1
        values: list[str] | None
        try:
            record: list[str] = next(reader)
            values, problem = record, None
        except StopIteration:
            if header_row is not None:  # a file of nothing readable is refused, not an empty success
                yield header_row
            return
        except (csv.Error, RecordTooLarge) as exc:
            values, problem = None, f"Not valid CSV: {exc}" if isinstance(exc, csv.Error) else str(exc)
        else:
            if feed.problem is None and len(record) == width:  # the common case, first
                yield SourceRow(source, feed.number, dict(zip(header, record, strict=True)))  # type: ignore[arg-type]
                continue
        if feed.problem is not None:
            values, problem = None, feed.problem.problem
        if values == []:
            continue  # a blank line, as csv.DictReader skips it
        if values is not None and len(values) > MAX_COLUMNS:
            problem = f"The record has {len(values):,} columns; at most {MAX_COLUMNS} are read."
            values = None
        if header is None and header_problem is None:
            if values is None:
                header_problem = f"The header (line {feed.number}) cannot be read: {problem}"
                raw = feed.problem.raw if feed.problem is not None else b""
                header_row = SourceRow(source, feed.number, preview(raw), error=header_problem)
            else:
                header, width = values, len(values)
            continue
        header_row = None
        if header_problem is not None or values is None:
            raw = feed.problem.raw if feed.problem is not None else b""
            yield SourceRow(source, feed.number, preview(raw), error=header_problem or problem)
            continue
        assert header is not None  # read, since header_problem is None
        row: dict[Any, Any] = dict(zip(header, values, strict=False))
        if len(values) > len(header):
            row[None] = values[len(header) :]  # as csv.DictReader keeps them: refused later
        elif len(values) < len(header):
            row.update(dict.fromkeys(header[len(values) :]))
        yield SourceRow(source, feed.number, row)


def _json_array(stream: io.BufferedReader[Any], source: str) -> Iterator[SourceRow]:
    if _sniff(stream) != "json":  # a page saved from GET /timesheets, say: not silently zero rows
        yield SourceRow(source, 1, None, error="A .json source must be a JSON array of entries.")
        return
    for position, item in enumerate(JsonArrayItems(stream), start=1):
        if item.problem is not None:
            yield SourceRow(source, position, preview(item.preview), error=item.problem)
        else:
            problem = shape_problem(item.value)
            yield SourceRow(source, position, preview(item.preview) if problem else item.value, error=problem)


def _read_url(url: str) -> Iterator[SourceRow]:
    """An array, or pages of {"results", "next"}, as DRF paginates.

    Each answer is read whole within MAX_PAGE_BYTES and URL_TIMEOUT counted for the whole
    answer (importer/http.py), and the pages within MAX_PAGES and MAX_PULL_SECONDS and never
    twice, as a tracker's pull is: a `next` that names itself, or leads back, or never ends
    would otherwise hold the job, and its run lock, from the next runs."""
    position = 0
    seen: set[str] = set()
    deadline = time.monotonic() + limits.MAX_PULL_SECONDS
    next_url: str | None = url
    with SameOriginSession() as session:
        while next_url:
            if next_url in seen:
                raise ValueError(f"{shown(next_url)}: the next page is a page already read")
            if len(seen) >= limits.MAX_PAGES:
                raise ValueError(f"{shown(url)}: over {limits.MAX_PAGES:,} pages (the source's limit)")
            if time.monotonic() > deadline:
                raise ValueError(f"{shown(url)}: took over {limits.MAX_PULL_SECONDS:,} s (its limit)")
            seen.add(next_url)
            response = request(session, "GET", next_url, timeout=URL_TIMEOUT)
            response.raise_for_status()
            body = io.BufferedReader(io.BytesIO(response.content))
            page: Any = None
            if _sniff(body) == "json":
                for item in JsonArrayItems(body):
                    position += 1
                    problem = item.problem or shape_problem(item.value)
                    data = preview(item.preview) if problem else item.value
                    yield SourceRow(url, position, data, error=problem)
            else:
                try:
                    page = json.loads(body.read())
                except RecursionError:
                    raise ValueError(f"{shown(next_url)}: the page is nested too deeply") from None
                if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                    raise ValueError(
                        f"{shown(next_url)}: the answer is neither a JSON array nor a page of results"
                    )
                for item in page["results"]:
                    position += 1
                    problem = shape_problem(item)
                    yield SourceRow(
                        url, position, preview(json.dumps(item)) if problem else item, error=problem
                    )
            next_url = page.get("next") if isinstance(page, dict) else None
            if next_url is not None and not isinstance(next_url, str):
                raise ValueError(f"{shown(url)}: the page's next is not a URL")
