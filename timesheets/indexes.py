"""An index for the admin's search, which matches a case-insensitive prefix (`^field`).

Django writes that search differently per database, and each needs its own index to
avoid reading every row: PostgreSQL compares `UPPER(col::text) LIKE 'TERM%'`, served by an
index on `UPPER(col)` with `text_pattern_ops` (a plain btree follows the database's
collation, which LIKE cannot use unless it is "C"); SQLite compares `col LIKE 'term%'`
(case-insensitive), served only by an index on `col COLLATE NOCASE` (sqlite.org/optoverview.html,
"The LIKE optimization"). One declaration in the model's Meta gives each database its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Collate, Upper


class PrefixSearchIndex(models.Index):
    """Serves `field__istartswith` on PostgreSQL and SQLite; a plain index elsewhere."""

    def __init__(self, *, field: str, name: str) -> None:
        self.search_field = field
        super().__init__(fields=[field], name=name)

    def deconstruct(self) -> tuple[str, tuple, dict[str, Any]]:
        return "timesheets.indexes.PrefixSearchIndex", (), {"field": self.search_field, "name": self.name}

    def for_vendor(self, vendor: str) -> models.Index:
        """The index as this database is given it."""
        if vendor == "postgresql":
            return models.Index(OpClass(Upper(self.search_field), name="text_pattern_ops"), name=self.name)
        if vendor == "sqlite":
            return models.Index(Collate(self.search_field, "NOCASE"), name=self.name)
        return models.Index(fields=[self.search_field], name=self.name)

    def create_sql(
        self, model: type[models.Model], schema_editor: Any, using: str = "", **kwargs: Any
    ) -> Any:
        index = self.for_vendor(schema_editor.connection.vendor)
        return index.create_sql(model, schema_editor, using=using, **kwargs)
