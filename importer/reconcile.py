"""Asks the API to delete what the trackers no longer hold, one request per tool, and accounts for
each entry it answers for (importer/deletions.py says which requests may be sent)."""

from __future__ import annotations

import logging

from .client import TimesheetsClient, TransientError
from .deletions import DeletionRequest
from .report import Report

logger = logging.getLogger(__name__)


def reconcile(
    requests: list[DeletionRequest], client: TimesheetsClient, report: Report, *, dry_run: bool = False
) -> None:
    for request in requests:
        if request.blocked:
            logger.warning("Nothing deleted for %s keys: %s", request.prefix, request.blocked)
            continue
        try:
            answer = client.reconcile(request.body(dry_run=dry_run))
        except TransientError as exc:
            logger.error("Nothing deleted for %s keys: %s", request.prefix, exc)
            errors = {"request": [f"Deletions not applied: {exc}"]}
            report.answered(request.sources, None, "failed", errors)
            continue
        verb = "Would delete" if dry_run else "Deleted"
        for gone in answer["deleted"]:
            report.answered(request.sources, gone["external_id"], "deleted")
            logger.info(
                "%s entry %s (%s): its time is gone from the tracker", verb, gone["id"], gone["external_id"]
            )
        for kept in answer["conflicts"]:
            message = f"Entry {kept['id']} is approved: its time is gone from the tracker, but it stays."
            report.answered(request.sources, kept["external_id"], "conflict", {"non_field_errors": [message]})
