"""Moves items from the sources to the API in batches, and accounts for every one."""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from rest_framework.exceptions import ValidationError

from timesheets.serializers import TimesheetSerializer

from .client import TimesheetsClient, TransientError
from .formats import Item
from .report import Report
from .sources import SourceRow

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT = 2


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def counted(rows: Iterable[SourceRow], report: Report) -> Iterator[SourceRow]:
    for row in rows:
        report.read(1)
        yield row


def check_items(items: Iterable[Item], report: Report) -> None:
    """--dry-run: the API's own validation, run here; nothing is sent."""
    validator = TimesheetSerializer()
    for item in items:
        if item.errors is not None:
            report.outcome(item, item.refusal, item.errors)
            continue
        try:
            validator.run_validation(item.entry)
        except ValidationError as exc:
            report.outcome(item, "invalid", exc.detail)


def send_items(items: Iterable[Item], client: TimesheetsClient, report: Report, batch_size: int) -> None:
    """Sends batches with up to MAX_IN_FLIGHT under way while the next ones are read.

    Two in flight keep two API workers busy: one validates while the other writes. After
    a batch fails for good the rest are counted as failed, not sent: the API or its issuer
    is down, and the next run finishes the work without doubling any of it.
    """
    failure: str | None = None
    in_flight: deque[tuple[list[Item], Future]] = deque()
    with ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT, thread_name_prefix="importer-send") as sender:
        for chunk in batched(items, batch_size):
            batch = []
            for item in chunk:
                if item.errors is not None:
                    report.outcome(item, item.refusal, item.errors)
                else:
                    batch.append(item)
            # A key already in flight waits for its batch, so that the later row is applied last.
            keys = {item.external_id for item in batch}
            while in_flight and (len(in_flight) >= MAX_IN_FLIGHT or keys & _keys_of(in_flight)):
                failure = _settle(*in_flight.popleft(), report, failure)
            if not batch:
                continue
            if failure is not None:
                _fail(batch, report, failure)
            else:
                in_flight.append((batch, sender.submit(client.post_batch, [item.entry for item in batch])))
        while in_flight:
            failure = _settle(*in_flight.popleft(), report, failure)


def _keys_of(in_flight: deque[tuple[list[Item], Future]]) -> set[str | None]:
    return {item.external_id for batch, _ in in_flight for item in batch}


def _settle(batch: list[Item], future: Future, report: Report, failure: str | None) -> str | None:
    try:
        results: list[dict[str, Any]] = future.result()
    except TransientError as exc:
        logger.error("A batch of %d rows failed: %s", len(batch), exc)
        _fail(batch, report, str(exc))
        return str(exc)
    for item, result in zip(batch, results, strict=True):
        errors = result.get("errors")
        if result["status"] == "conflict":
            errors = {
                "non_field_errors": [
                    f"Entry {result.get('id')} is approved: the changed row was not applied."
                ]
            }
        report.outcome(item, result["status"], errors)
    return failure


def fail_all(items: Iterable[Item], report: Report, reason: str) -> None:
    """Accounts for rows that cannot be sent in this run: invalid ones as such, the rest as failed."""
    for item in items:
        if item.errors is not None:
            report.outcome(item, item.refusal, item.errors)
        else:
            report.outcome(item, "failed", {"request": [reason]})


def _fail(batch: list[Item], report: Report, reason: str) -> None:
    for item in batch:
        report.outcome(item, "failed", {"request": [reason]})
