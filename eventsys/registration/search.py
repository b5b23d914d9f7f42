"""Substring search over registrations at any size: what is searched, and how it is found.

A registration's ``search_text`` holds, lower-cased, its name, e-mail, code and text answers.
Searches of three characters or more are served by an index made for substrings: an FTS5
trigram table on SQLite (``registrations_search``, kept by triggers, see migration 0006) and a
pg_trgm GIN index on PostgreSQL. Shorter ones (王, 陈静) have no trigram and scan the event's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, text

from eventsys.extensions import db
from eventsys.registration.models import Registration

TRIGRAM = 3
_FTS_MATCH = text("SELECT rowid FROM registrations_search WHERE registrations_search MATCH :phrase")


def search_text_of(name: str, email: str | None, code: str, answers: dict[str, Any]) -> str:
    words = [name, email or "", code]
    for value in answers.values():
        if isinstance(value, str):
            words.append(value)
        elif isinstance(value, list):
            words.extend(item for item in value if isinstance(item, str))
    return "\n".join(words).lower()


def normalized_needle(q: str) -> str:
    return " ".join(q.split()).lower()


def uses_search_index(q: str) -> bool:
    """Does the search ``q`` go through SQLite's FTS5 table (and so hand the rows it finds by rowid)?"""
    return len(normalized_needle(q)) >= TRIGRAM and db.engine.dialect.name == "sqlite"


def _contains(needle: str) -> ColumnElement[bool]:
    """``search_text`` holds ``needle``: through the trigram index where one can serve it."""
    plain = Registration.search_text.contains(needle, autoescape=True)
    if not uses_search_index(needle):
        return plain  # PostgreSQL's planner takes the pg_trgm index for LIKE by itself
    # A quoted FTS5 phrase of trigrams is a substring match; a quote inside is doubled.
    phrase = '"' + needle.replace('"', '""') + '"'
    return Registration.id.in_(_FTS_MATCH.bindparams(phrase=phrase).columns(rowid=Registration.id.type))


def matches_search(q: str, by_email: bool = True) -> ColumnElement[bool] | None:
    """The condition for a search ``q``, or None for no search.

    ``by_email`` off (door staff, who must not learn whether an address is registered, nor read
    answers): the index narrows, then only the name and the code count.
    """
    needle = normalized_needle(q)
    if not needle:
        return None
    found = _contains(needle)
    if by_email:
        return found
    return and_(
        found,
        or_(
            func.lower(Registration.name).contains(needle, autoescape=True),
            func.lower(Registration.code).contains(needle, autoescape=True),
        ),
    )


def texts_for(rows: Iterable[dict[str, Any]]) -> None:
    """Fill ``search_text`` in new registration rows (bulk inserts) from their columns."""
    for row in rows:
        row["search_text"] = search_text_of(row["name"], row.get("email"), row["code"], row.get("answers") or {})
