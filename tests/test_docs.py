"""README.md, SECURITY.md and docs/ stay true to the tree: every module the layout names exists, every
relative link leads somewhere, and `make bench` writes its tables where the docs expect them.

Cheap checks, no server or database: prose drifts when a file is renamed, and nothing else
would notice.
"""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]
LAYOUT = ROOT / "docs" / "layout.md"

_BULLET_HEAD = re.compile(r"^- `([\w./-]+)`")
_MODULE = re.compile(r"`([\w./-]+\.py)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def layout_modules(text: str) -> list[tuple[str, str]]:
    """(folder, name) for every `name.py` in the "The modules" list, with the folder of its
    bullet (`timesheets/`: ...), since the list names most modules by their bare file name."""
    section = text.split("## The modules", 1)[1]
    found, folder = [], ""
    for line in section.splitlines():
        if head := _BULLET_HEAD.match(line):
            folder = head.group(1) if head.group(1).endswith("/") else ""
        found += [(folder, name) for name in _MODULE.findall(line)]
    return found


def missing_modules(text: str, root: Path = ROOT) -> list[str]:
    return [
        f"{folder}{name}"
        for folder, name in layout_modules(text)
        if not (root / name).is_file() and not (root / folder / name).is_file()
    ]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text())
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in _LINK.findall(_FENCE.sub("", page.read_text())):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not ours to check offline
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(target)
    return broken


def test_the_layout_names_only_modules_that_exist():
    assert layout_modules(LAYOUT.read_text()), "the layout's module list was not found"
    assert missing_modules(LAYOUT.read_text()) == []


# The folders whose every module the layout describes (their __init__ and apps files aside).
DESCRIBED = ("common", "timesheets", "issuer", "people", "webapp", "importer", "importer/tools")


def unnamed_modules(text: str, root: Path = ROOT) -> list[str]:
    named = {f"{folder}{name}" for folder, name in layout_modules(text)}
    return [
        module.relative_to(root).as_posix()
        for folder in DESCRIBED
        for module in sorted((root / folder).glob("*.py"))
        if module.name not in ("__init__.py", "apps.py") and module.relative_to(root).as_posix() not in named
    ]


def test_the_layout_names_every_module_of_the_apps():
    assert unnamed_modules(LAYOUT.read_text()) == []


def test_a_module_that_does_not_exist_is_caught():
    text = "## The modules\n\n- `timesheets/`: the API: `views.py`, `no_such_module.py`.\n"
    assert missing_modules(text) == ["timesheets/no_such_module.py"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    assert broken_links(page) == []


def test_the_readme_opens_with_its_title_and_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[0] == "# Timesheets"
    block = lines.index("```sh")
    assert lines[block + 1 : block + 4] == ["make demo", "make test", "```"]
    assert block < 5, "the commands come right under the title and its one-line summary"


def test_bench_rewrites_only_what_lies_between_the_performance_pages_markers(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    bench = importlib.import_module("bench")
    page = tmp_path / "performance.md"
    page.write_text(f"# Performance\n\n{bench.RESULTS_START}\nold figures\n{bench.RESULTS_END}\n\nAfter.\n")
    bench.write_tables(page, "| measure | figure |\n")
    assert page.read_text() == (
        f"# Performance\n\n{bench.RESULTS_START}\n| measure | figure |\n{bench.RESULTS_END}\n\nAfter.\n"
    )
    assert bench.PERFORMANCE_PAGE == ROOT / "docs" / "performance.md"
    text = bench.PERFORMANCE_PAGE.read_text()
    assert text.count(bench.RESULTS_START) == text.count(bench.RESULTS_END) == 1
    sys.modules.pop("bench", None)
