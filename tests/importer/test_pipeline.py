"""The sender's ordering rule, against a fake API client: no network, no server."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

from importer.items import Item
from importer.pipeline import send_items
from importer.report import Report
from importer.sources import SourceRow


class OrderRecordingClient:
    """Answers every entry `created`, keeping its first batch in flight a while, and notes a
    key sent while another batch holding it is still in flight, and each key's last value."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: list[str] = []
        self.overlapping: list[str] = []
        self.applied: dict[str, Any] = {}
        self.calls = 0
        self.another_batch_started = threading.Event()
        self.overtaken = False  # a second batch started while the first was in flight

    def post_batch(self, body: bytes, count: int) -> list[dict[str, Any]]:
        entries = json.loads(body)
        keys = [entry["external_id"] for entry in entries]
        with self.lock:
            self.calls += 1
            first = self.calls == 1
            self.overlapping += [key for key in keys if key in self.in_flight]
            self.in_flight += keys
        if first:
            self.overtaken = self.another_batch_started.wait(timeout=0.5)  # room to be overtaken
        else:
            self.another_batch_started.set()
        with self.lock:
            for entry in entries:
                self.applied[entry["external_id"]] = entry["hours"]
                self.in_flight.remove(entry["external_id"])
        return [{"status": "created", "id": n} for n in range(count)]


def item(line: int, key: str, hours: int) -> Item:
    return Item(SourceRow("rows.jsonl", line, None), {"external_id": key, "hours": hours})


def test_a_key_in_flight_waits_for_its_batch_so_the_later_row_is_applied_last():
    client = OrderRecordingClient()
    report = Report(io.StringIO(), progress=False)
    send_items([item(1, "k-1", 8), item(2, "k-1", 9)], client, report, batch_size=1)  # type: ignore[arg-type]
    assert client.overlapping == []
    assert client.applied == {"k-1": 9}
    assert report.summary.created == 2


def test_batches_of_other_keys_are_in_flight_together():
    client = OrderRecordingClient()
    report = Report(io.StringIO(), progress=False)
    send_items([item(1, "k-1", 8), item(2, "k-2", 9)], client, report, batch_size=1)  # type: ignore[arg-type]
    assert client.overtaken
    assert client.applied == {"k-1": 8, "k-2": 9}
