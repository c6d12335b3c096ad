"""Asks the API to delete what the trackers no longer hold: POST /timesheets/reconcile, one per tool.

The truth lives in the API, not on the cron machine: the request names every key the run
still has for the window, and the API removes this client's other keys of that tool and
window (docs/trackers.md, "Deletions"). So a wiped cache folder changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from ..client import AuthorizationError, TimesheetsClient, TransientError, send
from ..formats import Item
from ..report import Report
from ..sources import SourceRow
from .scopes import Scope, Scopes

logger = logging.getLogger(__name__)


def reconcile(scopes: Scopes, client: TimesheetsClient, report: Report, *, dry_run: bool = False) -> None:
    for scope in scopes.deleting():
        if reason := scopes.why_not(scope):
            logger.warning("Nothing deleted for %s keys: %s", scope.prefix, reason)
            continue
        try:
            answer = _post(client, _request(scopes, scope, dry_run))
        except TransientError as exc:
            logger.error("Nothing deleted for %s keys: %s", scope.prefix, exc)
            _account(report, scope, None, "failed", {"request": [f"Deletions not applied: {exc}"]})
            continue
        verb = "Would delete" if dry_run else "Deleted"
        for gone in answer["deleted"]:
            _account(report, scope, gone["external_id"], "deleted", None)
            logger.info(
                "%s entry %s (%s): its time is gone from the tracker", verb, gone["id"], gone["external_id"]
            )
        for kept in answer["conflicts"]:
            message = f"Entry {kept['id']} is approved: its time is gone from the tracker, but it stays."
            _account(report, scope, kept["external_id"], "conflict", {"non_field_errors": [message]})


def _request(scopes: Scopes, scope: Scope, dry_run: bool) -> dict[str, Any]:
    return {
        "prefix": scope.prefix,
        "since": scopes.window.first_week,
        "until": scopes.window.last_week,
        "keep": sorted(scope.keys),
        "persons": sorted(scope.persons | scopes.known_people),
        "dry_run": dry_run,
    }


def _post(client: TimesheetsClient, body: dict[str, Any]) -> dict[str, Any]:
    url = f"{client.api_url}/timesheets/reconcile"
    token = client.tokens.token()
    response = send(client.session, "POST", url, client.policy, json=body, headers=_bearer(token))
    if response.status_code == 401:
        token = client.tokens.renew(refused=token)
        response = send(client.session, "POST", url, client.policy, json=body, headers=_bearer(token))
    if response.status_code in (401, 403):
        raise AuthorizationError(
            f"The API refused the deletions for {body['prefix']} keys: HTTP {response.status_code}"
        )
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if (
        response.status_code != 200
        or not isinstance(answer, dict)
        or not all(isinstance(answer.get(name), list) for name in ("deleted", "conflicts"))
    ):
        raise TransientError(f"The API answered the deletions with HTTP {response.status_code}")
    return answer


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _account(
    report: Report, scope: Scope, key: str | None, status: str, errors: dict[str, Any] | None
) -> None:
    """An entry the API answered for (or the request that failed) is one more row of the run,
    read from the API: so read = created + updated + unchanged + deleted + conflicts +
    rejected + failed holds with deletions too."""
    source = ", ".join(sorted(scope.sources))
    report.read(1)
    report.outcome(Item(SourceRow(source, 0, {"external_id": key}), {"external_id": key}), status, errors)
