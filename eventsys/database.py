"""Engine set-up: SQLite pragmas, and transactions that hold SQLite's write lock only briefly.

On SQLite, reads run outside any transaction, so no request holds an old snapshot (which would
also stop WAL checkpoints from catching up). A write transaction takes the write lock when it
begins: ``write_transaction()`` for the Core statements of the hot paths, and the ORM's flush
(see ``_begin_before_flush``) for everything else. pysqlite's own transaction handling is
turned off, as SQLAlchemy's documentation recommends, and BEGIN is emitted here instead.
"""

from __future__ import annotations

import enum
import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, event
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from eventsys.extensions import db
from eventsys.sqlite_wal import use_wal

SQLITE_BUSY_TIMEOUT_MS = 10_000


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            use_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin")
        if mode is not None:
            connection.exec_driver_sql(f"BEGIN {mode}".strip())


def take_write_lock(session: Session) -> None:
    """Begin the session's transaction with SQLite's write lock held, so that what it reads next
    cannot change before it writes (a check, then the change it allows). On PostgreSQL lock the
    rows in question instead (``with_for_update``)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_before_flush(session, _flush_context, _instances) -> None:
    """Give an ORM flush on SQLite a real transaction, with the write lock taken up front."""
    take_write_lock(session)


event.listen(db.session, "before_flush", _begin_before_flush)

AFTER_COMMIT = "eventsys.after_commit"


def after_commit(target: Connection | Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the transaction of ``target`` has committed; never if it rolls back.

    ``target`` is a ``write_transaction()`` connection or the ORM session. The same callback
    registered twice in one transaction runs once.
    """
    target.info.setdefault(AFTER_COMMIT, {})[callback] = None


def _run_after_commit(info: dict) -> None:
    for callback in info.pop(AFTER_COMMIT, {}):
        callback()


def _forget_after_commit(info: dict) -> None:
    info.pop(AFTER_COMMIT, None)


event.listen(db.session, "after_commit", lambda session: _run_after_commit(session.info))
event.listen(db.session, "after_soft_rollback", lambda session, _previous: _forget_after_commit(session.info))


class WriterQueue:
    """Lines up this machine's writers to one SQLite database before they ask for its lock.

    SQLite makes a writer that finds the database locked sleep and retry (1, 2, 5, 10 … ms),
    so with several gunicorn workers most of a short write's time went to sleeping. Waiting on
    an flock() instead wakes the next writer the moment the lock is released. Other programs
    writing to the database are still covered by SQLite's busy timeout.
    """

    def __init__(self, database_path: str) -> None:
        self.path = database_path + ".writer-lock"
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._thread_lock:  # flock() does not exclude threads sharing one descriptor
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_writer_queues: dict[str, WriterQueue] = {}


def _writer_queue(engine: Engine) -> WriterQueue | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return None
    if database not in _writer_queues:
        _writer_queues[database] = WriterQueue(database)
    return _writer_queues[database]


@contextmanager
def write_transaction() -> Iterator[Connection]:
    """One short write transaction, on a connection of its own, for Core statements.

    It begins with the write lock held (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL the
    conditional updates lock the rows they touch) and commits on leaving. Keep only the
    statements that must be atomic inside it. The request's session sees the result at once
    (on SQLite its reads hold no snapshot; on PostgreSQL they read committed data).
    """
    queue = _writer_queue(db.engine)
    with db.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
        _forget_after_commit(connection.info)
        try:
            with queue.turn() if queue else nullcontext(), connection.begin():
                yield connection
        except BaseException:
            _forget_after_commit(connection.info)
            raise
        _run_after_commit(connection.info)


def described_by_the_models(name: str | None, type_: str, _parent: object = None) -> bool:
    """For Alembic's comparisons: False for what the models leave out on purpose, the rate
    limiter's table and the search index (SQLite's FTS5 table and its shadow tables, PostgreSQL's
    pg_trgm index; see migration 0006)."""
    if type_ == "table":
        return name != "rate_limit_counters" and not (name or "").startswith("registrations_search")
    if type_ == "index":
        return name != "ix_registrations_search_trgm"
    return True


def enum_column(enum_cls: type[enum.Enum]) -> SqlEnum:
    """An enum stored as its values in a plain string column (no native enum type to migrate)."""
    return SqlEnum(enum_cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
