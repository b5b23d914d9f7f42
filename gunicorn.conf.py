"""gunicorn's settings: read from the working directory by every `gunicorn app:app` started here.

`make run` uses exactly these; an option on the command line (or in GUNICORN_CMD_ARGS) wins over them.
"""

import os


def _usable_cores() -> int:
    """The cores this process may run on (a container's share of them, on Linux)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Where `make run` serves, and where unset PUBLIC_BASE_URL points links (eventsys/config.py).
bind = [f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"]

# Threaded workers, one a core: a browser's idle pre-opened connection, or a door phone keeping one
# alive, waits in the worker's poller instead of holding a whole sync worker until the 30 s timeout.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or _usable_cores())
threads = 4
keepalive = 5  # seconds an idle connection is kept open for the next request

# The access log on standard output, without door tokens and ticket secrets (/door/…, /t/…).
accesslog = "-"
logger_class = "eventsys.gunicorn_logging.RedactingLogger"
