"""Harvest: the detailed time export, and the pull of an account's API v2 time entries and users.

As documented at https://help.getharvest.com/api-v2/timesheets-api/timesheets/time-entries/
(GET /v2/time_entries with from, to, page and per_page up to 2000; entries with spent_date,
hours, is_running, user and project), https://help.getharvest.com/api-v2/users-api/users/users/
(GET /v2/users), https://help.getharvest.com/api-v2/introduction/overview/pagination/ (next
page from `links.next`, which may be a cursor URL, else `next_page`) and
https://help.getharvest.com/api-v2/introduction/overview/general/ (`Authorization: Bearer`,
`Harvest-Account-Id`, a `User-Agent` naming the application; 429 with Retry-After past 100
requests in 15 seconds). The detailed CSV export names people by First Name and Last Name
and has no email, so a person's key is their name, as `user.name` gives it.

Its export, the detailed time report CSV: Date, Client, Project, Project Code, Task, Notes,
Hours, Hours Rounded, Billable?, Invoiced?, Approved?, First Name, Last Name, Roles, Employee?,
Billable Rate, Billable Amount, Cost Rate, Cost Amount, Currency, External Reference URL;
no email. Harvest's time import reads this export as is and takes YYYY-MM-DD or M/D/YYYY
dates and decimal hours (support.getharvest.com, "Importing and exporting data"). An older
export quoted in public code has D.M.YYYY dates and hours like "7,5", so those are read too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import requests

from ..layouts import RUNNING, Layout
from ..window import Window
from .base import Tracker, TrackerRefused, expect

logger = logging.getLogger(__name__)

PER_PAGE = 2000

# The detailed export, as its files hold it and as the pull below shapes its rows.
LAYOUT = Layout(
    prefix="harvest",
    label="Harvest detailed time export",
    date="Date",
    durations=("Hours",),  # not Hours Rounded: the time as tracked
    project="Project",
    names=("First Name", "Last Name"),
    email="Email",
)


class Harvest(Tracker):
    kind = "harvest"
    layout = LAYOUT
    credential = "HARVEST_ACCESS_TOKEN"
    url_variable = "HARVEST_API_URL"
    default_url = "https://api.harvestapp.com"

    def authenticate(self, session: requests.Session, token: str) -> None:
        session.headers["Authorization"] = f"Bearer {token}"
        session.headers["Harvest-Account-Id"] = self.account

    def entries(self, window: Window) -> Iterator[dict[str, Any]]:
        for user in self._users():
            name = user.get("name") or " ".join(filter(None, (user.get("first_name"), user.get("last_name"))))
            self.people.update(filter(None, (name, user.get("email"))))
        # spent_date is already a day in the account's time zone: the margin is not needed,
        # but harmless, and keeps the three pulls alike.
        params = {
            "from": (window.first_day - timedelta(days=1)).isoformat(),
            "to": (window.last_day + timedelta(days=1)).isoformat(),
        }
        for entry in self._pages("/v2/time_entries", "time_entries", params):
            user, project = entry.get("user") or {}, entry.get("project") or {}
            running = bool(entry.get("is_running"))
            hours = entry.get("hours")
            yield {
                "First Name": user.get("name") or "",
                "Last Name": "",
                "Project": project.get("name") or "",
                "Date": str(entry.get("spent_date") or ""),
                "Hours": "" if running or hours is None else str(hours),
                RUNNING: running,
                "Id": entry.get("id"),
            }

    def _users(self) -> list[dict[str, Any]]:
        """The account's users; [] when the token may not list them (403: listing users takes an
        Administrator, while a Manager's token reads everyone's time). Deletions then reach only
        the people seen in the time entries or named by --users (importer/deletions.py), so a
        person whose every entry is gone keeps them until an administrator's run, or --users."""
        try:
            return list(self._pages("/v2/users", "users", {}))
        except TrackerRefused as exc:
            if exc.status != 403:
                raise
            logger.warning(
                "%s: GET /v2/users is refused (HTTP 403; it takes an administrator's token): deletions "
                "reach only the people seen in the time entries or named by --users",
                self.source,
            )
            return []

    def _pages(self, path: str, key: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        url: str | None = path
        query: dict[str, Any] | None = {**params, "page": 1, "per_page": PER_PAGE}
        number = 1
        while url:
            answer = self.json("GET", url, params=query)
            expect(isinstance(answer, dict) and isinstance(answer.get(key), list), self.source, f"{key} list")
            yield from (item for item in answer[key] if isinstance(item, dict))
            links = answer.get("links") if isinstance(answer.get("links"), dict) else {}
            total = answer.get("total_pages") if isinstance(answer.get("total_pages"), int) else None
            number += 1
            if links.get("next"):
                url, query = self.same_origin(str(links["next"])), None  # a full URL, query included
                self.next_page(url, number, total)
            elif answer.get("next_page"):
                url, query = path, {**params, "page": answer["next_page"], "per_page": PER_PAGE}
                self.next_page(f"{path}?page={answer['next_page']}", number, total)
            else:
                url = None
