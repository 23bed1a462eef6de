"""Fixtures for the Open311 tests: the case `ledger` plus an Open311 client and its key."""

import pytest

from gongzhi.cases.tests.conftest import ledger  # noqa: F401  (the shared case fixture)
from gongzhi.open311.actions import create_client


@pytest.fixture
def o311(ledger):  # noqa: F811
    n = ledger
    n.client_obj, n.key = create_client(name="市民热线 App", acting_user=None)
    return n
