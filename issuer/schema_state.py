"""Whether a model's table is as the code expects: post_migrate handlers run after a
`migrate` back to an older schema too, where the current model would name missing columns."""

from __future__ import annotations

from django.db import connections, models


def table_is_current(model: type[models.Model], using: str) -> bool:
    """The model's table exists and has every column of its concrete fields."""
    connection = connections[using]
    table = model._meta.db_table
    if table not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
    return {field.column for field in model._meta.concrete_fields} <= columns
