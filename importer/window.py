"""The window an import covers: whole ISO weeks, and the time zone that decides an entry's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.weeks import IsoWeek

from .config import ConfigurationError

DEFAULT_WEEKS_BACK = 4


@dataclass(frozen=True)
class Window:
    """Monday of the first week to Sunday of the last; `explicit` when --since or --until named it.

    A tracker pull always has a window (by default this week and the four before). An export
    file has one only when it was given: only then is the file the whole truth for it.
    """

    first_day: date
    last_day: date
    zone: ZoneInfo
    explicit: bool

    @classmethod
    def from_options(
        cls, since: str | None, until: str | None, zone_name: str = "UTC", today: date | None = None
    ) -> Window:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"--time-zone {zone_name!r} is not an IANA time zone name.") from None
        today = today or datetime.now(zone).date()
        first = _day("--since", since) if since else _monday(today) - timedelta(weeks=DEFAULT_WEEKS_BACK)
        last = _day("--until", until) if until else today
        if last < first:
            raise ConfigurationError(f"--until {last} is before --since {first}.")
        explicit = since is not None or until is not None
        return cls(_monday(first), _monday(last) + timedelta(days=6), zone, explicit)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def day_of(self, moment: datetime) -> date:
        """The date an entry counts on: its start, in the window's time zone."""
        return moment.astimezone(self.zone).date()

    @property
    def first_week(self) -> str:
        return str(IsoWeek.of(self.first_day))

    @property
    def last_week(self) -> str:
        return str(IsoWeek.of(self.last_day))

    @property
    def weeks(self) -> int:
        return (self.last_day - self.first_day).days // 7 + 1


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"{option} {text!r} is not a date (YYYY-MM-DD).") from None
