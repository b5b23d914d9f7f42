"""One page of a query's rows: the API's lists and the organizer's pages both page through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from eventsys.extensions import db

MAX_PAGE = 2**31 - 1  # beyond this the row offset overflows the database's integers


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def count_of(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def page_of(query: Select, number: int, per_page: int, total: int | None = None, clamp: bool = False) -> Page:
    """Page ``number`` of ``query``'s rows, in its order. ``total``: the count, when already known.
    With ``clamp`` (pages) a number past the end shows the last page; without (the API) an empty one."""
    total = count_of(query) if total is None else total
    number = min(max(number, 1), MAX_PAGE)
    if clamp:
        number = min(number, max((total + per_page - 1) // per_page, 1))
    rows = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(list(rows), total, number, per_page)
