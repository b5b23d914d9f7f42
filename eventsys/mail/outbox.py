"""Writing to the outbox: the one way any part of eventsys sends mail.

A message is a row written inside the transaction of the change that causes it (so a
registration and its ticket mail commit or roll back together), holding what to render and to
whom, never a secret. Once that transaction commits, this process's sender is woken.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, Select, func, insert, literal, select
from sqlalchemy.orm import Session, scoped_session

from eventsys.database import after_commit
from eventsys.mail.models import MailKind, OutboxMessage, OutboxStatus
from eventsys.timeutil import UTCDateTime, utcnow

INSERT_MAIL = insert(OutboxMessage.__table__)  # built once: registering is a hot path

_mail_waiting = threading.Event()


def queue_mail(
    target: Connection | Session | scoped_session,
    kind: MailKind,
    to: str | None,
    *,
    event_id: int | None = None,
    registration_id: int | None = None,
    door_staff_id: int | None = None,
    password_reset_id: int | None = None,
    club_member_id: int | None = None,
    locale: str | None = None,
) -> None:
    """Queue one message in the transaction of ``target``; the sender is woken once it commits.

    ``target`` is a write_transaction() connection (the hot paths: one Core insert) or the ORM
    session, where the row is flushed with the session's other changes, in their transaction.
    No address (someone an organizer added by hand without one): nothing is queued. ``locale``: the
    language (``en``, ``zh-CN``) of a mail to an account, as the page that asked for it spoke.
    """
    if not to:
        return
    now = utcnow()
    row = {
        "kind": kind,
        "event_id": event_id,
        "registration_id": registration_id,
        "door_staff_id": door_staff_id,
        "password_reset_id": password_reset_id,
        "club_member_id": club_member_id,
        "to_address": to,
        "locale": locale,
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }
    if isinstance(target, Connection):
        target.execute(INSERT_MAIL, row)
    else:
        target.add(OutboxMessage(**row))
    after_commit(target, wake_sender)


def _queue_from_select(
    target: Connection | Session | scoped_session, rows: Select, kind: MailKind, link: str, values: dict[str, Any]
) -> None:
    """One outbox row for each row ``rows`` selects (its ``id``, put in column ``link``, and its
    ``email``), with the fixed column ``values``, in one INSERT … SELECT in the transaction of
    ``target``: 10,000 rows take one statement, not 10,000."""
    now = literal(utcnow(), UTCDateTime)
    selected = rows.subquery()
    fixed = {"kind": kind.value, **values, "status": OutboxStatus.QUEUED.value, "attempts": 0, "last_error": ""}
    table = OutboxMessage.__table__
    columns = [*fixed, link, "to_address", "next_attempt_at", "created_at"]
    # A None is typed by its column (PostgreSQL cannot guess the type of a bare NULL in a SELECT).
    constants = [literal(v) if v is not None else literal(None, table.c[name].type) for name, v in fixed.items()]
    source = select(*constants, selected.c.id, selected.c.email, now, now)
    target.execute(insert(table).from_select(columns, source))
    after_commit(target, wake_sender)


def queue_mail_to_many(session: Session | scoped_session, recipients: Select, *, event_id: int, message_id: int) -> int:
    """Queue an organizer's message to each registration ``recipients`` selects (its ``id`` and
    ``email`` columns), in the session's transaction. Returns how many were queued."""
    values = {"event_id": event_id, "message_id": message_id}
    _queue_from_select(session, recipients, MailKind.MESSAGE, "registration_id", values)
    # Counted, not the insert's rowcount, which some drivers leave at -1 for INSERT … SELECT.
    return session.scalar(select(func.count()).where(OutboxMessage.message_id == message_id))


def wake_sender() -> None:
    """Ask this process's sender to look at the outbox now."""
    _mail_waiting.set()


def wait_for_mail(timeout: float) -> None:
    """Block the sender until mail was queued or ``timeout`` seconds passed."""
    _mail_waiting.wait(timeout)
    _mail_waiting.clear()


def queue_invitation_mails(
    target: Connection | Session | scoped_session, invitations: Select, *, event_id: int, locale: str | None
) -> None:
    """Queue the personal registration link to each invitation ``invitations`` selects (its ``id``
    and ``email`` columns), in the transaction of ``target``; written in ``locale``, the language
    of the organizer's page (invitees have none of their own yet)."""
    values = {"event_id": event_id, "locale": locale}
    _queue_from_select(target, invitations, MailKind.INVITATION, "invitation_id", values)
