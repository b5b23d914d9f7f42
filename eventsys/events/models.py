from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.clubs.models import Club
from eventsys.database import enum_column
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.timeutil import UTCDateTime, to_local, utcnow


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    def can_become(self, target: EventStatus) -> bool:
        return target in _EVENT_TRANSITIONS[self]

    @property
    def is_public(self) -> bool:
        """Anyone may see a published event, and a cancelled one (which says so)."""
        return self in (EventStatus.PUBLISHED, EventStatus.CANCELLED)


class EventAccess(enum.StrEnum):
    """Who may register: anyone (``public``), or only people the organizer invited by e-mail."""

    PUBLIC = "public"
    INVITE_ONLY = "invite_only"


_EVENT_TRANSITIONS: dict[EventStatus, set[EventStatus]] = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED, EventStatus.CANCELLED},
    EventStatus.PUBLISHED: {EventStatus.DRAFT, EventStatus.CANCELLED},
    EventStatus.CANCELLED: set(),
}


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"
    CHECKBOX = "checkbox"
    COUNTRY = "country"

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.SELECT, QuestionKind.MULTISELECT)


class Translated:
    """An organizer's texts in other languages (``{"zh-CN": {"name": …}}``), read field by field."""

    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    def translated(self, field: str, language: str | None = None) -> Any:
        """``field`` in ``language`` (by default the one being written now), else the original."""
        value = ((self.translations or {}).get(language or current_language()) or {}).get(field)
        return value if value else getattr(self, field)


class Event(Translated, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The club that runs it, whose team works on it; None: its creator's alone.
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tagline: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    waitlist: Mapped[bool] = mapped_column(default=True)
    # The ticket again by e-mail this many hours before the start; None: no reminder. No column
    # default: the ORM would put it in place of an explicit None (EventDetails holds the 24).
    reminder_hours_before: Mapped[int | None]
    status: Mapped[EventStatus] = mapped_column(enum_column(EventStatus), default=EventStatus.DRAFT, index=True)
    access: Mapped[EventAccess] = mapped_column(
        enum_column(EventAccess), default=EventAccess.PUBLIC, server_default=EventAccess.PUBLIC.value
    )
    # Seats held by confirmed registrations; kept in the same statement that takes a seat.
    seats_taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
    club: Mapped[Club | None] = relationship()
    ticket_types: Mapped[list[TicketType]] = relationship(
        back_populates="event", order_by="TicketType.position, TicketType.id", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="event", order_by="Question.position, Question.id", cascade="all, delete-orphan"
    )

    def local(self, moment: datetime | None) -> datetime | None:
        return to_local(moment, self.timezone)

    @property
    def end_style(self) -> str:
        """How its end reads after its start: the time alone when it ends the same day there."""
        same_day = self.local(self.starts_at).date() == self.local(self.ends_at).date()
        return "time" if same_day else "datetime"

    @property
    def is_public(self) -> bool:
        return self.status.is_public

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class TicketType(Translated, db.Model):
    __tablename__ = "ticket_types"
    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    seats_taken: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="ticket_types")

    @property
    def remaining(self) -> int | None:
        """What can still be confirmed: the smaller of this type's and the event's free seats."""
        limits = [n for n in (self.event.seats_left, self._own_seats_left) if n is not None]
        return min(limits) if limits else None

    @property
    def _own_seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class Question(Translated, db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    help_text: Mapped[str] = mapped_column(String(500), default="")
    on_badge: Mapped[bool] = mapped_column(default=False)  # its answer prints on the name badge
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="questions")
