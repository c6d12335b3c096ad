"""Clockify: the detailed export, and the pull of the Reports API detailed report of a workspace.

As documented at https://docs.clockify.me/#tag/Time-Entry-Report/operation/generateDetailedReport
(POST /v1/workspaces/{workspaceId}/reports/detailed on reports.api.clockify.me, paged by
detailedFilter.page and detailedFilter.pageSize, at most 1,000; the answer's `timeentries`),
with the `X-Api-Key` header (https://docs.clockify.me/#section/Authentication) and a rate
limit answered with 429 (https://docs.clockify.me/#section/Rate-limiting). A report entry
carries userName and userEmail, as the detailed CSV export's User and Email columns do.

Its export, the detailed report CSV: Project, Client, Description, Task, User, Group, Email,
Tags, Billable, Start Date, Start Time, End Date, End Time, Duration (h), Duration (decimal),
Billable Rate (<currency>), Billable Amount (<currency>). Dates follow the exporting user's
profile setting ("DD/MM/YYYY, MM-DD-YYYY, etc.": clockify.me/help, "Profile settings" and
"Import timesheets"; exports in public repositories show MM/DD/YYYY and YYYY-MM-DD);
Duration (h) follows the workspace's duration format, hh:mm:ss, h:mm or h.hh
(clockify.me/help, "Duration format").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import requests

from ..layouts import RUNNING, Layout
from ..window import Window
from .base import Tracker, TrackerFailed, clock, expect

PAGE_SIZE = 1000
ISO_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")

# The detailed export, as its files hold it and as the pull below shapes its rows.
LAYOUT = Layout(
    prefix="clockify",
    label="Clockify detailed export",
    date="Start Date",
    # Duration (decimal) is rounded to hundredths; Duration (h) is exact as hh:mm:ss.
    durations=("Duration (h)", "Duration (decimal)"),
    project="Project",
    names=("User",),
    email="Email",
)


class Clockify(Tracker):
    kind = "clockify"
    layout = LAYOUT
    credential = "CLOCKIFY_API_KEY"
    url_variable = "CLOCKIFY_REPORTS_URL"
    default_url = "https://reports.api.clockify.me"

    def authenticate(self, session: requests.Session, token: str) -> None:
        session.headers["X-Api-Key"] = token

    def entries(self, window: Window) -> Iterator[dict[str, Any]]:
        # A day's margin each side; the week of an entry is decided here, in --time-zone.
        start = datetime.combine(window.first_day - timedelta(days=1), datetime.min.time())
        end = datetime.combine(window.last_day + timedelta(days=1), datetime.max.time())
        body: dict[str, Any] = {
            "dateRangeStart": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "dateRangeEnd": end.strftime("%Y-%m-%dT%H:%M:%S.999Z"),
            "exportType": "JSON",
            "detailedFilter": {"page": 1, "pageSize": PAGE_SIZE, "sortColumn": "ID"},
        }
        path = f"/v1/workspaces/{self.account}/reports/detailed"
        while True:
            answer = self.json("POST", path, json=body)
            expect(isinstance(answer, dict), self.source, "a detailed report is a JSON object")
            page = answer.get("timeentries", answer.get("timeEntries"))
            expect(isinstance(page, list), self.source, "a detailed report holds timeentries")
            for entry in page:
                expect(isinstance(entry, dict), self.source, "time entries are objects")
                yield self._row(entry, window)
            if len(page) < PAGE_SIZE:
                return
            number = body["detailedFilter"]["page"] + 1
            self.next_page(f"report page {number}", number, _announced_pages(answer))
            body["detailedFilter"]["page"] = number

    def _row(self, entry: dict[str, Any], window: Window) -> dict[str, Any]:
        interval = entry.get("timeInterval") or {}
        try:
            start = datetime.fromisoformat(str(interval["start"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            raise TrackerFailed(f"{self.source}: a time entry without a readable start") from None
        running = not interval.get("end") or interval.get("duration") is None
        project = entry.get("projectName")
        return {
            "User": entry.get("userName") or "",
            "Email": entry.get("userEmail") or "",
            "Project": project if isinstance(project, str) else "",
            "Start Date": window.day_of(start).isoformat(),
            "Duration (h)": "" if running else clock(_seconds(interval["duration"], self.source)),
            RUNNING: running,
            "Id": entry.get("_id") or entry.get("id"),
        }


def _announced_pages(answer: dict[str, Any]) -> int | None:
    """The pages the report's totals announce (entriesCount), if it says."""
    totals = answer.get("totals")
    first = totals[0] if isinstance(totals, list) and totals and isinstance(totals[0], dict) else {}
    count = first.get("entriesCount")
    return -(-count // PAGE_SIZE) if isinstance(count, int) and count >= 0 else None


def _seconds(duration: Any, source: str) -> float:
    """The report's duration is seconds; the time entry API's is ISO 8601 (PT1H30M): both read."""
    if isinstance(duration, (int, float)):
        return float(duration)
    if isinstance(duration, str) and (match := ISO_DURATION.fullmatch(duration)):
        hours, minutes, seconds = (float(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise TrackerFailed(f"{source}: a duration that is neither seconds nor ISO 8601: {duration!r}")
