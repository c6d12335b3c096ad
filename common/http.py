"""An HTTP answer read within a size and a time, for the importer and the API alike.

requests' read timeout bounds each read, not the whole answer, and `.content` reads however
much arrives: a server sending a byte a second, or without end, would hold the caller for
ever. Callers stream the request (stream=True) and read its body here instead.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests

CHUNK_BYTES = 64 * 1024


class BodyLimit(requests.RequestException):
    """An answer over the byte limit, or not complete by the request's deadline."""


def shown(url: str) -> str:
    """A URL as messages name it: scheme, host, port and path; no user, query or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def read_within(response: requests.Response, deadline: float, max_bytes: int) -> bytes:
    """The whole body of a streamed response, or BodyLimit past `max_bytes` or `deadline`
    (time.monotonic()); afterwards .json() and .text read it as usual."""
    if response._content_consumed:  # type: ignore[attr-defined]
        return response.content  # read already, or a redirect left unread (importer/http.py)
    # urllib3 puts the connection back in its pool as the last byte is read: kept for below.
    connection = getattr(response.raw, "connection", None)
    chunks: list[bytes] = []
    size = 0
    try:
        # read1: what has arrived, at most a chunk; a read() of a chunk waits for all of it.
        while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise BodyLimit(f"{shown(response.url)} answered over {max_bytes:,} bytes (the page limit)")
            if time.monotonic() > deadline:
                raise BodyLimit(
                    f"{shown(response.url)} did not finish its answer within the request's deadline"
                )
            chunks.append(chunk)
    except BaseException:
        response.close()  # the connection, half read, is dropped
        raise
    body = b"".join(chunks)
    # Where requests keeps a body it read itself (.json() and .text read it); consumed, the
    # connection goes back to the pool on close(), for the next request.
    response._content = body
    response._content_consumed = True  # type: ignore[attr-defined]
    if connection is not None and response.request.headers.get("Connection", "").lower() == "close":
        # Asked to close, so no further request may go on it (RFC 9112 §9.6), but urllib3
        # heeds only the server's word. A server that closes without saying so would meet the
        # next request half-way: a ConnectionError, and a retry after a backoff. Closed here,
        # the pooled connection opens a new socket for the next request.
        connection.close()
    response.close()
    return body
