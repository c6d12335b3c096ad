"""Whether the database answers, found out within a deadline even when it hangs.

A database behind a network that accepts connections and never answers would hold a
request thread for the whole connect timeout, and a load balancer's probe with it. The
check therefore runs on a thread of its own and the probe waits for it at most
`settings.HEALTHZ_TIMEOUT` seconds. Probes arriving while a check is under way share it, so
a hung database holds one thread, not one per probe.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import DatabaseError, connection

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="healthz")
_lock = threading.Lock()
_check: Future[bool] | None = None


def database_answers() -> bool:
    """True when `SELECT 1` came back within the deadline."""
    global _check
    with _lock:
        if _check is None or _check.done():
            _check = _executor.submit(_select_one)
        check = _check
    try:
        return check.result(timeout=settings.HEALTHZ_TIMEOUT)
    except FutureTimeout:
        return False


def _select_one() -> bool:
    # A connection of its own, closed after each check: it proves that a new connection
    # can be made, and leaves none open between probes.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    finally:
        connection.close()
    return True
