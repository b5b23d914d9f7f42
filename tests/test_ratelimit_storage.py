"""The rate-limit storage in a database: workers sharing it count together, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from eventsys.ratelimit_storage import DatabaseStorage


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_uri(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"db+sqlite:///{tmp_path}/limits/ratelimits.db"
    return "db+" + request.getfixturevalue("postgres").create_database(f"ratelimits_{tmp_path.name}".lower())


def test_two_storages_on_one_database_share_their_counters(storage_uri):
    """Two workers' limiters over the same storage let exactly the limit through, together."""
    workers = [FixedWindowRateLimiter(storage_from_string(storage_uri)) for _ in range(2)]
    assert all(isinstance(worker.storage, DatabaseStorage) for worker in workers)
    limit = parse("7 per minute")
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda n: workers[n % 2].hit(limit, "register", "192.0.2.1"), range(20)))
    assert allowed.count(True) == 7
    stats = workers[0].get_window_stats(limit, "register", "192.0.2.1")
    assert stats.remaining == 0
    assert time.time() + 50 < stats.reset_time <= time.time() + 60
    # Another client has its own counter.
    assert workers[1].hit(limit, "register", "192.0.2.2")


def test_a_window_that_has_expired_starts_again(storage_uri):
    limiter = FixedWindowRateLimiter(storage_from_string(storage_uri))
    limit = parse("2 per second")
    assert [limiter.hit(limit, "k") for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert limiter.hit(limit, "k")
    assert limiter.get_window_stats(limit, "k").remaining == 1


def test_clear_and_reset(storage_uri):
    storage = storage_from_string(storage_uri)
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("1 per minute")
    assert limiter.hit(limit, "a") and limiter.hit(limit, "b")
    limiter.clear(limit, "a")
    assert limiter.hit(limit, "a") and not limiter.hit(limit, "b")
    assert storage.reset() == 2
    assert storage.check()
