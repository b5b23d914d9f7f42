from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, exists
from sqlalchemy.orm import Mapped, aliased, mapped_column

from eventsys.auth.models import DoorTokenRole
from eventsys.database import enum_column
from eventsys.extensions import db
from eventsys.timeutil import UTCDateTime, utcnow


class CheckinResult(enum.StrEnum):
    """The verdict on a scan (and `undo`, the log row that takes an admission back)."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    INVALID = "invalid"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    NOT_CONFIRMED = "not_confirmed"
    NOT_INSIDE = "not_inside"  # an `out` scan of someone who is not inside (never admitted, or left already)
    UNDO = "undo"


class Direction(enum.StrEnum):
    IN = "in"
    OUT = "out"


class Scan(db.Model):
    """The scan log: every scan, whatever its verdict. Rows are never changed or deleted."""

    __tablename__ = "scans"
    __table_args__ = (
        UniqueConstraint("event_id", "nonce"),
        Index("ix_scans_registration", "registration_id", "id"),
        Index("ix_scans_event", "event_id", "id"),
        Index("ix_scans_event_gate_time", "event_id", "gate", "scanned_at"),  # a gate's last 15 minutes
        Index("ix_scans_event_offline", "event_id", "offline_result"),  # double admissions while apart
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    code_read: Mapped[str] = mapped_column(String(200))
    result: Mapped[CheckinResult] = mapped_column(enum_column(CheckinResult))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction))
    gate: Mapped[str] = mapped_column(String(200), default="")
    door_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    nonce: Mapped[str | None] = mapped_column(String(100))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undoes_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id"), unique=True)
    # The answer the scanner got, so a retry with the same nonce gets exactly the same one.
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A scan judged on an offline gate and uploaded later: the verdict that gate showed then.
    offline_result: Mapped[CheckinResult | None] = mapped_column(enum_column(CheckinResult), nullable=True)


_scans = Scan.__table__
_undo = aliased(_scans)
STANDING = ~exists().where(_undo.c.undoes_scan_id == _scans.c.id)  # a log row that no undo row takes back


class DoorDataset(db.Model):
    """An event's offline door dataset: the salt its gates' lookups are derived with."""

    __tablename__ = "door_datasets"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DoorKey(db.Model):
    """What a gate derives from one ticket's QR payload and from its short code (checkin/dataset.py):
    the lookup that finds its entry and the key that opens it. Derived once (a slow hash, so it is
    kept), never sent: the dataset carries only the lookups and what the keys encrypt."""

    __tablename__ = "door_keys"
    __table_args__ = (
        UniqueConstraint("event_id", "qr_lookup", name="uq_door_keys_qr_lookup"),
        UniqueConstraint("event_id", "code_lookup", name="uq_door_keys_code_lookup"),
    )

    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    qr_lookup: Mapped[bytes] = mapped_column(LargeBinary(16))
    qr_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    code_lookup: Mapped[bytes] = mapped_column(LargeBinary(16))
    code_key: Mapped[bytes] = mapped_column(LargeBinary(32))


class DoorStaff(db.Model):
    """A person invited by e-mail to check people in at one event: the door role, nothing else.

    The invitation link carries a secret derived from ``invite_nonce`` with the ticket key (only
    its hash is stored, as for tickets); whoever opens it while logged in becomes that door staff
    member, so the address's owner decides which account it is. ``door_role`` is what a door
    link's role is: supervisor (scan, look people up, see the numbers) or steward (scan only).
    """

    __tablename__ = "door_staff"
    __table_args__ = (Index("ix_door_staff_event_user", "event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    invite_nonce: Mapped[bytes] = mapped_column(LargeBinary(16))
    invite_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    door_role: Mapped[DoorTokenRole] = mapped_column(
        enum_column(DoorTokenRole), default=DoorTokenRole.SUPERVISOR, server_default=DoorTokenRole.SUPERVISOR.value
    )

    @property
    def is_active(self) -> bool:
        return self.removed_at is None
