"""--since/--until/--time-zone: the window a tracker pull covers, in whole ISO weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from importer.config import ConfigurationError
from importer.window import Window


def test_the_default_is_this_week_and_the_four_before_to_today():
    window = Window.from_options(None, None, "UTC", today=date(2024, 3, 14))  # a Thursday, W11
    assert (window.first_day, window.last_day) == (date(2024, 2, 12), date(2024, 3, 17))
    assert (window.first_week, window.last_week, window.weeks) == ("2024-W07", "2024-W11", 5)
    assert not window.explicit


def test_given_days_widen_to_monday_and_sunday():
    window = Window.from_options("2020-12-31", "2021-01-05")
    assert (window.first_day, window.last_day) == (date(2020, 12, 28), date(2021, 1, 10))
    assert (window.first_week, window.last_week) == ("2020-W53", "2021-W01")
    assert window.explicit


def test_an_entry_counts_on_the_day_of_its_start_in_the_time_zone():
    window = Window.from_options("2024-03-04", None, "America/Los_Angeles")
    assert window.day_of(datetime(2024, 3, 11, 5, 0, tzinfo=UTC)) == date(2024, 3, 10)


@pytest.mark.parametrize(
    "options",
    [("2024-13-01", None, "UTC"), ("2024-03-10", "2024-03-01", "UTC"), (None, None, "Mars/Olympus")],
)
def test_a_bad_window_is_a_configuration_error(options):
    with pytest.raises(ConfigurationError):
        Window.from_options(*options)
