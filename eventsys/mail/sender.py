"""Draining the outbox: a background thread in each app process, and `flask send-mail`.

Several workers may drain one outbox: a message is claimed by a conditional UPDATE before it is
sent, so it goes out once. A failed attempt is retried with backoff; nothing is dropped. With
no MAIL_SERVER the messages stay queued, and organizers see them on the event's outbox page.

A batch of due messages is read with all that rendering them needs in a few queries
(messages.load_batch); each message's claim and outcome is then written and committed on its own,
in a short write transaction of its own (write_transaction), which leaves the batch the session
holds as it was read, so nothing is loaded again message by message. So a crash loses nothing and
sends again at most the one message that was sent but not yet recorded, as before batching.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import bindparam, or_, select, update

from eventsys.database import write_transaction
from eventsys.extensions import db
from eventsys.mail.messages import build_email, is_obsolete, load_batch
from eventsys.mail.models import OutboxMessage, OutboxStatus
from eventsys.mail.outbox import wait_for_mail
from eventsys.mail.reminders import queue_due_reminders
from eventsys.timeutil import utcnow

log = logging.getLogger(__name__)

POLL_SECONDS = 15
STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
MAX_MESSAGE_ATTEMPTS = 5  # a message that cannot be built or sent fails for good after 5 tries
BATCH = 50

_started_in_pid: int | None = None
_start_lock = threading.Lock()


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.skipped

    def count(self, status: OutboxStatus) -> None:
        """Count a failed attempt by where it left the message."""
        if status == OutboxStatus.FAILED:
            self.failed += 1
        else:
            self.retrying += 1


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … at most an hour between attempts."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due_ids(force: bool) -> list[int]:
    now = utcnow()
    queued = OutboxMessage.status == OutboxStatus.QUEUED
    if not force:
        queued = queued & (OutboxMessage.next_attempt_at <= now)
    stale = (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM)
    query = select(OutboxMessage.id).where(or_(queued, stale)).order_by(OutboxMessage.id).limit(BATCH)
    return list(db.session.scalars(query))


# The claim and the outcome of every message: Core statements built once (the ORM's update
# took twice as long as the write itself).
_OUTBOX = OutboxMessage.__table__
CLAIM = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("row_id"),
        or_(
            _OUTBOX.c.status == OutboxStatus.QUEUED,
            (_OUTBOX.c.status == OutboxStatus.SENDING) & (_OUTBOX.c.claimed_at < bindparam("stale_before")),
        ),
    )
    .values(status=OutboxStatus.SENDING, claimed_at=bindparam("now"))
)
FINISH = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=bindparam("outcome"),
        last_error=bindparam("error"),
        attempts=_OUTBOX.c.attempts + bindparam("attempted"),
        sent_at=bindparam("done_at"),
    )
)


def _claim(message_id: int) -> bool:
    """Take one message for this worker, unless another has it (and its claim is not stale)."""
    now = utcnow()
    with write_transaction() as connection:
        claimed = connection.execute(CLAIM, {"row_id": message_id, "now": now, "stale_before": now - STALE_CLAIM})
        return bool(claimed.rowcount)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _retry_later(message_id: int, error: str, give_up: bool = False) -> OutboxStatus:
    """Record a failed attempt: queued again after a backoff; failed for good when ``give_up`` and
    the message has failed MAX_MESSAGE_ATTEMPTS times (an unreachable server is retried forever)."""
    db.session.rollback()  # whatever went wrong may have left the session's transaction unusable
    message = db.session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.last_error = error[:2000]
    if give_up and message.attempts >= MAX_MESSAGE_ATTEMPTS:
        message.status = OutboxStatus.FAILED
    else:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = utcnow() + backoff(message.attempts)
    db.session.commit()
    return message.status


def _finish(message_id: int, status: OutboxStatus, error: str = "") -> None:
    done = status in (OutboxStatus.SENT, OutboxStatus.SKIPPED)
    values = {
        "row_id": message_id,
        "outcome": status,
        "error": error[:2000],
        "attempted": int(status != OutboxStatus.SKIPPED),
        "done_at": utcnow() if done else None,
    }
    with write_transaction() as connection:
        connection.execute(FINISH, values)


class _ServerUnwell(Exception):
    """The SMTP server failed us: stop this round, keep the rest for the next."""


def _send_one(message: OutboxMessage, smtp: _Connection, report: SendReport) -> None:
    """Send one claimed message and record the outcome; only a failing SMTP server escapes."""
    message_id = message.id
    try:
        if is_obsolete(message):
            _finish(message_id, OutboxStatus.SKIPPED)
            report.skipped += 1
            return
        email = build_email(message)
    except Exception as exc:  # one message that cannot be rendered must not block the others
        log.exception("outbox message %s could not be built", message_id)
        report.count(_retry_later(message_id, f"could not be built: {type(exc).__name__}: {exc}", give_up=True))
        return
    try:
        smtp.get().send_message(email)
    except smtplib.SMTPRecipientsRefused as exc:
        _finish(message_id, OutboxStatus.FAILED, f"refused: {exc.recipients}")
        report.failed += 1
    except (OSError, smtplib.SMTPException) as exc:
        report.count(_retry_later(message_id, f"{type(exc).__name__}: {exc}"))
        smtp.close()
        raise _ServerUnwell() from exc
    except Exception as exc:  # e.g. a header the library refuses: this message's problem alone
        log.exception("outbox message %s could not be sent", message_id)
        report.count(_retry_later(message_id, f"could not be sent: {type(exc).__name__}: {exc}", give_up=True))
        smtp.close()
    else:
        _finish(message_id, OutboxStatus.SENT)
        report.sent += 1


class _Connection:
    """The SMTP connection of one round, opened when the first message needs it."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        self._smtp = self._smtp or _connect()
        return self._smtp

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
        self._smtp = None


def send_due(force: bool = False) -> SendReport:
    """Send what is due (everything queued when ``force``); returns what happened.

    Reminders that have come due are queued first (queue_due_reminders: once each, whoever else
    is sending). A message that cannot be built or sent is recorded as retrying or failed, with
    its reason, and the round goes on; a failing SMTP server ends the round (unless ``force``).
    Every message of the round goes over one SMTP connection, opened again only after an error.
    """
    report = SendReport()
    if not current_app.config.get("MAIL_SERVER"):
        return report
    queue_due_reminders()
    smtp = _Connection()
    handled: set[int] = set()
    try:
        while ids := [i for i in _due_ids(force) if i not in handled]:
            handled.update(ids)
            if not _send_batch(ids, smtp, report, force):
                break
            if force and report.retrying:
                break
    finally:
        smtp.close()
    db.session.commit()  # ends the round's reads: what the caller holds is read afresh
    return report


def _send_batch(ids: list[int], smtp: _Connection, report: SendReport, force: bool) -> bool:
    """Claim, send and record each of ``ids`` in turn; False when a failing server ends the round."""
    db.session.commit()  # a fresh read: rows an earlier batch loaded may have changed since
    for message in load_batch(ids):
        if not _claim(message.id):  # another worker has it
            continue
        try:
            _send_one(message, smtp, report)
        except _ServerUnwell:
            if not force:
                return False
    return True


def _run(app: Flask) -> None:
    while True:
        wait_for_mail(POLL_SECONDS)
        try:
            with app.app_context():
                send_due()
        except Exception:  # the sender must outlive any one bad round
            log.exception("mail sender round failed")


def ensure_background_sender(app: Flask) -> None:
    """Start the sender thread once per process (after a fork, the child starts its own)."""
    global _started_in_pid
    if _started_in_pid == os.getpid():
        return
    with _start_lock:
        if _started_in_pid == os.getpid():
            return
        _started_in_pid = os.getpid()
        threading.Thread(target=_run, args=(app,), name="mail-sender", daemon=True).start()


def install(app: Flask) -> None:
    if not app.config.get("MAIL_SENDER_THREAD", True) or app.testing:
        return

    @app.before_request
    def _start_sender() -> None:
        ensure_background_sender(app)
