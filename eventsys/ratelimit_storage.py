"""A rate-limit storage in a SQL database, so every gunicorn worker (and every machine) counts together.

Flask-Limiter keeps its counters in a ``limits`` storage named by ``RATELIMIT_STORAGE_URI``. The
in-memory one is per process: with two workers a limit of 120 a minute let 195 requests through.
This storage registers the ``db+`` schemes with ``limits``: ``db+sqlite:////path/ratelimits.db``
(the default, a file of its own in the instance folder, so counting a hit never waits for the
app's own SQLite writers) or ``db+postgresql+psycopg://…`` (a database every machine reaches; the
app's own will do). Redis (``redis://…``) works too, through ``limits`` itself.

Each hit is one statement: an upsert that starts a new window when the old one has expired and
returns the count (the fixed-window strategy). On SQLite it runs in autocommit, in WAL mode with
``synchronous=NORMAL`` (no fsync per hit), and SQLite's write lock makes it atomic across processes.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from limits.storage import Storage
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from eventsys.sqlite_wal import use_wal

TABLE = "rate_limit_counters"
CREATE = text(
    f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(key VARCHAR(512) PRIMARY KEY, hits INTEGER NOT NULL, expires_at DOUBLE PRECISION NOT NULL)"
)
HIT = text(
    f"INSERT INTO {TABLE} (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    f"hits = CASE WHEN {TABLE}.expires_at <= :now THEN :amount ELSE {TABLE}.hits + :amount END, "
    f"expires_at = CASE WHEN {TABLE}.expires_at <= :now THEN :expires ELSE {TABLE}.expires_at END "
    "RETURNING hits, expires_at"
)
COUNT = text(f"SELECT hits FROM {TABLE} WHERE key = :key AND expires_at > :now")
EXPIRY = text(f"SELECT expires_at FROM {TABLE} WHERE key = :key AND expires_at > :now")
CLEAR = text(f"DELETE FROM {TABLE} WHERE key = :key")
CLEAR_ALL = text(f"DELETE FROM {TABLE}")
FORGET_EXPIRED = text(f"DELETE FROM {TABLE} WHERE expires_at <= :now")
SWEEP_CHANCE = 0.001  # about one hit in a thousand also deletes the expired windows
MEMO_SECONDS = 1.0  # how long a thread answers get()/get_expiry() from its own last hit


class DatabaseStorage(Storage):
    """Fixed-window counters in one table, created on first use."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["db+sqlite", "db+postgresql", "db+postgresql+psycopg"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.engine = _engine(uri.removeprefix("db+"))
        self._created = False
        self._create_lock = threading.Lock()
        self._last_hit = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        if not self._created:
            self._create_table()
        with self.engine.connect() as connection:
            yield connection

    def _run(self, statement, **params) -> tuple[object, int]:
        """Execute one statement in autocommit; its first value (or None) and its row count."""
        with self._connection() as connection:
            result = connection.execute(statement, params)
            return (result.scalar() if result.returns_rows else None), result.rowcount

    def _create_table(self) -> None:
        with self._create_lock, self.engine.connect() as connection:
            if self._created:
                return
            try:
                connection.execute(CREATE)
            except SQLAlchemyError:  # PostgreSQL: another worker created it at the same moment
                connection.execute(text(f"SELECT 1 FROM {TABLE} LIMIT 1"))
            self._created = True

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if random.random() < SWEEP_CHANCE:
            self._run(FORGET_EXPIRED, now=now)
        with self._connection() as connection:
            hits, expires_at = connection.execute(
                HIT, {"key": key, "amount": amount, "expires": now + expiry, "now": now}
            ).one()
        self._last_hit.value = (key, int(hits), float(expires_at), now)
        return int(hits)

    def _remembered(self, key: str) -> tuple[int, float] | None:
        """What this thread's last hit on ``key`` returned, a moment ago: Flask-Limiter asks for the
        count and the window's end right after each hit (for its headers), which then costs no query."""
        last = getattr(self._last_hit, "value", None)
        if last is None or last[0] != key or time.time() - last[3] > MEMO_SECONDS:
            return None
        return last[1], last[2]

    def get(self, key: str) -> int:
        if remembered := self._remembered(key):
            return remembered[0]
        hits, _ = self._run(COUNT, key=key, now=time.time())
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        if remembered := self._remembered(key):
            return remembered[1]
        now = time.time()
        expires_at, _ = self._run(EXPIRY, key=key, now=now)
        return float(expires_at or now)

    def check(self) -> bool:
        try:
            self._run(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        self._last_hit.value = None
        return self._run(CLEAR_ALL)[1]

    def clear(self, key: str) -> None:
        self._last_hit.value = None
        self._run(CLEAR, key=key)


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Connections open on first use, so none is made before gunicorn forks its workers.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine
