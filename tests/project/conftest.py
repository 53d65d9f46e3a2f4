"""Fixtures of the outage tests: real workers (tests/project/realworkers.py) and a private Redis server."""

import pytest

from tests.realworkers import PrivateRedis, Workers, sending_to


@pytest.fixture
def workers(tmp_path):
    """Workers on the shared Redis, started on demand; this process sends tasks to their queue."""
    with sending_to(Workers(tmp_path)) as pool:
        yield pool


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own, started; always shut down afterwards."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.shutdown()
