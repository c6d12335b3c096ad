"""Moves items from the sources to the API in batches, and accounts for every one."""

from __future__ import annotations

import itertools
import logging
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
            report.outcome(item, "invalid", item.errors)
            continue
        try:
            validator.run_validation(item.entry)
        except ValidationError as exc:
            report.outcome(item, "invalid", exc.detail)


def send_items(items: Iterable[Item], client: TimesheetsClient, report: Report, batch_size: int) -> None:
    """Sends batch after batch, reading the next one while the previous is in flight.

    After a batch fails for good the rest are counted as failed, not sent: the API or its
    issuer is down, and the next run finishes the work without doubling any of it.
    """
    failure: str | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="importer-send") as sender:
        in_flight: tuple[list[Item], Future] | None = None
        for chunk in batched(items, batch_size):
            batch = []
            for item in chunk:
                if item.errors is not None:
                    report.outcome(item, "invalid", item.errors)
                else:
                    batch.append(item)
            if in_flight is not None:
                failure = _settle(*in_flight, report, failure)
                in_flight = None
            if not batch:
                continue
            if failure is not None:
                _fail(batch, report, failure)
            else:
                in_flight = (batch, sender.submit(client.post_batch, [item.entry for item in batch]))
        if in_flight is not None:
            _settle(*in_flight, report, failure)


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
            report.outcome(item, "invalid", item.errors)
        else:
            report.outcome(item, "failed", {"request": [reason]})


def _fail(batch: list[Item], report: Report, reason: str) -> None:
    for item in batch:
        report.outcome(item, "failed", {"request": [reason]})
