"""Servers on loopback for what only a network shows: a port, a production server, a hung peer."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from typing import Any

from scripts.servers import LoopbackServer, free_port, start_gunicorn

__all__ = ["Gunicorn", "HangingProxy", "LoopbackServer", "SlowClients", "drip", "free_port"]


class Gunicorn:
    """The production server (gunicorn with the shipped gunicorn.conf.py) on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int = 2, healthy: bool = True) -> None:
        port = free_port()
        environment = {**os.environ, **env}
        self.process = start_gunicorn(port, workers, environment, healthy=healthy)
        self.url = f"http://127.0.0.1:{port}"
        self.port = port

    def stop(self) -> None:
        """Stops it at once (SIGQUIT), for the test is done with it. A graceful stop (SIGTERM)
        keeps a worker up to 2 s longer while a connection a test's client left open lasts."""
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class HangingProxy:
    """A TCP server on loopback that accepts connections and never answers, nor forwards them:
    a database behind a network that hangs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._accepted.append(connection)

    def stop(self) -> None:
        self._listener.close()
        for connection in self._accepted:
            connection.close()


class SlowClients:
    """Slowloris: connections that send a request's headers one line every `interval` seconds."""

    def __init__(self, port: int, count: int, interval: float = 2.0) -> None:
        self.interval = interval
        self._stopped = threading.Event()
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        for connection in self.sockets:
            connection.sendall(b"GET /timesheets HTTP/1.1\r\nHost: localhost\r\n")
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        line = 0
        while not self._stopped.wait(self.interval):
            line += 1
            for connection in self.sockets:
                try:
                    connection.sendall(f"X-Slow-{line}: 1\r\n".encode())
                except OSError:
                    pass

    def open_count(self) -> int:
        """How many connections the server has not closed."""
        still_open = 0
        for connection in self.sockets:
            connection.setblocking(False)
            try:
                still_open += connection.recv(1, socket.MSG_PEEK) != b""
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass
            finally:
                connection.setblocking(True)
        return still_open

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=self.interval + 1)
        for connection in self.sockets:
            connection.close()


def drip(wfile: Any, byte: bytes, count: int = 400, pause: float = 0.02) -> None:
    """Writes `count` bytes one at a time, `pause` seconds apart (8 s by default): an answer
    that never stalls long enough for a read timeout (the tests' shortest is 0.25 s, so a
    thread held up for a tenth of a second on a busy machine still counts as dripping). A
    client that hangs up ends it."""
    try:
        for _ in range(count):
            wfile.write(byte)
            wfile.flush()
            time.sleep(pause)
    except OSError:
        pass  # the client hung up, as it should
