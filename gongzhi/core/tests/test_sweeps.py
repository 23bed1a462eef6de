"""Deadline sweeps: apps add theirs to the worker's scan, which reports each by name."""

import pytest

from gongzhi.cases.tasks import scan_deadlines
from gongzhi.core import sweeps


@pytest.fixture
def one_more_sweep():
    calls = []
    sweeps.register_sweep("test_sweep", lambda: calls.append(1) or len(calls))
    yield calls
    del sweeps._SWEEPS["test_sweep"]


def test_the_scan_runs_every_registered_sweep_and_reports_it(db, one_more_sweep):
    result = scan_deadlines.call()
    assert result["test_sweep"] == 1 and one_more_sweep == [1]
    assert {"reminders", "archived"} <= set(result)
    assert scan_deadlines.call()["test_sweep"] == 2
