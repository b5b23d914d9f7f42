"""The app served by a real gunicorn on loopback, for tests with many concurrent clients."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent


class LiveServer:
    def __init__(
        self,
        database_url: str,
        workers: int = 3,
        extra_env: dict[str, str] | None = None,
        access_log: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The developer's shell may name a mail server: never reach it (a test names its own in extra_env).
        shell = {name: value for name, value in os.environ.items() if name != "MAIL_SERVER"}
        self.env = {
            **shell,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "TICKET_KEY": "test-ticket-key",
            "RATELIMIT_ENABLED": "false",
            "PUBLIC_BASE_URL": self.url,
            **(extra_env or {}),
        }
        self.workers = workers
        self.access_log = access_log  # None: gunicorn.conf.py's, standard output
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        """Start gunicorn in the repository, so that it runs with gunicorn.conf.py as `make run` does."""
        gunicorn = Path(sys.executable).parent / "gunicorn"
        options = ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--log-level", "warning"]
        if self.access_log is not None:
            options += ["--access-logfile", str(self.access_log)]
        self.process = subprocess.Popen(
            [str(gunicorn), *options, "app:app"],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=5).close()
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited") from None
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:  # gunicorn lets its workers finish for up to 30 s; a loaded machine can need that
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def post_json(url: str, body: dict, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """POST JSON and return (status, body), whatever the status."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except ValueError:
            return error.code, {"raw": raw.decode(errors="replace")}
