from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import PasswordReset, User
from eventsys.checkin.models import DoorStaff
from eventsys.clubs.models import ClubMember
from eventsys.database import enum_column
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.registration.models import Invitation, Registration
from eventsys.timeutil import UTCDateTime, utcnow


class MailKind(enum.StrEnum):
    """Which message to send. The text is rendered when it is sent, from the registration."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    PROMOTED = "promoted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    LINK_AGAIN = "link_again"
    DOOR_INVITE = "door_invite"
    EVENT_CANCELLED = "event_cancelled"
    PASSWORD_RESET = "password_reset"  # to an organizer; no event
    MESSAGE = "message"  # an organizer's own message (OrganizerMessage) to one attendee
    REMINDER = "reminder"  # the ticket again before the start; at most one per registration
    TEAM_INVITE = "team_invite"  # to join a club's team (ClubMember); no event
    INVITATION = "invitation"  # a personal registration link to an invite-only event (Invitation)


ONE_REMINDER = "kind = 'reminder'"


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"  # a ticket message for a registration no longer confirmed
    FAILED = "failed"  # refused for good (e.g. the address does not exist); never retried


class OrganizerMessage(db.Model):
    """What an organizer wrote to (some of) an event's attendees; each recipient's outbox row
    points here and is rendered from it when sent, in the recipient's language."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # {"zh-CN": {"subject": …, "body": …}}: a text missing there is read in the original.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # The recipients as chosen: {"status": [...], "ticket_type": id, "checked_in": bool}.
    recipients_filter: Mapped[dict] = mapped_column(JSON, default=dict)
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    created_by: Mapped[User | None] = relationship()

    def translated(self, field: str, language: str | None = None) -> str:
        """The subject or body in ``language`` (``zh-CN``; the one being written now), else as written."""
        version = (self.translations or {}).get(language or current_language()) or {}
        return version.get(field) or getattr(self, field)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        # What makes a reminder go out once, whatever the number of senders queueing them (reminders.py).
        Index(
            "uq_outbox_messages_one_reminder",
            "registration_id",
            unique=True,
            sqlite_where=text(ONE_REMINDER),
            postgresql_where=text(ONE_REMINDER),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(enum_column(MailKind))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    door_staff_id: Mapped[int | None] = mapped_column(ForeignKey("door_staff.id", ondelete="CASCADE"), index=True)
    password_reset_id: Mapped[int | None] = mapped_column(
        ForeignKey("password_resets.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    club_member_id: Mapped[int | None] = mapped_column(ForeignKey("club_members.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    # The language of the page that asked for a mail to an account (a password reset, a door
    # invitation), kept for every later attempt; an attendee's mail speaks the registration's.
    locale: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration | None] = relationship()
    event: Mapped[Event | None] = relationship()
    password_reset: Mapped[PasswordReset | None] = relationship()
    door_staff: Mapped[DoorStaff | None] = relationship()
    message: Mapped[OrganizerMessage | None] = relationship()
    club_member: Mapped[ClubMember | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
