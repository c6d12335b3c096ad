"""Toggl Track: the detailed export, and the pull of the Reports API v3 detailed report (and users).

As documented at https://engineering.toggl.com/docs/reports/detailed_reports (POST
/reports/api/v3/workspace/{workspace_id}/search/time_entries; next page from the
X-Next-ID / X-Next-Row-Number / X-Next-Timestamp headers, sent back as first_id /
first_row_number / first_timestamp) and https://engineering.toggl.com/docs/api/workspaces
(GET /api/v9/workspaces/{workspace_id}/users). HTTP Basic with `TOKEN:api_token`
(https://engineering.toggl.com/docs/authentication). Report rows carry a user id and name
but no email, while the detailed CSV export has an Email column: the users call fills it,
so that keys match the export's.

Its export, the detailed report CSV: User, Email, Client, Project, Task, Description, Billable,
Start date, Start time, End date, End time, Duration, Tags, Amount (<currency>); dates
YYYY-MM-DD, durations hh:mm:ss, a UTF-8 BOM first. The CSV import takes these headers
(support.toggl.com, "Editing and uploading a CSV file": "export a Detailed report into
the CSV" to see the format); exported files in public repositories show the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import requests

from ..layouts import RUNNING, Layout
from ..window import Window
from .base import Tracker, TrackerFailed, clock, expect

PAGE_SIZE = 50  # the documented default; the report does not document a larger maximum
PROJECTS_PAGE = 200

# The detailed export, as its files hold it and as the pull below shapes its rows.
LAYOUT = Layout(
    prefix="toggl",
    label="Toggl Track detailed export",
    date="Start date",
    durations=("Duration",),
    project="Project",
    names=("User",),
    email="Email",
)


class Toggl(Tracker):
    kind = "toggl"
    layout = LAYOUT
    credential = "TOGGL_API_TOKEN"
    url_variable = "TOGGL_API_URL"
    default_url = "https://api.track.toggl.com"

    def authenticate(self, session: requests.Session, token: str) -> None:
        session.auth = (token, "api_token")

    def entries(self, window: Window) -> Iterator[dict[str, Any]]:
        number = 1
        users = self._users()
        projects: dict[Any, str] | None = None
        # A day's margin each side: the report reads dates in the token owner's time zone,
        # the week of an entry is decided here, in --time-zone.
        body: dict[str, Any] = {
            "start_date": (window.first_day - timedelta(days=1)).isoformat(),
            "end_date": (window.last_day + timedelta(days=1)).isoformat(),
            "page_size": PAGE_SIZE,
            "enrich_response": True,
            "order_by": "date",
            "order_dir": "ASC",
        }
        path = f"/reports/api/v3/workspace/{self.account}/search/time_entries"
        while True:
            response = self.call("POST", path, json=body)
            try:
                rows = response.json()
            except ValueError:
                raise TrackerFailed(f"{self.source}: the report page is not JSON") from None
            expect(isinstance(rows, list), self.source, "a detailed report page is a JSON array")
            for row in rows:
                expect(isinstance(row, dict), self.source, "report rows are objects")
                project = row.get("project_name")
                if project is None and row.get("project_id") is not None:
                    if projects is None:
                        projects = self._projects()
                    project = projects.get(row["project_id"])
                email, name = users.get(row.get("user_id"), ("", ""))
                for entry in row.get("time_entries") or []:
                    yield self._row(entry, window, name or row.get("username") or "", email, project)
            next_id = response.headers.get("X-Next-ID")
            next_row = response.headers.get("X-Next-Row-Number")
            if not next_id and not next_row:
                return
            number += 1
            # X-Next-ID names the first entry of the next page: a page named twice is a loop.
            self.next_page(f"first_id={next_id}" if next_id else f"first_row_number={next_row}", number)
            body |= {"first_id": _int(next_id), "first_row_number": _int(next_row)}
            if timestamp := response.headers.get("X-Next-Timestamp"):
                body["first_timestamp"] = _int(timestamp)

    def _row(
        self, entry: dict[str, Any], window: Window, name: str, email: str, project: str | None
    ) -> dict[str, Any]:
        try:
            start = datetime.fromisoformat(str(entry["start"]).replace("Z", "+00:00"))
            seconds = entry.get("seconds")
            running = entry.get("stop") is None or seconds is None or seconds < 0
        except (KeyError, ValueError, TypeError):
            raise TrackerFailed(f"{self.source}: a time entry without a readable start") from None
        return {
            "User": name,
            "Email": email,
            "Project": project or "",
            "Start date": window.day_of(start).isoformat(),
            "Duration": "" if running or seconds is None else clock(seconds),
            RUNNING: running,
            "Id": entry.get("id"),
        }

    def _users(self) -> dict[Any, tuple[str, str]]:
        """user id: (email, name); both readings of the documented list (id/fullname, user_id/name)."""
        answer = self.json("GET", f"/api/v9/workspaces/{self.account}/users")
        expect(isinstance(answer, list), self.source, "the workspace's users are a JSON array")
        users = {}
        for user in answer:
            if not isinstance(user, dict):
                continue
            key = user.get("user_id", user.get("id"))
            email, name = user.get("email") or "", user.get("fullname") or user.get("name") or ""
            users[key] = (email, name)
            self.people.update(filter(None, (email, name)))
        return users

    def _projects(self) -> dict[Any, str]:
        """For a report answered without project names: GET /api/v9/workspaces/{id}/projects, paged."""
        projects: dict[Any, str] = {}
        page = 1
        while True:
            answer = self.json(
                "GET",
                f"/api/v9/workspaces/{self.account}/projects",
                params={"active": "both", "page": page, "per_page": PROJECTS_PAGE},
            )
            expect(isinstance(answer, list), self.source, "the workspace's projects are a JSON array")
            projects |= {p.get("id"): p.get("name") or "" for p in answer if isinstance(p, dict)}
            if len(answer) < PROJECTS_PAGE:
                return projects
            page += 1


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
