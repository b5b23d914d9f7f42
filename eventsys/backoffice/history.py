"""A registration's history, oldest first: its recorded changes, its mail and its scans.

Changes are written where they happen (registration services); mail and scans are read from the
outbox and the scan log, which already hold when and by whom, so nothing is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from eventsys.auth.models import User
from eventsys.checkin.models import CheckinResult, Direction, Scan
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage, OutboxStatus
from eventsys.registration.models import Registration, RegistrationChange
from eventsys.timeutil import isoformat


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str  # the contract's names: registered, confirmed, ..., mail_sent, checked_in, ...
    by: str | None = None  # the acting user's e-mail, or the gate
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self, tz: str) -> dict[str, Any]:
        body: dict[str, Any] = {"at": isoformat(self.at, tz), "what": self.what}
        if self.by:
            body["by"] = self.by
        if self.detail:
            body["detail"] = self.detail
        return body


def history_of(registration: Registration) -> list[HistoryEntry]:
    entries = _changes(registration.id) + _mail(registration.id) + _scans(registration.id)
    return sorted(entries, key=lambda entry: entry.at)  # stable: each source is in its own order


def _changes(registration_id: int) -> list[HistoryEntry]:
    rows = db.session.execute(
        select(RegistrationChange, User.email)
        .outerjoin(User, User.id == RegistrationChange.by_user_id)
        .where(RegistrationChange.registration_id == registration_id)
        .order_by(RegistrationChange.id)
    ).all()
    return [HistoryEntry(change.at, change.what.value, email, dict(change.detail or {})) for change, email in rows]


def _mail(registration_id: int) -> list[HistoryEntry]:
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.registration_id == registration_id,
            OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
        )
        .order_by(OutboxMessage.id)
    ).all()
    entries = []
    for message in messages:
        if message.status == OutboxStatus.SENT:
            at = message.sent_at or message.created_at
            entries.append(HistoryEntry(at, "mail_sent", None, _mail_detail(message)))
        else:
            detail = {**_mail_detail(message), "error": message.last_error}
            entries.append(HistoryEntry(message.claimed_at or message.created_at, "mail_failed", None, detail))
    return entries


def _mail_detail(message: OutboxMessage) -> dict[str, Any]:
    return {"message": message.kind.value, "to": message.to_address}


SCAN_WHAT = {
    (CheckinResult.OK, Direction.IN): "checked_in",
    (CheckinResult.OK, Direction.OUT): "checked_out",
    (CheckinResult.UNDO, Direction.IN): "checkin_undone",
    (CheckinResult.UNDO, Direction.OUT): "checkin_undone",
}


def _scans(registration_id: int) -> list[HistoryEntry]:
    scanner = aliased(User)
    rows = db.session.execute(
        select(Scan, scanner.email)
        .outerjoin(scanner, scanner.id == Scan.user_id)
        .where(Scan.registration_id == registration_id, Scan.result.in_([CheckinResult.OK, CheckinResult.UNDO]))
        .order_by(Scan.id)
    ).all()
    return [
        HistoryEntry(
            scan.scanned_at if scan.result == CheckinResult.OK else scan.recorded_at,
            SCAN_WHAT[(scan.result, scan.direction)],
            email or scan.gate or None,
            {"gate": scan.gate},
        )
        for scan, email in rows
    ]
