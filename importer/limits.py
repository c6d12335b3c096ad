"""The importer's limits on what it reads and sends (docs/importer.md, "Limits").

They keep its memory bounded whatever a file holds: a row that breaks one is rejected with
the reason, and the rows around it import as usual.
"""

from __future__ import annotations

# A row as read: a CSV record (all its lines), a JSONL line, an item of a JSON array. A
# valid entry is a few hundred bytes; exports of time trackers add notes and tags.
MAX_ROW_BYTES = 64 * 1024
# Columns of a CSV header or record, keys of a JSON object. The tools' exports have about 20.
MAX_COLUMNS = 200
# Nesting of arrays and objects inside one row. An entry is a flat object.
MAX_DEPTH = 32
# A page of a tracker's API or of an http(s):// source, or any answer the importer reads
# whole (importer/http.py). A tracker's page of 1,000 entries is under 1 MB.
MAX_PAGE_BYTES = 16 * 1024 * 1024
# A tracker's pull, or an http(s):// source's pages: at most this many pages (beyond what the
# tracker announced, when it announces a total), and this long in all, so that a source paging
# for ever cannot hold the run lock from the next cron runs. 10,000 pages are ten million
# Clockify entries.
MAX_PAGES = 10_000
MAX_PULL_SECONDS = 30 * 60
# The API refuses request bodies over 2.5 MB with 413 (docs/api.md, "A batch"); batches are
# cut below that, with room for a proxy's own framing. A 413 all the same splits the batch.
MAX_BODY_BYTES = 2_000_000
