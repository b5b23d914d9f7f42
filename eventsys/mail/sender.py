"""Draining the outbox: a background thread in each app process, and `flask send-mail`.

Several workers may drain one outbox: a message is claimed by a conditional UPDATE before it is
sent, so it goes out once. A failed attempt is retried with backoff; nothing is dropped. With
no MAIL_SERVER the messages stay queued, and organizers see them on the event's outbox page.
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
from sqlalchemy import or_, select, update

from eventsys.extensions import db
from eventsys.mail.messages import build_email, is_obsolete
from eventsys.mail.models import OutboxMessage, OutboxStatus
from eventsys.timeutil import utcnow

log = logging.getLogger(__name__)

POLL_SECONDS = 15
STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
BATCH = 50

_wake = threading.Event()
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


def _claim(message_id: int) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                OutboxMessage.status == OutboxStatus.QUEUED,
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _retry_later(message: OutboxMessage, error: str) -> None:
    message.attempts += 1
    message.status = OutboxStatus.QUEUED
    message.last_error = error[:2000]
    message.next_attempt_at = utcnow() + backoff(message.attempts)
    db.session.commit()


def send_due(force: bool = False) -> SendReport:
    """Send what is due (everything queued when ``force``); returns what happened."""
    report = SendReport()
    if not current_app.config.get("MAIL_SERVER"):
        return report
    smtp: smtplib.SMTP | None = None
    try:
        while ids := _due_ids(force):
            for message_id in ids:
                if not _claim(message_id):  # another worker has it
                    continue
                message = db.session.get(OutboxMessage, message_id)
                if is_obsolete(message):
                    message.status, message.sent_at = OutboxStatus.SKIPPED, utcnow()
                    db.session.commit()
                    report.skipped += 1
                    continue
                try:
                    smtp = smtp or _connect()
                    smtp.send_message(build_email(message))
                except smtplib.SMTPRecipientsRefused as exc:
                    message.status, message.last_error = OutboxStatus.FAILED, f"refused: {exc.recipients}"[:2000]
                    message.attempts += 1
                    db.session.commit()
                    report.failed += 1
                except (OSError, smtplib.SMTPException) as exc:
                    _retry_later(message, f"{type(exc).__name__}: {exc}")
                    report.retrying += 1
                    smtp = _close(smtp)
                    if not force:
                        return report  # the server is unwell: leave the rest for the next round
                else:
                    message.status, message.sent_at, message.attempts = (
                        OutboxStatus.SENT,
                        utcnow(),
                        message.attempts + 1,
                    )
                    message.last_error = ""
                    db.session.commit()
                    report.sent += 1
            if force and report.retrying:
                break
    finally:
        _close(smtp)
    return report


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()


def wake() -> None:
    """Ask this process's sender to look at the outbox now (after a commit that queued mail)."""
    _wake.set()


def _run(app: Flask) -> None:
    while True:
        _wake.wait(POLL_SECONDS)
        _wake.clear()
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
