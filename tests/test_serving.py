"""How the app is served: `make assets`, `make run` and its HOST and PORT, gunicorn.conf.py and its logs."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from flask import request
from werkzeug.serving import make_server

from tests.conftest import make_event, make_token
from tests.live_server import ROOT, LiveServer, post_json
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
        with contextlib.suppress(ProcessLookupError):  # all gone already
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


# --- gunicorn.conf.py ------------------------------------------------------------------------------------


class Browser:
    """GETs as a browser makes them: cookies kept, redirects followed; the status, whatever it is."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def get(self, url: str, headers: dict[str, str] | None = None) -> int:
        try:
            with self.opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def test_gunicorn_started_here_takes_its_settings_from_gunicorn_conf_py():
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": "5077"}
    env.pop("WEB_CONCURRENCY", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    printed = subprocess.run(
        [str(gunicorn), "--print-config", "app:app"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    settings = dict(re.findall(r"^(\w+) += (.*)$", printed, re.M))
    assert settings["bind"] == "['127.0.0.1:5077']"
    assert settings["worker_class"] == "gthread" and settings["threads"] == "4"
    assert settings["workers"] == str(len(os.sched_getaffinity(0)))
    assert int(settings["keepalive"]) <= 5
    assert settings["accesslog"] == "-"
    assert settings["logger_class"] == "eventsys.gunicorn_logging.RedactingLogger"


def test_the_access_log_keeps_door_tokens_and_ticket_secrets_out(app, database_url, tmp_path):
    event = make_event()
    organizer = {"Authorization": f"Bearer {make_token(event.owner)}"}
    access_log = tmp_path / "access.log"
    server = LiveServer(database_url, workers=1, access_log=access_log).start()
    try:
        status, door = post_json(f"{server.url}/api/v1/events/{event.slug}/door-tokens", {"label": "North"}, organizer)
        assert status == 201, door
        status, ticket = post_json(
            f"{server.url}/api/v1/events/{event.slug}/registrations", {"name": "Lin", "email": "lin@example.org"}
        )
        assert status == 201, ticket
        door_token, ticket_secret = door["token"], ticket["manage_url"].rsplit("/", 1)[1]
        invitation_secret, reset_secret = secrets.token_hex(16), secrets.token_urlsafe(32)
        ticket_url = ticket["manage_url"]
        visits = {
            door["door_url"]: 200,  # on to the door page, signed in as the gate
            ticket_url: 200,
            f"{ticket_url}/qr.png": 200,
            f"{ticket_url}/qr.svg": 200,
            f"{ticket_url}/event.ics": 200,
            f"{ticket_url}/cancel": 200,
            f"{server.url}/door-invite/{invitation_secret}": 200,  # the login page, ?next=%2Fdoor-invite%2F…
            f"{server.url}/password/reset/{reset_secret}": 410,  # no such reset: the link has expired
        }
        browser = Browser()
        for url, expected in visits.items():
            assert browser.get(url, {"Referer": ticket_url}) == expected, url
    finally:
        server.stop()  # gunicorn has written every line when it has stopped

    log = access_log.read_text()
    for secret in (door_token, ticket_secret, invitation_secret, reset_secret):
        assert secret not in log
    lines = log.splitlines()
    assert any('"GET /door/<redacted> HTTP/1.1" 302' in line for line in lines), log
    for path in ("/t/<redacted>", "/t/<redacted>/qr.png", "/t/<redacted>/event.ics", "/t/<redacted>/cancel"):
        assert any(f'"GET {path} HTTP/1.1" 200' in line for line in lines), log
    assert any('"GET /login?next=%2Fdoor-invite%2F<redacted> HTTP/1.1" 200' in line for line in lines), log
    assert any('"GET /password/reset/<redacted> HTTP/1.1" 410' in line for line in lines), log
    assert any(f'"{server.url}/t/<redacted>"' in line for line in lines), log  # the Referer


def test_an_idle_connection_does_not_hold_up_the_server(app, database_url):
    """A browser opens connections ahead and may send nothing on them: gthread workers serve others meanwhile."""
    server = LiveServer(database_url, workers=1).start()
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2)]
    try:
        started = time.monotonic()
        assert Browser().get(f"{server.url}/") == 200
        assert time.monotonic() - started < 3
    finally:
        for connection in idle:
            connection.close()
        server.stop()


# --- the app's own logs ----------------------------------------------------------------------------------


@pytest.fixture
def logs(app, caplog, monkeypatch):
    """What the app's and werkzeug's loggers write. The test database's migration ran alembic's
    ``fileConfig``, which disables every logger that existed then: these two are turned back on."""
    for name in (app.logger.name, "werkzeug"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    caplog.set_level(logging.INFO, logger="werkzeug")
    return caplog


def test_an_error_on_a_ticket_page_is_logged_without_the_secret(app, client, monkeypatch, logs):
    secret = "S" * 32

    def broken_ticket_page(secret: str):
        raise LookupError(f"nothing at {request.path}")

    monkeypatch.setitem(app.view_functions, "registration.ticket_page", broken_ticket_page)
    assert client.get(f"/t/{secret}").status_code == 500
    assert secret not in logs.text
    assert "Unhandled error on GET /t/<redacted>" in logs.text
    assert "LookupError: nothing at /t/<redacted>" in logs.text  # the traceback too


def test_the_development_server_logs_door_links_without_the_token(app, logs):
    """`flask --app app run` logs each request through werkzeug's logger."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    token = "esd_" + secrets.token_urlsafe(32)
    try:
        assert Browser().get(f"http://127.0.0.1:{server.port}/door/{token}") == 404
    finally:
        server.shutdown()
        thread.join()
    assert token not in logs.text
    assert '"GET /door/<redacted> HTTP/1.1" 404' in logs.text
