from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import enum_column
from eventsys.events.models import Event, TicketType
from eventsys.extensions import db
from eventsys.timeutil import UTCDateTime, utcnow


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands; the transitions it allows live here, in one place."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def is_active(self) -> bool:
        """Active registrations hold the e-mail address: nobody registers twice while one is."""
        return self in ACTIVE_STATUSES

    def can_become(self, target: RegistrationStatus) -> bool:
        return target in _TRANSITIONS[self]


ACTIVE_STATUSES = frozenset(
    {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING_APPROVAL}
)

_TRANSITIONS: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    RegistrationStatus.CONFIRMED: frozenset({RegistrationStatus.CANCELLED}),
    RegistrationStatus.WAITLISTED: frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED}),
    RegistrationStatus.PENDING_APPROVAL: frozenset(
        {
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.REJECTED,
            RegistrationStatus.CANCELLED,
        }
    ),
    RegistrationStatus.REJECTED: frozenset(),
    RegistrationStatus.CANCELLED: frozenset(),
}

# Spelled out, not bound: SQLite uses the partial index below only for this very condition.
ACTIVE_SQL = "status IN ('confirmed', 'waitlisted', 'pending_approval')"


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        # One active registration per address and event, enforced by the database under races.
        Index(
            "uq_registrations_active_email",
            "event_id",
            "email",
            unique=True,
            sqlite_where=text(ACTIVE_SQL),
            postgresql_where=text(ACTIVE_SQL),
        ),
        Index("ix_registrations_waitlist", "event_id", "status", "id"),
        # The back office's sorts and tab counts at 100,000 registrations.
        Index("ix_registrations_event_created", "event_id", "created_at", "id"),
        Index("ix_registrations_event_sort_name", "event_id", "sort_name", "id"),
        Index("ix_registrations_event_tabs", "event_id", "status", "checked_in_at"),
        Index("ix_registrations_event_status_created", "event_id", "status", "created_at", "id"),  # a tab's pages
        # The door's counter and numbers, read from the index alone (checkin/numbers.py).
        Index(
            "ix_registrations_event_attendance", "event_id", "status", "ticket_type_id", "checked_in_at", "is_inside"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id"), index=True)
    code: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(200))
    # What the name sorts by: lower-case, Chinese characters in pinyin (registration/names.py).
    sort_name: Mapped[str] = mapped_column(String(200), default="")
    # None for someone an organizer added by hand without an address: they get no mail.
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # Random per registration; the QR payload and the manage link are derived from it with the
    # server's ticket key, and only their hashes are stored (see registration/tickets.py).
    ticket_nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    manage_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Check-in state, changed only by the check-in service's conditional update.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first admission
    is_inside: Mapped[bool] = mapped_column(default=False)
    # What the organizer's search looks in, lower-cased (registration/search.py writes it); an
    # FTS5 trigram index (SQLite) or a pg_trgm GIN index (PostgreSQL) serves substring searches.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    ticket_type: Mapped[TicketType] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.code} {self.status.value}>"


class ChangeKind(enum.StrEnum):
    """What happened to a registration, as its history names it (the contract's ``what``).

    Mail and scans are not recorded here: the history reads them from the outbox and the scan log.
    """

    REGISTERED = "registered"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    PROMOTED = "promoted"
    EDITED = "edited"
    TICKET_TYPE_CHANGED = "ticket_type_changed"


class RegistrationChange(db.Model):
    """One change in a registration's life, written in the transaction that makes it."""

    __tablename__ = "registration_changes"
    __table_args__ = (Index("ix_registration_changes_registration", "registration_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    what: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What changed, for `edited` (the fields) and `ticket_type_changed` (from and to).
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Invitation(db.Model):
    """A person an organizer invited to an invite-only event, with a personal registration link.

    The link carries a secret derived from ``nonce`` with the ticket key (registration/tickets.py);
    only its hash is stored. ``registration_id`` is set by the registration that used the link.
    """

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))  # normalized (auth.services.normalize_email)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship()
