"""Queueing reminders: the ticket again ``reminder_hours_before`` an event's start, once each.

Once means a row, not a flag read then written: the outbox holds at most one reminder per
registration (a partial unique index), and one INSERT … SELECT writes every reminder that is due
with ON CONFLICT DO NOTHING, so any number of senders (each app process's thread, `flask
send-mail`) can run it at the same moment. The time is read from the event when the reminder is
queued, so an event that was moved sends its reminders by its new start.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Insert, and_, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.database import write_transaction
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import MAX_REMINDER_HOURS
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage, OutboxStatus
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.timeutil import utcnow

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def reminder_is_due(event: Event, now: datetime) -> bool:
    """From ``reminder_hours_before`` the start until the start; never when it is off."""
    hours = event.reminder_hours_before
    return hours is not None and event.starts_at - timedelta(hours=hours) <= now < event.starts_at


def _due_event_ids(now: datetime) -> list[int]:
    """Published events whose reminder time has come and that have not started yet."""
    candidates = db.session.scalars(
        select(Event).where(
            Event.status == EventStatus.PUBLISHED,
            Event.reminder_hours_before.is_not(None),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(hours=MAX_REMINDER_HOURS),
        )
    )
    return [event.id for event in candidates if reminder_is_due(event, now)]


def _missing_reminders(event_ids: list[int], now: datetime):
    """Each confirmed registration of those events with an address and no reminder yet, as outbox rows."""
    already = exists().where(
        OutboxMessage.registration_id == Registration.id, OutboxMessage.kind == MailKind.REMINDER
    )
    return select(
        literal(MailKind.REMINDER.value).label("kind"),
        Registration.event_id,
        Registration.id,
        Registration.email,
        literal(OutboxStatus.QUEUED.value).label("status"),
        literal(0).label("attempts"),
        literal(now, OutboxMessage.next_attempt_at.type).label("next_attempt_at"),
        literal("").label("last_error"),
        literal(now, OutboxMessage.created_at.type).label("created_at"),
    ).where(
        Registration.event_id.in_(event_ids),
        Registration.status == RegistrationStatus.CONFIRMED,
        and_(Registration.email.is_not(None), Registration.email != ""),
        ~already,
    )


def _insert_reminders(dialect: str, rows) -> Insert:
    columns = ["kind", "event_id", "registration_id", "to_address", "status", "attempts"]
    columns += ["next_attempt_at", "last_error", "created_at"]
    statement = _INSERTS[dialect](OutboxMessage.__table__).from_select(columns, rows)
    return statement.on_conflict_do_nothing().returning(OutboxMessage.id)


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due and not queued yet; returns how many this call wrote.

    The reads that find the due events, and whether any reminder is missing, take no lock; the
    write (on SQLite, under its write lock) happens only when there is something to write.
    """
    now = now or utcnow()
    event_ids = _due_event_ids(now)
    if not event_ids:
        return 0
    rows = _missing_reminders(event_ids, now)
    if db.session.scalar(select(rows.exists())) is not True:
        return 0
    with write_transaction() as connection:
        return len(connection.execute(_insert_reminders(connection.dialect.name, rows)).all())
