"""How the app is served: `make assets`, `make run` and its HOST and PORT."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import ROOT, post_json
from tests.smtp import SmtpServer, free_port


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def make_run(tmp_path: Path, smtp: SmtpServer):
    """`make run PORT=…` on a fresh instance folder, with no PUBLIC_BASE_URL; yields (port, its output file)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "DATABASE_URL", "HOST", "PORT")}
    env.update(INSTANCE_PATH=str(tmp_path / "instance"), MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    output = tmp_path / "make-run.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", "HOST=127.0.0.1", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make and the gunicorn it starts stop together
        )
    try:
        yield port, output
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_make_run_prints_mails_and_hands_out_links_to_the_port_it_serves_on(make_run, smtp):
    port, output = make_run
    base = f"http://127.0.0.1:{port}"
    login = _wait_for(
        lambda: re.search(r"Log in at (\S+) as (\S+) with password (\S+)", output.read_text()),
        120,
        f"the demo login in {output}",
    )
    assert f"Demo conference: {base}/events/tecom-conf-hangzhou" in output.read_text()
    login_url, email, password = login.groups()
    assert login_url == f"{base}/login"
    _wait_for(lambda: _get(login_url) == 200, 30, f"the server at {login_url}\n{output.read_text()}")
    assert _get(f"{base}/events/tecom-conf-hangzhou") == 200

    status, token = post_json(f"{base}/api/v1/tokens", {"email": email, "password": password})
    assert status == 201, token
    organizer = {"Authorization": f"Bearer {token['token']}"}
    status, door = post_json(f"{base}/api/v1/events/tecom-conf-hangzhou/door-tokens", {"label": "North"}, organizer)
    assert status == 201 and door["door_url"].startswith(f"{base}/door/"), door

    with urllib.request.urlopen(f"{base}/api/v1/events/tecom-conf-hangzhou", timeout=5) as response:
        event = json.loads(response.read())
    answers = {str(q["id"]): _an_answer(q) for q in event["questions"] if q["required"]}
    status, registration = post_json(
        f"{base}/api/v1/events/tecom-conf-hangzhou/registrations",
        {
            "name": "Lin Port",
            "email": "lin.port@example.org",
            "ticket_type_id": event["ticket_types"][0]["id"],
            "answers": answers,
        },
    )
    assert status == 201, registration
    assert registration["manage_url"].startswith(f"{base}/t/")
    assert registration["ticket"]["ics_url"].startswith(f"{base}/t/")

    mail = _wait_for(lambda: smtp.inbox.to("lin.port@example.org"), 30, "the ticket e-mail")[0]
    text = mail.get_body(("plain",)).get_content()
    assert registration["manage_url"] in text
    assert "127.0.0.1:5000" not in text


def _an_answer(question: dict):
    if question["kind"] in ("select", "multiselect"):
        return question["options"][0]
    return {"country": "CN", "checkbox": True}.get(question["kind"], "Acme")


def test_make_assets_built_the_door_pages_decoder_and_has_nothing_left_to_do(client):
    # `make test` ran it: a second run rebuilds nothing (make's --question: exit 0 when up to date).
    assert subprocess.run(["make", "--question", "assets"], cwd=ROOT).returncode == 0
    ponyfill = client.get("/static/vendor/barcode-detector/ponyfill.js")  # what static/js/door.js imports
    assert ponyfill.status_code == 200 and ponyfill.mimetype == "text/javascript"
    wasm = client.get("/static/vendor/zxing-wasm/zxing_reader.wasm")
    assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
