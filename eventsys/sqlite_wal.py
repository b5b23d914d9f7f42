"""Turning a SQLite file to write-ahead logging, safely when several connections open it at once."""

from __future__ import annotations

import sqlite3
import time

ATTEMPTS = 100
PAUSE_S = 0.02


def use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database file in WAL mode (the file keeps it once set).

    A connection that switches the journal mode while another one does gets SQLITE_BUSY at once:
    the busy timeout does not cover the change. So it looks first, and tries again for a while.
    """
    for attempt in range(ATTEMPTS):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(PAUSE_S)
