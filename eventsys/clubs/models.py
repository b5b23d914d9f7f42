from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.clubs.roles import Role
from eventsys.database import enum_column
from eventsys.extensions import db
from eventsys.timeutil import UTCDateTime, utcnow

ACTIVE_MEMBER = "removed_at IS NULL AND user_id IS NOT NULL"
INVITATION_LIFETIME = timedelta(days=7)  # a /join link works this long, and once


class Club(db.Model):
    __tablename__ = "clubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Club {self.slug}>"


class ClubMember(db.Model):
    """A place on a club's team: invited by e-mail with a role, then taken by the account that opens
    the link (within ``expires_at``, once). The link's secret is derived from ``invite_nonce`` under
    TICKET_KEY and stored only hashed, as for tickets. Removing a member keeps the row (the trail)."""

    __tablename__ = "club_members"
    __table_args__ = (
        # One active place per account and club; an account removed can be invited again.
        Index(
            "uq_club_members_active_user",
            "club_id",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE_MEMBER),
            postgresql_where=text(ACTIVE_MEMBER),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invite_nonce: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    club: Mapped[Club] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def status(self) -> str:
        if self.removed_at is not None:
            return "removed"
        if self.user_id is not None:
            return "active"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "invited"


class AuditEntry(db.Model):
    """One change to a club or its events, and who made it: kept for the club's owners to read."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_club_id_id", "club_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
