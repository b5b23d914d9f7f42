"""Shared set-up for benchmarks: a migrated SQLite database and gunicorn serving it."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import free_port  # noqa: E402


def arguments(description: str, **extra: int) -> argparse.Namespace:
    """The options every benchmark takes (and ``extra`` ones, with their defaults)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="threads a gunicorn worker (default: gunicorn.conf.py's)")
    for name, default in extra.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args()


def create_published_event(name: str, capacity: int | None = None):
    """An organizer and a published event tomorrow; call inside the bench app's context."""
    from eventsys.auth.services import create_user
    from eventsys.events.models import EventStatus
    from eventsys.events.services import EventDetails, create_event

    owner = create_user("bench@example.org", "Bench", "bench-password")
    start = datetime.now(UTC) + timedelta(days=1)
    details = EventDetails(name=name, starts_at=start, ends_at=start + timedelta(hours=8), capacity=capacity)
    return create_event(owner, details, EventStatus.PUBLISHED)


def bench_environment(database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "TICKET_KEY": "bench",
        "RATELIMIT_ENABLED": "false",
        "MAIL_SENDER_THREAD": "false",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


class Bench:
    def __init__(self, workers: int = 2, threads: int | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="eventsys-bench-"))
        self.database_url = f"sqlite:///{self.dir}/bench.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = bench_environment(self.database_url, self.port)
        self.workers = workers
        self.threads = threads
        self.server: subprocess.Popen | None = None

    def app(self):
        os.environ.update(self.env)
        from eventsys import create_app

        return create_app()

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def copy_database(self, name: str) -> str:
        """A copy of the benchmark's database as it is now (committed rows, WAL included): its URL."""
        target = self.dir / f"{name}.db"
        source = sqlite3.connect(self.database_url.removeprefix("sqlite:///"))
        with closing(source), closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        return f"sqlite:///{target}"

    def serve(self, wsgi: str = "app:app", pythonpath: str | None = None, database_url: str | None = None) -> None:
        """Start gunicorn on ``wsgi`` from the repository root, so every variant reads its gunicorn.conf.py
        (as deployed), on the benchmark's database or on ``database_url``; the access log kept out of the report."""
        gunicorn = Path(sys.executable).parent / "gunicorn"
        env = {**self.env, "DATABASE_URL": database_url or self.database_url}
        options = ["-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        options += ["--backlog", "2048", "--access-logfile", str(self.dir / "access.log")]
        if self.threads:
            options += ["--threads", str(self.threads)]
        if pythonpath:
            options += ["--pythonpath", pythonpath]
        self.server = subprocess.Popen(
            [str(gunicorn), *options, wsgi],
            cwd=ROOT,
            env=env,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the server's processes have used so far: a figure that other
        programs on the machine disturb far less than throughput."""
        pids = [self.server.pid, *Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()]
        ticks = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def wrk(
        self, path: str, script: str, seconds: int = 10, connections: int = 16, threads: int = 2, *script_args: str
    ) -> dict:
        """Run wrk with ``script`` (``script_args`` reach its init()) and read bench/report.lua's figures."""
        output = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(ROOT / "bench" / script),
                self.url + path,
                *(["--", *script_args] if script_args else []),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        non_2xx = int(re.search(r"^NON2XX (\d+)$", output, re.M).group(1))
        latency = dict(re.findall(r"(p\d+)_ms=([\d.]+)", output))
        requests, duration = re.search(r"SUMMARY requests=(\d+) duration_s=([\d.]+)", output).groups()
        return {
            "non_2xx": non_2xx,
            "p50": float(latency["p50"]),
            "p90": float(latency["p90"]),
            "p99": float(latency["p99"]),
            "requests": int(requests),
            "seconds": float(duration),
            "raw": output,
        }

    def stop(self) -> None:
        """Stop gunicorn and wait for it: its workers first finish (and commit) the requests they hold.

        wrk stops counting at its deadline while the server is still answering its last requests, so
        count what the database holds only after this.
        """
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=60)
            self.server = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
