"""The event as registering reads it: its window, its rules, its ticket types and questions.

Registering decides nothing racy from these (seats are taken by conditional updates inside the
write transaction), so they are read once, before it. The API's hot path reads them with two
Core statements built at import; the ORM's lazy loads of an ``Event`` and its two collections
took a third of a registration's time. The pages, which hold the ``Event`` already, take a
snapshot of it with ``EventSnapshot.of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from eventsys.events.models import Event, EventStatus, Question, QuestionKind, TicketType
from eventsys.extensions import db


@dataclass(frozen=True)
class TicketTypeSnapshot:
    id: int
    name: str


@dataclass(frozen=True)
class QuestionSnapshot:
    """What checking an answer needs of a question (see registration/answers.py)."""

    id: int
    kind: QuestionKind
    required: bool
    options: list[str]


@dataclass(frozen=True)
class EventSnapshot:
    id: int
    owner_id: int
    club_id: int | None
    status: EventStatus
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    requires_approval: bool
    waitlist: bool
    ticket_types: tuple[TicketTypeSnapshot, ...]
    questions: tuple[QuestionSnapshot, ...]

    @property
    def is_public(self) -> bool:
        return self.status.is_public

    @classmethod
    def of(cls, event: Event) -> EventSnapshot:
        return cls(
            **{name: getattr(event, name) for name in _EVENT_FIELDS},
            ticket_types=tuple(TicketTypeSnapshot(t.id, t.name) for t in event.ticket_types),
            questions=tuple(QuestionSnapshot(q.id, q.kind, q.required, q.options) for q in event.questions),
        )


_EVENT_FIELDS = (
    "id",
    "owner_id",
    "club_id",
    "status",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "waitlist",
)
_events, _types, _questions = Event.__table__, TicketType.__table__, Question.__table__

# One row per ticket type (or one with NULLs for an event without any), in the order the
# Event.ticket_types relationship keeps.
EVENT_BY_SLUG = (
    select(*(_events.c[name] for name in _EVENT_FIELDS), _types.c.id, _types.c.name)
    .outerjoin(_types, _types.c.event_id == _events.c.id)
    .where(_events.c.slug == bindparam("slug"))
    .order_by(_types.c.position, _types.c.id)
)
QUESTIONS_OF_EVENT = (
    select(_questions.c.id, _questions.c.kind, _questions.c.required, _questions.c.options)
    .where(_questions.c.event_id == bindparam("event_id"))
    .order_by(_questions.c.position, _questions.c.id)
)


def load_event_snapshot(slug: str) -> EventSnapshot | None:
    """The event at ``slug`` with its ticket types and questions, in two statements; None if none."""
    connection = db.session.connection()  # the session's, without the ORM's execution overhead
    rows = connection.execute(EVENT_BY_SLUG, {"slug": slug}).all()
    if not rows:
        return None
    fields = dict(zip(_EVENT_FIELDS, rows[0][: len(_EVENT_FIELDS)], strict=True))
    types = tuple(TicketTypeSnapshot(*row[len(_EVENT_FIELDS) :]) for row in rows if row[-2] is not None)
    questions = tuple(
        QuestionSnapshot(*row) for row in connection.execute(QUESTIONS_OF_EVENT, {"event_id": fields["id"]})
    )
    return EventSnapshot(**fields, ticket_types=types, questions=questions)
