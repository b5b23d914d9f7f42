"""The contract's lists: ``{"items", "total", "page", "per_page"}``, read from ``?page=`` and ``?per_page=``.

Every list endpoint answers through ``paginate`` (a query) or ``paginate_rows`` (a list the event
already holds), so the limits and the 400s for bad numbers are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Select

from eventsys.errors import MalformedRequest
from eventsys.pagination import MAX_PAGE, Page, page_of

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def query_page(query: Select, count: Callable[[], int] | None = None) -> Page:
    """The requested page (``?page=``, ``?per_page=``) of the rows ``query`` selects, in its order,
    and how many it selects (by ``count`` where the caller knows a faster way)."""
    number, per_page = requested_page()
    return page_of(query, number, per_page, total=count() if count else None)


def paginate(query: Select, to_json: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of the rows ``query`` selects (in its order), each turned into JSON by ``to_json``."""
    page = query_page(query)
    return page_json([to_json(row) for row in page.items], page.total, page.number, page.per_page)


def paginate_rows(rows: Sequence[Any], to_json: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of a short list already in memory (an event's ticket types or questions)."""
    page, per_page = requested_page()
    start = (page - 1) * per_page
    return page_json([to_json(row) for row in rows[start : start + per_page]], len(rows), page, per_page)


def page_json(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def requested_page() -> tuple[int, int]:
    """``?page=`` (from 1) and ``?per_page=`` (at most 200); a malformed number is a 400."""
    page = _positive_int_arg("page", 1)
    per_page = min(_positive_int_arg("per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return page, per_page


def _positive_int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise MalformedRequest(
            _("`%(name)s` must be a whole number.", name=name), fields={name: [_("Must be a whole number.")]}
        ) from None
    if value < 1:
        raise MalformedRequest(_("`%(name)s` must be 1 or more.", name=name), fields={name: [_("Must be 1 or more.")]})
    if value > MAX_PAGE:
        raise MalformedRequest(
            _("`%(name)s` is too large.", name=name), fields={name: [_("Must be at most %(max)d.", max=MAX_PAGE)]}
        )
    return value
