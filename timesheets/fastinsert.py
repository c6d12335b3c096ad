"""`bulk_create`'s INSERT for a fraction of its cost per row, for the import's hot path.

Measured on a batch of 500 entries (scripts/measure_fastpaths.py prepare): preparing every
field of every row, as `bulk_create` does, takes about 30 µs a row, and on SQLite that time
is spent holding the write lock that serialises every API worker. Here each column's
distinct values go through the same `get_db_prep_save` once (an import batch repeats most
of them: one client, one timestamp, a few projects), about 2 µs a row, and a caller may
prepare its rows before its transaction opens and insert them inside it. Values equal in
Python are taken as one value of the column, which holds for the types our fields take.
Unlike `bulk_create`, it sends no signals and sets no primary keys.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone


class FastInsertQuerySet(models.QuerySet):
    def insert_rows(self, objs: Sequence[models.Model]) -> None:
        """Inserts model instances, stamping their `auto_now`/`auto_now_add` fields with one time."""
        fields = [field for field in self.model._meta.concrete_fields if not field.primary_key]
        now = timezone.now()
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                for obj in objs:
                    setattr(obj, field.attname, now)
        rows = [[getattr(obj, field.attname) for field in fields] for obj in objs]
        self.insert_values([field.name for field in fields], rows)

    def insert_values(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Inserts rows given as values of the named fields, without building model instances."""
        self.insert_prepared(names, self.prepare(names, rows))

    def prepare(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """Rows of the named fields' values as the database takes them; no query, so no lock."""
        if not rows:
            return []
        connection = self._write_connection()
        fields = [_column_field(self.model, name) for name in names]
        columns = [
            _prepared(field, list(values), connection)
            for field, values in zip(fields, zip(*rows, strict=True), strict=True)
        ]
        return list(zip(*columns, strict=True))

    def prepare_value(self, name: str, value: Any) -> Any:
        """One value of the named field as the database takes it (a time stamp shared by many rows)."""
        return _column_field(self.model, name).get_db_prep_save(value, self._write_connection())

    def insert_prepared(
        self, names: Sequence[str], rows: Sequence[Sequence[Any]], returning: Sequence[str] = ()
    ) -> list[tuple[Any, ...]]:
        """Inserts rows from `prepare`; returns the `returning` fields of each row, in no set order.

        On PostgreSQL, a COPY when nothing is to be returned, else one `INSERT … SELECT FROM
        unnest(…)` with an array per column: a statement with a parameter per value (6,500 for
        a batch of 500 entries) cost psycopg more to compose, and the server more to parse,
        than the insert itself. Elsewhere, with nothing to return, one `executemany`; otherwise
        multi-row `INSERT … RETURNING` statements, each as large as the database's limit on
        parameters allows (RETURNING answers nothing through `executemany`); `returning` must
        then be supported (`connection.features.can_return_rows_from_bulk_insert`).
        """
        if not rows:
            return []
        connection = self._write_connection()
        quote = connection.ops.quote_name
        meta = self.model._meta
        table = quote(meta.db_table)
        columns_sql = ", ".join(quote(_column(self.model, name)) for name in names)
        returned_sql = ", ".join(quote(_column(self.model, name)) for name in returning)
        returning_sql = f" RETURNING {returned_sql}" if returning else ""
        insert = f"INSERT INTO {table} ({columns_sql})"
        returned: list[tuple[Any, ...]] = []
        with transaction.atomic(using=self.db, savepoint=False), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if not returning:
                    # psycopg's own cursor, so Django's error types are put on by hand: an
                    # OperationalError here must reach the API's 503 as any other would.
                    with connection.wrap_database_errors:
                        with cursor.cursor.copy(f"COPY {table} ({columns_sql}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                    return returned
                arrays = ", ".join(
                    f"%s::{_unsized(_column_field(self.model, name).db_type(connection) or '')}[]"
                    for name in names
                )
                cursor.execute(
                    f"{insert} SELECT * FROM unnest({arrays}){returning_sql}",  # noqa: S608 (from _meta)
                    [list(column) for column in zip(*rows, strict=True)],
                )
                return cursor.fetchall()
            row_sql = f"({', '.join(['%s'] * len(names))})"
            if not returning:
                cursor.executemany(f"{insert} VALUES {row_sql}", rows)
                return returned
            size = max(1, max_params(connection) // len(names))
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                cursor.execute(
                    f"{insert} VALUES {', '.join([row_sql] * len(chunk))}{returning_sql}",
                    [value for row in chunk for value in row],
                )
                returned.extend(cursor.fetchall())
        return returned

    def _write_connection(self) -> BaseDatabaseWrapper:
        self._for_write = True
        return connections[self.db]


def _column_field(model: type[models.Model], name: str) -> models.Field:
    """A field that is a column of the model's table: only those are ever inserted here."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{name} is not a column of {model._meta.db_table}")
    return field


def _column(model: type[models.Model], name: str) -> str:
    return cast(str, _column_field(model, name).column)


def _prepared(field: models.Field, values: list[Any], connection: BaseDatabaseWrapper) -> list[Any]:
    """A column's values as the database takes them, each distinct value prepared once."""
    try:
        distinct = set(values)
    except TypeError:  # unhashable values (a JSON object): each its own
        return [field.get_db_prep_save(value, connection) for value in values]
    prepared = {value: field.get_db_prep_save(value, connection) for value in distinct}
    return [prepared[value] for value in values]


def _unsized(db_type: str) -> str:
    """`varchar(64)` as `varchar`, `numeric(5, 2)` as `numeric`: an explicit cast to a sized type
    cuts a longer string short, where the column's own assignment refuses it."""
    return re.sub(r"\(.*\)", "", db_type)


def max_params(connection: BaseDatabaseWrapper) -> int:
    """How many parameters one statement may carry here.

    Django's SQLite figure (999) is the old compile-time default; the library in use says
    its own (32,766 since 3.32), so a batch of 1,000 entries goes in one statement.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 999
