"""Rate limits hold for the whole server: gunicorn's workers count into one shared storage."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest

from tests.conftest import make_event
from tests.live_server import LiveServer

LIMIT = 30
CLIENTS = 6
REQUESTS = 72


def _register(args: tuple[str, int]) -> tuple[int, str | None, str]:
    """One registration: its status, Retry-After header, and registration status or error code."""
    url, number = args
    body = json.dumps({"name": f"Attendee {number}", "email": f"attendee{number}@example.org"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Retry-After"), json.loads(response.read())["status"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After"), json.loads(error.read())["error"]["code"]


@pytest.fixture
def live_server(database_url, tmp_path):
    env = {
        "RATELIMIT_ENABLED": "true",
        "REGISTRATION_RATE_LIMIT": f"{LIMIT} per minute",
        "RATELIMIT_STORAGE_URI": f"db+sqlite:///{tmp_path}/ratelimits.db",
    }
    server = LiveServer(database_url, workers=3, extra_env=env).start()
    yield server
    server.stop()


def test_three_workers_let_exactly_the_limit_through_then_429_with_retry_after(app, live_server):
    event = make_event(name="Limited rush")
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations"
    with ProcessPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(_register, [(url, n) for n in range(REQUESTS)]))
    assert Counter(status for status, _, _ in results) == {201: LIMIT, 429: REQUESTS - LIMIT}
    for status, retry_after, code in results:
        if status == 429:
            assert code == "rate_limited"
            assert retry_after is not None and 0 < int(retry_after) <= 60
