"""The cache every worker and instance shares: lockout counts and client status live here.

With REDIS_URL it is Redis. Without it (the default), Django's in-process cache would give
each gunicorn worker counts of its own (a guesser got 13 or 19 tries instead of 10, then
401 and 429 by turns) and a status of its own (a disabled client's token still passed on
the worker that had cached it as active): SECURITY.md. So the shared cache is
then Django's database cache, in a table `migrate` creates (`createcachetable`).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.management import call_command
from django.utils.connection import ConnectionProxy

ALIAS = "shared"
TABLE = "timesheets_shared_cache"

cache = ConnectionProxy(caches, ALIAS)


def create_table(*, using: str, plan: Any = None, **kwargs: Any) -> None:
    """post_migrate: the database cache's table, as `createcachetable` makes it (idempotent).

    `flush` sends post_migrate without a plan; the table outlives a flush, so nothing to do.
    """
    if plan is not None:
        call_command("createcachetable", database=using, verbosity=0)
