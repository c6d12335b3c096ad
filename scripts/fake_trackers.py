"""Toggl Track, Clockify and Harvest as their public API documentation describes them, on loopback.

One HTTP server answers for the three tools under /toggl, /clockify and /harvest, so that
TOGGL_API_URL, CLOCKIFY_REPORTS_URL and HARVEST_API_URL can each point at it. Tests and
`make bench` (scripts/bench_pull.py) import it. What each part
follows:

Toggl Track
- https://engineering.toggl.com/docs/authentication: HTTP Basic, the API token as user name
  and the literal password `api_token`; refused with 403.
- https://engineering.toggl.com/docs/reports/detailed_reports: POST
  /reports/api/v3/workspace/{workspace_id}/search/time_entries with start_date, end_date
  (YYYY-MM-DD), page_size (default 50), first_id / first_row_number / first_timestamp; an array
  of rows (user_id, username, project_id, project_name when enrich_response, time_entries
  [{id, seconds, start, stop, at}], row_number); the next page announced by the X-Next-ID and
  X-Next-Row-Number (and X-Next-Timestamp) headers, absent on the last page. Rows have no email.
- https://engineering.toggl.com/docs/api/workspaces: GET /api/v9/workspaces/{workspace_id}/users,
  an array of {id, email, fullname}.
- https://engineering.toggl.com/docs/ (rate limiting): 429 when requests come too fast, with
  or without Retry-After.

Clockify
- https://docs.clockify.me/#section/Authentication: the `X-Api-Key` header; refused with 401.
- https://docs.clockify.me/#tag/Time-Entry-Report/operation/generateDetailedReport: POST
  /v1/workspaces/{workspaceId}/reports/detailed on reports.api.clockify.me with dateRangeStart,
  dateRangeEnd, exportType and detailedFilter {page, pageSize 1..1000}; the answer's
  `timeentries` hold _id, userName, userEmail, projectName, timeInterval {start, end,
  duration in seconds} (end and duration null while running); a page shorter than pageSize
  is the last.
- https://docs.clockify.me/#section/Rate-limiting: 429 past the rate limit.

Harvest
- https://help.getharvest.com/api-v2/introduction/overview/general/: `Authorization: Bearer`,
  `Harvest-Account-Id` and a `User-Agent` (400 without one); 429 with Retry-After past 100
  requests in 15 seconds; 401 for a bad token.
- https://help.getharvest.com/api-v2/introduction/overview/pagination/: page, per_page (at most
  2000), total_pages, next_page and links {first, next, previous, last}.
- https://help.getharvest.com/api-v2/timesheets-api/timesheets/time-entries/: GET
  /v2/time_entries?from&to: {id, spent_date, hours, is_running, user {id, name}, project {id, name}}.
- https://help.getharvest.com/api-v2/users-api/users/users/: GET /v2/users: {id, first_name,
  last_name, email}. Listing users takes an Administrator ("Users API": the endpoints are
  the administrator's; https://help.getharvest.com/harvest/team/managing-people/ describes
  managers, who see their team's time but cannot manage people), and a token without that
  right is answered 403 Forbidden ("The object you requested was found but you don't have
  authorization to perform your request", overview/general, "HTTP response codes").

Hostile trackers, for the importer's limits (docs/importer.md, "Limits"): `endless` tools page
for ever, each the way its pagination allows (Clockify full pages past the announced
entriesCount, Harvest `links.next` naming the same page, Toggl one X-Next-ID again and again);
`next_origin` sends Harvest's `links.next` to another origin; `padding` swells a Clockify page
by that many bytes; `drip` sends every answer at one byte per that many seconds.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from scripts.servers import LoopbackServer

TOOLS = ("toggl", "clockify", "harvest")
TOKENS = {"toggl": "toggl-api-token", "clockify": "clockify-api-key", "harvest": "harvest-access-token"}
CREDENTIALS = {"toggl": "TOGGL_API_TOKEN", "clockify": "CLOCKIFY_API_KEY", "harvest": "HARVEST_ACCESS_TOKEN"}
URLS = {"toggl": "TOGGL_API_URL", "clockify": "CLOCKIFY_REPORTS_URL", "harvest": "HARVEST_API_URL"}
ACCOUNT = "4242"
TOGGL_PAGE_SIZE, CLOCKIFY_MAX_PAGE, HARVEST_MAX_PAGE = 50, 1000, 2000


@dataclass
class TimeEntry:
    id: int
    email: str
    name: str
    project: str | None
    start: datetime  # aware
    seconds: int | None  # None while the timer runs


class FakeTrackers:
    """The three trackers' accounts, with time entries the test controls, and faults on cue."""

    def __init__(self) -> None:
        self.entries: dict[str, list[TimeEntry]] = {tool: [] for tool in TOOLS}
        # The account's people stay when their time goes, as a tracker's users do.
        self.users: dict[str, dict[str, str]] = {tool: {} for tool in TOOLS}  # email: name
        self.faults: dict[str, list[tuple[int, str | None]]] = {tool: [] for tool in TOOLS}  # one per request
        self.failing_page: dict[str, int] = {}  # that page of time entries always answers 500
        self.pages: Counter[str] = Counter()  # pages of time entries served
        # Where the documentation allows two readings, the fake can answer either:
        self.toggl_enriches = True  # False: report rows carry project_id only, names from /projects
        self.harvest_links = True  # False: only next_page, no links section
        self.harvest_admin = True  # False: a manager's token, refused GET /v2/users
        # Hostile answers (see the module's docstring):
        self.endless: set[str] = set()
        self.next_origin: str | None = None
        self.padding = 0
        self.drip: float | None = None
        self.requests: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self._server.port}"

    def stop(self) -> None:
        self._server.stop()

    def env(self, tool: str | None = None) -> dict[str, str]:
        """The importer's environment for one tool (or all): base URL and a valid token."""
        tools = [tool] if tool else TOOLS
        return {URLS[t]: f"{self.url}/{t}" for t in tools} | {CREDENTIALS[t]: TOKENS[t] for t in tools}

    def add(
        self,
        tool: str,
        email: str,
        project: str | None,
        start: datetime | str,
        hours: float | None,
        name: str | None = None,
    ) -> TimeEntry:
        moment = datetime.fromisoformat(start) if isinstance(start, str) else start
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        entry = TimeEntry(
            next(self._ids),
            email,
            name or email.split("@")[0].title(),
            project,
            moment,
            None if hours is None else round(hours * 3600),
        )
        self.entries[tool].append(entry)
        self.users[tool].setdefault(email, entry.name)
        return entry

    def remove(self, tool: str, entry: TimeEntry) -> None:
        self.entries[tool].remove(entry)

    def export_csv(self, tool: str) -> str:
        """The tool's detailed CSV export of the same entries, as importer/tools/ lays it out."""
        out = io.StringIO()
        writer = csv.writer(out)
        # Finished entries with their seconds: a running timer has none.
        done = [(e, e.seconds) for e in self.entries[tool] if e.seconds is not None]
        if tool == "toggl":
            writer.writerow(["User", "Email", "Project", "Start date", "Duration"])
            rows = [[e.name, e.email, e.project or "", e.start.date(), _clock(s)] for e, s in done]
        elif tool == "clockify":
            writer.writerow(["Project", "User", "Email", "Start Date", "Duration (h)"])
            rows = [[e.project or "", e.name, e.email, e.start.date(), _clock(s)] for e, s in done]
        else:
            writer.writerow(["Date", "Project", "Hours", "First Name", "Last Name"])
            rows = [[e.start.date(), e.project or "", _hours(s), *_split(e.name)] for e, s in done]
        writer.writerows(rows)
        return out.getvalue()

    # --- HTTP ------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._dispatch()

            def do_POST(self) -> None:
                self._dispatch()

            def _dispatch(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                parts = urlsplit(self.path)
                tool, _, rest = parts.path.lstrip("/").partition("/")
                if tool not in TOOLS:
                    return self._answer(404, {"error": "not found"})
                with fake._lock:
                    fake.requests[tool] += 1
                    fault = fake.faults[tool].pop(0) if fake.faults[tool] else None
                if fault is not None:
                    status, retry_after = fault
                    headers = {"Retry-After": retry_after} if retry_after is not None else {}
                    return self._answer(status, {"error": "slow down"}, headers)
                refusal = fake._refusal(tool, self.headers)
                if refusal is not None:
                    return self._answer(*refusal)
                query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
                answer = getattr(fake, f"_{tool}")(self.command, "/" + rest, query, body)
                self._answer(*answer)

            def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if fake.drip is None:
                    self.wfile.write(data)
                    return
                try:
                    for index in range(len(data)):
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                        time.sleep(fake.drip)
                except OSError:  # the importer gave up on the answer
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def _refusal(self, tool: str, headers: Any) -> tuple[int, Any] | None:
        token = TOKENS[tool]
        if tool == "toggl":
            expected = "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()
            if headers.get("Authorization") != expected:
                return 403, "Incorrect username and/or password"
        elif tool == "clockify":
            if headers.get("X-Api-Key") != token:
                return 401, {
                    "message": "Full authentication is required to access this resource",
                    "code": 1000,
                }
        else:
            if not headers.get("User-Agent"):
                return 400, {"error": "User-Agent header required"}
            if (
                headers.get("Authorization") != f"Bearer {token}"
                or headers.get("Harvest-Account-Id") != ACCOUNT
            ):
                return 401, {"error": "invalid_token", "error_description": "The access token is invalid"}
        return None

    def _time_entries_page(self, tool: str, page: int) -> tuple[int, Any] | None:
        with self._lock:
            if self.failing_page.get(tool) == page:
                return 500, {"error": "internal server error"}
            self.pages[tool] += 1
        return None

    def _toggl(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict]:
        if method == "GET" and path == f"/api/v9/workspaces/{ACCOUNT}/users":
            people = self.users["toggl"].items()
            users = [{"id": _user_id(email), "email": email, "fullname": name} for email, name in people]
            return 200, users, {}
        if method == "GET" and path == f"/api/v9/workspaces/{ACCOUNT}/projects":
            names = sorted({e.project for e in self.entries["toggl"] if e.project})
            per_page, number = int(query.get("per_page", 151)), int(query.get("page", 1))
            listed = names[(number - 1) * per_page : number * per_page]
            return 200, [{"id": _project_id(name), "name": name, "active": True} for name in listed], {}
        if method != "POST" or path != f"/reports/api/v3/workspace/{ACCOUNT}/search/time_entries":
            return 404, {"error": "not found"}, {}
        start, end = date.fromisoformat(body["start_date"]), date.fromisoformat(body["end_date"])
        size = int(body.get("page_size") or TOGGL_PAGE_SIZE)
        chosen = sorted(
            (e for e in self.entries["toggl"] if start <= e.start.date() <= end),
            key=lambda e: (e.start, e.id),
        )
        first_row = int(body.get("first_row_number") or 1)
        failed = self._time_entries_page("toggl", (first_row - 1) // size + 1)
        if failed:
            return (*failed, {})
        page = chosen[first_row - 1 : first_row - 1 + size]
        rows = []
        for number, e in enumerate(page, start=first_row):
            row = {
                "user_id": _user_id(e.email),
                "username": e.name,
                "project_id": _project_id(e.project),
                "description": "",
                "billable": False,
                "row_number": number,
                "time_entries": [
                    {
                        "id": e.id,
                        "seconds": -1 if e.seconds is None else e.seconds,
                        "start": e.start.isoformat(),
                        "stop": None
                        if e.seconds is None
                        else (e.start + timedelta(seconds=e.seconds)).isoformat(),
                        "at": e.start.isoformat(),
                    }
                ],
            }
            if body.get("enrich_response") and self.toggl_enriches:
                row["project_name"] = e.project
            rows.append(row)
        headers = {}
        following = first_row - 1 + size
        if "toggl" in self.endless:
            headers = {"X-Next-ID": str(chosen[0].id), "X-Next-Row-Number": str(size + 1)}
        elif following < len(chosen):
            headers = {"X-Next-ID": str(chosen[following].id), "X-Next-Row-Number": str(following + 1)}
        return 200, rows, headers

    def _clockify(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict]:
        if method != "POST" or path != f"/v1/workspaces/{ACCOUNT}/reports/detailed":
            return 404, {"message": "not found"}, {}
        detailed = body.get("detailedFilter") or {}
        page, size = int(detailed.get("page", 1)), int(detailed.get("pageSize", 50))
        if not 1 <= size <= CLOCKIFY_MAX_PAGE:
            return 400, {"message": "pageSize must be between 1 and 1000", "code": 501}, {}
        failed = self._time_entries_page("clockify", page)
        if failed:
            return (*failed, {})
        start = datetime.fromisoformat(body["dateRangeStart"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(body["dateRangeEnd"].replace("Z", "+00:00"))
        chosen = sorted((e for e in self.entries["clockify"] if start <= e.start <= end), key=lambda e: e.id)
        entries = [
            {
                "_id": f"{e.id:024x}",
                "userId": f"{_user_id(e.email):024x}",
                "userName": e.name,
                "userEmail": e.email,
                "projectId": None if e.project is None else f"{_project_id(e.project):024x}",
                "projectName": e.project,
                "timeInterval": {
                    "start": e.start.isoformat().replace("+00:00", "Z"),
                    "end": None
                    if e.seconds is None
                    else (e.start + timedelta(seconds=e.seconds)).isoformat(),
                    "duration": e.seconds,
                },
            }
            for e in (
                chosen[:size] if "clockify" in self.endless else chosen[(page - 1) * size : page * size]
            )
        ]
        total = sum(e.seconds or 0 for e in chosen)
        answer = {"totals": [{"totalTime": total, "entriesCount": len(chosen)}], "timeentries": entries}
        if self.padding:
            answer["padding"] = " " * self.padding
        return 200, answer, {}

    def _harvest(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any, dict]:
        page, per_page = int(query.get("page", 1)), min(int(query.get("per_page", 100)), HARVEST_MAX_PAGE)
        if method == "GET" and path == "/v2/users":
            if not self.harvest_admin:
                message = (
                    "The object you requested was found but you don't have authorization "
                    "to perform your request."
                )
                return 403, {"error": "forbidden", "error_description": message}, {}
            records = [
                {
                    "id": _user_id(email),
                    "first_name": _split(name)[0],
                    "last_name": _split(name)[1],
                    "email": email,
                }
                for email, name in self.users["harvest"].items()
            ]
            return 200, self._harvest_page("users", records, "/harvest/v2/users", query, page, per_page), {}
        if method != "GET" or path != "/v2/time_entries":
            return 404, {"error": "not found"}, {}
        failed = self._time_entries_page("harvest", page)
        if failed:
            return (*failed, {})
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
        chosen = sorted(
            (e for e in self.entries["harvest"] if first <= e.start.date() <= last), key=lambda e: e.id
        )
        records = [
            {
                "id": e.id,
                "spent_date": e.start.date().isoformat(),
                "hours": 0.0 if e.seconds is None else float(_hours(e.seconds)),
                "is_running": e.seconds is None,
                "user": {"id": _user_id(e.email), "name": e.name},
                "project": {"id": _project_id(e.project), "name": e.project, "code": ""},
            }
            for e in chosen
        ]
        return (
            200,
            self._harvest_page("time_entries", records, "/harvest/v2/time_entries", query, page, per_page),
            {},
        )

    def _harvest_page(
        self, key: str, records: list[dict], path: str, query: dict[str, str], page: int, per_page: int
    ) -> dict[str, Any]:
        total_pages = max(1, -(-len(records) // per_page))

        def link(number: int) -> str:
            return f"{self.url}{path}?{urlencode({**query, 'page': number, 'per_page': per_page})}"

        following = page + 1 if page < total_pages else None
        next_link = link(following) if following else None
        if key == "time_entries" and "harvest" in self.endless:
            next_link = link(page)
        elif key == "time_entries" and self.next_origin:
            next_link = f"{self.next_origin}{path}?{urlencode({**query, 'page': page + 1})}"
        return {
            key: records[(page - 1) * per_page : page * per_page],
            "per_page": per_page,
            "total_pages": total_pages,
            "total_entries": len(records),
            "page": page,
            "next_page": following,
            "previous_page": page - 1 or None,
            "links": None
            if not self.harvest_links
            else {
                "first": link(1),
                "next": next_link,
                "previous": link(page - 1) if page > 1 else None,
                "last": link(total_pages),
            },
        }


_USER_IDS: dict[str, int] = {}


def _user_id(email: str) -> int:
    """A stable id per person, as the tracker gives each user one."""
    return _USER_IDS.setdefault(email, 1000 + len(_USER_IDS))


def _project_id(project: str | None) -> int | None:
    return None if project is None else sum(project.encode()) * 104729 % 1_000_003


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.2f}"


def _split(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first, last
