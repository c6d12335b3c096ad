"""Moves items from the sources to the API in batches, and accounts for every one.

Every row read ends in exactly one counter: created, updated, unchanged, conflict,
rejected or failed, whatever fails and whenever.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson

from .client import AuthorizationError, BodyTooLarge, TimesheetsClient, TransientError
from .items import Item
from .limits import MAX_BODY_BYTES
from .report import Report
from .sources import SourceRow

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT = 2


def _refuse(value: Any) -> Any:
    raise TypeError(f"a {type(value).__name__} is not JSON")


# The json module's compact UTF-8 JSON with NaN refused: the rule for what may be sent.
_json_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, check_circular=False, separators=(",", ":"), default=_refuse
).encode


def encode_entry(value: Any) -> bytes:
    """The entry as compact UTF-8 JSON with NaN refused: the json module's answer, or its error.

    Each entry is encoded alone, to know its size, so this runs once per row; orjson does it
    in about a fifth of the json module's time (scripts/measure_fastpaths.py). Where orjson
    would answer otherwise, the json module encodes the entry again and its answer stands:
    orjson refuses an integer past 64 bits and a lone surrogate, and writes NaN and the
    infinities as null, which the json module refuses. Only a float may be spelt
    differently (orjson writes 1e-05 as 0.00001): the same number.
    """
    try:
        body = orjson.dumps(value, default=_refuse)
    except orjson.JSONEncodeError:
        return _json_encode(value).encode("utf-8")
    if b"null" in body:  # perhaps a NaN or an infinity; a rare row, encoded twice
        return _json_encode(value).encode("utf-8")
    return body


@dataclass
class Batch:
    items: list[Item] = field(default_factory=list)
    encoded: list[bytes] = field(default_factory=list)
    size: int = 1  # the body's bytes: "[", the entries, the commas and "]"

    def add(self, item: Item, encoded: bytes) -> None:
        self.items.append(item)
        self.encoded.append(encoded)
        self.size += len(encoded) + 1

    def body(self) -> bytes:
        return b"[" + b",".join(self.encoded) + b"]"

    def where(self) -> str:
        first, last = self.items[0].row, self.items[-1].row
        lines = f"line {first.line}" if first.line == last.line else f"lines {first.line}-{last.line}"
        return f"{len(self.items)} rows ({first.source}, {lines})"


def counted(rows: Iterable[SourceRow], report: Report) -> Iterator[SourceRow]:
    for row in rows:
        report.read(1)
        yield row


def encoded(item: Item) -> bytes | dict[str, list[str]]:
    """The entry as the API will read it, or why it cannot be sent (NaN, bytes that are not UTF-8)."""
    try:
        return encode_entry(item.entry)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        return {"non_field_errors": [f"The row cannot be sent as JSON: {exc}"]}


def batches(
    items: Iterable[Item], report: Report, size: int, max_bytes: int = MAX_BODY_BYTES
) -> Iterator[Batch]:
    """Batches of at most `size` entries and `max_bytes` of body; rows that cannot be sent are
    rejected here, one by one, and never hold back the others."""
    batch = Batch()
    for item in items:
        if item.errors is not None:
            report.outcome(item, item.refused_as, item.errors)
            continue
        if item.entry is None:  # left out of this run: a running timer, a row outside the window
            report.outcome(item, "unchanged")
            continue
        body = encoded(item)
        if isinstance(body, dict):
            report.outcome(item, "invalid", body)
            continue
        if batch.items and (len(batch.items) >= size or batch.size + len(body) + 1 > max_bytes):
            yield batch
            batch = Batch()
        batch.add(item, body)
    if batch.items:
        yield batch


def post(client: TimesheetsClient, batch: Batch) -> list[dict[str, Any]]:
    """The API's results for the batch; a 413 splits it in two, down to single rows."""
    try:
        return client.post_batch(batch.body(), len(batch.items))
    except BodyTooLarge as exc:
        if len(batch.items) == 1:
            return [{"status": "invalid", "errors": {"non_field_errors": [f"Too large for the API: {exc}"]}}]
        logger.info("%s; sending the batch in two halves", exc)
        middle = len(batch.items) // 2
        halves = [Batch(), Batch()]
        for index, (item, body) in enumerate(zip(batch.items, batch.encoded, strict=True)):
            halves[index >= middle].add(item, body)
        return post(client, halves[0]) + post(client, halves[1])


class Sender:
    """Sends batches with up to MAX_IN_FLIGHT under way while the next ones are read.

    Two in flight keep two API workers busy: one validates while the other writes. After a
    batch fails for good (the API or its issuer is down, or the authorization is lost), the
    rest are counted as failed, not sent: the next run finishes the work without doubling any
    of it. Each failed batch is one log line; the rows after it, one more.
    """

    def __init__(self, client: TimesheetsClient, report: Report) -> None:
        self.client = client
        self.report = report
        self.failure: str | None = None
        self.lost_authorization: AuthorizationError | None = None
        self.not_sent = 0

    def send(self, items: Iterable[Item], batch_size: int) -> None:
        in_flight: deque[tuple[Batch, Future]] = deque()
        with ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT, thread_name_prefix="importer-send") as pool:
            for batch in batches(items, self.report, batch_size):
                # A key already in flight waits for its batch, so that the later row is applied last.
                keys = {item.external_id for item in batch.items}
                while in_flight and (len(in_flight) >= MAX_IN_FLIGHT or keys & _keys_of(in_flight)):
                    self._settle(*in_flight.popleft())
                if self.failure is not None:
                    self._fail(batch, self.failure)
                    self.not_sent += len(batch.items)
                else:
                    in_flight.append((batch, pool.submit(post, self.client, batch)))
            while in_flight:
                self._settle(*in_flight.popleft())
        if self.not_sent:
            logger.error("%d more rows were not sent after that failure: counted as failed", self.not_sent)
        if self.lost_authorization is not None:
            raise self.lost_authorization

    def _settle(self, batch: Batch, future: Future) -> None:
        try:
            results: list[dict[str, Any]] = future.result()
        except (TransientError, AuthorizationError) as exc:
            logger.error("A batch of %s failed: %s", batch.where(), exc)
            if isinstance(exc, AuthorizationError) and self.lost_authorization is None:
                self.lost_authorization = exc
            self.failure = self.failure or str(exc)
            self._fail(batch, str(exc))
            return
        for item, result in zip(batch.items, results, strict=True):
            errors = result.get("errors")
            if result["status"] == "conflict":
                errors = {
                    "non_field_errors": [
                        f"Entry {result.get('id')} is approved: the changed row was not applied."
                    ]
                }
            self.report.outcome(item, result["status"], errors)

    def _fail(self, batch: Batch, reason: str) -> None:
        for item in batch.items:
            self.report.outcome(item, "failed", {"request": [reason]})


def send_items(items: Iterable[Item], client: TimesheetsClient, report: Report, batch_size: int) -> None:
    Sender(client, report).send(items, batch_size)


def _keys_of(in_flight: deque[tuple[Batch, Future]]) -> set[str | None]:
    return {item.external_id for batch, _ in in_flight for item in batch.items}


def fail_all(items: Iterable[Item], report: Report, reason: str) -> None:
    """Accounts for rows that cannot be sent in this run: refused and left-out ones as such, the
    rest as failed."""
    for item in items:
        if item.errors is not None:
            report.outcome(item, item.refused_as, item.errors)
        elif item.entry is None:
            report.outcome(item, "unchanged")
        else:
            report.outcome(item, "failed", {"request": [reason]})
