from __future__ import annotations

import pytest

from tests.e2e import servers as real


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    running = real.start(tmp_path_factory.mktemp("e2e"))
    yield running
    running.stop()
