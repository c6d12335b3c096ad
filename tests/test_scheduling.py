"""How `make test` hands the suite to its workers (docs/testing.md, "Scheduling")."""

from __future__ import annotations

import pytest


@pytest.mark.xdist_group("scheduling")
def test_a_module_marked_xdist_group_goes_whole_to_one_worker(request):
    """pytest-xdist groups by a suffix on the test's id; with pytest 9.2 the suffix was lost
    without a word, and a module's once-only server started on both workers."""
    if not request.config.getoption("loadgroup", default=False):
        pytest.skip("only `--dist loadgroup` groups (make test)")
    assert request.node.nodeid.endswith("@scheduling")
