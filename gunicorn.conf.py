"""gunicorn's settings for production, read by `gunicorn timesheets_site.wsgi` run from this folder.

Threaded workers (`gthread`): a thread waits on a slow client, not a whole worker, so a
few slow or hostile connections (slowloris: headers sent a line every few seconds)
cannot stop the instance answering `/healthz` and the API. With the defaults, two
workers of 128 threads, 200 such connections leave /healthz answering in milliseconds
(tests/test_gunicorn.py). Beyond WEB_CONCURRENCY x GUNICORN_THREADS slow connections, a
buffering proxy or load balancer in front is the answer.

On PostgreSQL a worker's threads share a pool of DATABASE_POOL_SIZE connections (settings.py):
keep WEB_CONCURRENCY x DATABASE_POOL_SIZE within PostgreSQL's max_connections.
"""

import gc
import os

worker_class = "gthread"
workers = int(os.getenv("WEB_CONCURRENCY", "2"))
threads = int(os.getenv("GUNICORN_THREADS", "256"))
# A worker whose main loop stops reporting for this long is replaced.
timeout = 30
# Kept-alive connections wait on the worker's poller, not on a thread.
keepalive = 5

# A batch of 500 entries allocates some 100,000 objects that live until its answer is sent.
# At Python's default (a young collection every 700 allocations) they are promoted and swept
# again and again with the whole app's heap: about 13% of a worker's CPU on an import
# (81 -> 70 µs per entry, gunicorn, SQLite). Most of them die before 20,000 allocations.
GC_YOUNG_THRESHOLD = 20_000


def post_fork(server: object, worker: object) -> None:
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
