"""Two `flask send-mail` processes started at the same moment, then a third: one reminder each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import MAIL_SENDER, make_event
from tests.live_server import ROOT

pytestmark = pytest.mark.both_databases

GUESTS = 30

# The real CLI, its app imported beforehand so that both processes reach `send-mail` together.
SEND_MAIL_AT = """
import sys, time
from flask.cli import main
import app  # noqa: F401
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
sys.argv = ["flask", "--app", "app", "send-mail"]
main()
"""


def _send_mail(database_url: str, smtp_port: int, start_at: float) -> subprocess.Popen:
    env = {
        **{name: value for name, value in os.environ.items() if name != "MAIL_SERVER"},
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": MAIL_SENDER,
        "PUBLIC_BASE_URL": "http://eventsys.test",
    }
    return subprocess.Popen(
        [sys.executable, "-c", SEND_MAIL_AT, str(start_at)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_together(database_url: str, smtp_port: int, processes: int) -> None:
    start_at = time.time() + 4  # time enough for each to import the app
    running = [_send_mail(database_url, smtp_port, start_at) for _ in range(processes)]
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (out, err[-3000:])


def test_two_send_mail_runs_at_once_then_another_remind_each_attendee_once(app, database_url, smtp):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=10)
    event = make_event(name="Race Night", starts_at=starts, ends_at=starts + timedelta(hours=3))
    addresses = [f"guest{n}@example.org" for n in range(GUESTS)]
    for n, address in enumerate(addresses):
        register_attendee(event, RegistrationRequest(f"Guest {n}", address))

    _run_together(database_url, smtp.port, processes=2)
    _run_together(database_url, smtp.port, processes=1)

    subjects = Counter((message["X-Envelope-To"], message["Subject"]) for message in smtp.inbox.messages)
    expected = {}
    for address in addresses:
        expected[(address, "Your ticket for Race Night")] = 1
        expected[(address, "Reminder: your ticket for Race Night")] = 1
    assert subjects == expected
