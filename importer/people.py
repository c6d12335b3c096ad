"""Who the people of a time tracker are in the API: the `--users MAP.csv` map, or themselves.

Without a map, a person's key is how the tracker names them (their email, else their name).
With one (`person,user_id[,user_type]`), whoever the map says; someone missing from it is not
guessed, and their rows are rejected. People are compared by common/names.py's rule, the one
the API's reconcile uses for the people a run names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from common.names import normalized_person
from common.user_types import CONTRACTOR, USER_TYPES

from .config import ConfigurationError

DEFAULT_USER_TYPE = CONTRACTOR


@dataclass(frozen=True)
class Person:
    user_id: str
    user_type: str = DEFAULT_USER_TYPE


class People:
    """The --users map, by normalized person; `known` is None when there is no map."""

    def __init__(self, known: dict[str, Person] | None = None) -> None:
        self.known = known

    @classmethod
    def load(cls, path: str | Path) -> People:
        """A CSV of person (an email or a name), user_id and optionally user_type."""
        try:
            with open(path, encoding="utf-8-sig", newline="") as file:
                return cls(_read_people(file, str(path)))
        except OSError as exc:
            raise ConfigurationError(f"--users {path}: {exc.strerror}") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ConfigurationError(f"--users {path}: not a UTF-8 CSV file ({exc})") from None

    def resolve(self, email: str, name: str) -> Person | None:
        if self.known is None:
            return Person(email or name)
        return next(
            (self.known[key] for key in map(normalized_person, (email, name)) if key in self.known), None
        )


def _read_people(file: IO[str], path: str) -> dict[str, Person]:
    reader = csv.reader(file)
    columns = [name.strip().casefold() for name in next(reader, [])]
    if "person" not in columns or "user_id" not in columns:
        raise ConfigurationError(
            f"--users {path}: needs the columns person and user_id (user_type is optional)."
        )
    known: dict[str, Person] = {}
    for values in reader:
        number = reader.line_num
        row = {column: value.strip() for column, value in zip(columns, values, strict=False)}
        if not any(row.values()):
            continue
        kind = row.get("user_type") or DEFAULT_USER_TYPE
        user_type = next((name for name in USER_TYPES if name.casefold() == kind.casefold()), None)
        if not row.get("person") or not row.get("user_id") or user_type is None:
            raise ConfigurationError(
                f"--users {path}, line {number}: needs a person, a user_id and a user_type of "
                f"{' or '.join(USER_TYPES)} (or none)."
            )
        person, key = Person(row["user_id"], user_type), normalized_person(row["person"])
        if known.setdefault(key, person) != person:
            raise ConfigurationError(f"--users {path}, line {number}: {row['person']} is mapped twice.")
    return known
