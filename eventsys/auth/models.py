from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.extensions import db
from eventsys.timeutil import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Changing the password bumps this, which ends every other login session.
    session_version: Mapped[int] = mapped_column(default=1)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class TokenKind(enum.StrEnum):
    PERSONAL = "personal"
    DOOR = "door"


class DoorTokenRole(enum.StrEnum):
    """What a door token may do at its event's door (eventsys/checkin/access.py decides what each means)."""

    SUPERVISOR = "supervisor"  # scan, look people up, see the numbers: what every door token did before roles
    STEWARD = "steward"  # scan only


class ApiToken(db.Model):
    """A bearer token, stored as a SHA-256 hash; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(
        db.Enum(TokenKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Door tokens only; personal tokens keep the default, which means nothing for them.
    door_role: Mapped[DoorTokenRole] = mapped_column(
        db.Enum(DoorTokenRole, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=DoorTokenRole.SUPERVISOR,
        server_default=DoorTokenRole.SUPERVISOR.value,
    )
    # Door tokens only: False makes an online-only gate, which refuses to judge scans offline.
    offline: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Personal tokens only, and to the minute (see auth.services.note_token_use); door tokens never.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    event: Mapped[Event | None] = relationship()  # noqa: F821

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PasswordReset(db.Model):
    """A request to reset a password by e-mail: its link works once, until ``expires_at``.

    Like a ticket, the row holds a random nonce and the SHA-256 of the link's secret (an HMAC of
    the nonce under TICKET_KEY, see registration/tickets.py), so the database holds no working link
    while the mail, rendered when it is sent, can still carry one.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
