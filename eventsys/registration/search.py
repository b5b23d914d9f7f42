"""Substring search over registrations at any size: what is searched, and how it is found.

A registration's ``search_text`` holds, lower-cased, its name (and a Chinese name's pinyin, see
names.py), e-mail, code and text answers. Searches of three characters or more are served by an
index made for substrings: an FTS5 trigram table on SQLite (``registrations_search``, kept by
triggers, see migration 0006) and a pg_trgm GIN index on PostgreSQL. Shorter ones (王, 陈静) have
no trigram and scan the event's rows.
At the door a search needs two characters, or one that is a name on its own (王): see
``door_can_search``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, text

from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.names import is_ideograph_search, single_character_needle, spellings_of

TRIGRAM = 3
_FTS_MATCH = text("SELECT rowid FROM registrations_search WHERE registrations_search MATCH :phrase")


def search_text_of(name: str, email: str | None, code: str, answers: dict[str, Any]) -> str:
    words = [name, *spellings_of(name), email or "", code]
    for value in answers.values():
        if isinstance(value, str):
            words.append(value)
        elif isinstance(value, list):
            words.extend(item for item in value if isinstance(item, str))
    return "\n".join(words).lower()


def normalized_needle(q: str) -> str:
    return " ".join(q.split()).lower()


def door_can_search(q: str) -> bool:
    """Is ``q`` enough for a look-up by name at the door: two characters, or one Chinese
    character (王 finds every 王); one Latin letter would match nearly everyone."""
    needle = normalized_needle(q)
    return len(needle) >= 2 or is_ideograph_search(needle)


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
    answers): the index narrows, then only the name, its pinyin and the code's start count. A search
    too short for the index reads the name and code alone (the caller bounds it: one event, a
    limit).
    """
    needle = normalized_needle(q)
    if not needle:
        return None
    if not by_email and len(needle) < TRIGRAM and all(is_ideograph_search(char) for char in needle):
        return _characters_of_a_name(needle)
    found = _contains(needle)
    if by_email:
        return found
    by_name_or_code = [
        func.lower(Registration.name).contains(needle, autoescape=True),
        Registration.sort_name.contains(needle, autoescape=True),
        _code_starts_with(needle),
    ]
    if len(needle) < TRIGRAM:
        return or_(*by_name_or_code)
    # Pinyin run together ("wangfang"): the search text holds it for Chinese names only, so the
    # index keeps Latin names out ("anasouza" finds no Ana Souza, as in the organizer's search).
    run_together = func.replace(Registration.sort_name, " ", "").contains(needle, autoescape=True)
    return and_(found, or_(*by_name_or_code, run_together))


def _code_starts_with(needle: str) -> ColumnElement[bool]:
    """A code is typed from its start (K7QF, K7QF-3M): "wa" finds no one whose code has WA
    inside, which two random letters would give one person in a hundred."""
    return func.lower(Registration.code).startswith(needle, autoescape=True)


def _characters_of_a_name(chars: str) -> ColumnElement[bool]:
    """The names holding ``chars`` (王, 陈静), through the index: every name's search text holds its
    characters one by one as ‹王› (names.py, spellings_of), three characters, a trigram.

    At 100,000 registrations on SQLite, reading the names in name order instead took 390 ms for
    王 (it sorts late) and 420 for a character nobody has.
    """
    spaced = "".join(single_character_needle(char) for char in chars)
    return and_(_contains(spaced), Registration.name.contains(chars, autoescape=True))
