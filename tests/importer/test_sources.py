"""Reading exports: CSV quirks, JSON, JSONL, standard input and a paginated HTTP source."""

from __future__ import annotations

import csv
import json
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler

import pytest

from importer.deletions import Deletions
from importer.formats import items_for
from importer.sources import read_rows
from importer.window import Window
from scripts.servers import LoopbackServer
from tests.support import SAMPLE_ENTRY


def write(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_csv_with_bom_crlf_and_quoted_fields(tmp_path):
    content = '\ufeffuser_type,project\r\nEmployee,"Atlas, ""north"" wing"\r\nContractor,"two\r\nlines"\r\n'
    rows = list(read_rows(write(tmp_path, "x.csv", content.encode())))
    assert [row.data for row in rows] == [
        {"user_type": "Employee", "project": 'Atlas, "north" wing'},
        {"user_type": "Contractor", "project": "two\r\nlines"},
    ]
    assert [row.line for row in rows] == [2, 4]


def test_a_json_array_is_read_item_by_item(tmp_path):
    rows = list(read_rows(write(tmp_path, "x.json", json.dumps([SAMPLE_ENTRY, SAMPLE_ENTRY]).encode())))
    assert [(row.line, row.data) for row in rows] == [(1, SAMPLE_ENTRY), (2, SAMPLE_ENTRY)]


def test_jsonl_keeps_line_numbers_and_flags_a_broken_line(tmp_path):
    content = f"{json.dumps(SAMPLE_ENTRY)}\n\n{{broken\n{json.dumps(SAMPLE_ENTRY)}\n".encode()
    rows = list(read_rows(write(tmp_path, "x.jsonl", content)))
    assert [row.line for row in rows] == [1, 3, 4]
    assert (rows[1].error or "").startswith("Not valid JSON") and rows[1].data == "{broken"


def test_a_truncated_json_array_keeps_the_rows_before_the_break(tmp_path):
    content = (json.dumps([SAMPLE_ENTRY, SAMPLE_ENTRY])[:-10]).encode()
    rows = list(read_rows(write(tmp_path, "x.json", content)))
    assert rows[0].data == SAMPLE_ENTRY
    assert (rows[-1].error or "").startswith("The source cannot be read past this point")


def test_a_file_that_is_not_utf8_is_reported_not_crashed_on(tmp_path):
    rows = list(read_rows(write(tmp_path, "x.csv", "user_id\nJos\xe9\n".encode("latin-1"))))
    assert rows[-1].error is not None


@pytest.fixture
def pages(tmp_path):
    """A paginated JSON endpoint on loopback, as a DRF list view answers."""
    (tmp_path / "page1").write_text(json.dumps({"results": [SAMPLE_ENTRY], "next": None}))
    server = LoopbackServer(partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    base = f"http://127.0.0.1:{server.port}/"
    (tmp_path / "page0").write_text(
        json.dumps({"results": [SAMPLE_ENTRY, SAMPLE_ENTRY], "next": base + "page1"})
    )
    (tmp_path / "array").write_text(json.dumps([SAMPLE_ENTRY]))
    yield base
    server.stop()


def test_an_http_source_follows_next_pages(pages):
    rows = list(read_rows(pages + "page0"))
    assert [row.line for row in rows] == [1, 2, 3]
    assert all(row.data == SAMPLE_ENTRY for row in rows)


def test_an_http_source_may_answer_a_plain_array(pages):
    assert [row.data for row in read_rows(pages + "array")] == [SAMPLE_ENTRY]


def test_an_http_source_that_fails_is_reported_as_a_row(pages):
    [row] = read_rows(pages + "missing")
    assert "404" in (row.error or "")


def serve_page(pages: str, tmp_path, name: str, next_page: str | None) -> None:
    page = {"results": [SAMPLE_ENTRY], "next": pages + next_page if next_page else None}
    (tmp_path / name).write_text(json.dumps(page))


@pytest.mark.parametrize("chain", [["loop"], ["a", "b"]], ids=["itself", "a-cycle"])
def test_an_http_source_whose_next_leads_back_ends_with_a_row_error(pages, tmp_path, chain):
    for name, following in zip(chain, chain[1:] + chain[:1], strict=True):
        serve_page(pages, tmp_path, name, following)
    rows = list(read_rows(pages + chain[0]))
    assert [row.data for row in rows[:-1]] == [SAMPLE_ENTRY] * len(chain)
    assert "a page already read" in (rows[-1].error or "")


def test_an_http_source_of_more_pages_than_max_pages_ends_with_a_row_error(pages, tmp_path, monkeypatch):
    monkeypatch.setattr("importer.limits.MAX_PAGES", 2)
    for name, following in [("p0", "p1"), ("p1", "p2"), ("p2", None)]:
        serve_page(pages, tmp_path, name, following)
    rows = list(read_rows(pages + "p0"))
    assert [row.data for row in rows[:-1]] == [SAMPLE_ENTRY] * 2
    assert "over 2 pages" in (rows[-1].error or "")


def test_an_http_array_over_the_page_limit_is_a_row_error(pages, monkeypatch):
    monkeypatch.setattr("importer.limits.MAX_PAGE_BYTES", 100)
    [row] = read_rows(pages + "array")
    assert "over 100 bytes" in (row.error or "")


def test_an_http_source_dripping_past_its_deadline_is_a_row_error(monkeypatch):
    class Drip(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            for byte in json.dumps([SAMPLE_ENTRY]).encode():
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.02)

    monkeypatch.setattr("importer.sources.URL_TIMEOUT", (0.25, 0.25))
    server = LoopbackServer(Drip)
    try:
        started = time.monotonic()
        [row] = read_rows(f"http://127.0.0.1:{server.port}/")
        assert "deadline" in (row.error or "") and time.monotonic() - started < 2.5
    finally:
        server.stop()


@pytest.mark.parametrize(
    "content",
    [
        "user_type,user_id,year,week,project,hours\nEmployee,007,2016,24,StoreZero,40\n",
        json.dumps([SAMPLE_ENTRY]),
        json.dumps(SAMPLE_ENTRY) + "\n",
    ],
    ids=["csv", "json", "jsonl"],
)
def test_standard_input_is_recognised_by_its_first_character(run_import, content):
    run = run_import("-", stdin=content)
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 1


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_a_json_array_is_framed_alike_whatever_the_read_size(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr("importer.jsonarray.CHUNK", chunk)
    monkeypatch.setattr("importer.jsonarray.MAX_ROW_BYTES", 150)
    skipped = '"' + 'x\\"' * 60 + '"'  # escapes across every read boundary, over the limit
    content = f'[{json.dumps(SAMPLE_ENTRY)}, 12345, {skipped}, [[["deep"]]], {json.dumps(SAMPLE_ENTRY)}]'
    rows = list(read_rows(write(tmp_path, "x.json", content.encode())))
    assert [(row.data, row.error) for row in rows[:2]] == [(SAMPLE_ENTRY, None), (12345, None)]
    assert rows[2].error == "The item is 182 characters long; at most 150 are read."
    assert rows[3].data == [[["deep"]]]
    assert (rows[4].line, rows[4].data) == (5, SAMPLE_ENTRY)


def test_an_http_source_whose_next_loops_deletes_nothing(pages, tmp_path):
    with open("tests/fixtures/toggl_detailed.csv", encoding="utf-8-sig") as export:
        row = next(csv.DictReader(export))
    (tmp_path / "toggl").write_text(json.dumps({"results": [row], "next": pages + "toggl"}))
    deletions = Deletions(Window.from_options("2020-12-28", "2021-01-03"), pulled={})
    list(items_for(read_rows(pages + "toggl"), "auto", deletions=deletions))
    [request] = deletions.requests({})
    assert request.prefix == "toggl:" and "could not be read to its end" in (request.blocked or "")
