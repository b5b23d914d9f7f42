"""Password reset by e-mail: a link that works once, within an hour, and ends every other login.

Asking for a reset answers the same whether or not the address has an account (the view shows one
page either way, and only an account gets mail). The link's secret is derived from a nonce under
TICKET_KEY and stored only as a hash; the mail is rendered from the row when it is sent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from eventsys.auth.models import PasswordReset, User
from eventsys.auth.passwords import hash_password
from eventsys.auth.services import find_user_by_email, normalize_email, password_problems, revoke_personal_tokens
from eventsys.errors import ResetLinkInvalid, ValidationFailed
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE
from eventsys.mail.models import MailKind
from eventsys.mail.outbox import queue_mail
from eventsys.registration import tickets
from eventsys.timeutil import utcnow

LINK_LIFETIME = timedelta(hours=1)
SECRET_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def request_password_reset(email: str, language: str = DEFAULT_LANGUAGE) -> None:
    """Mail a reset link to the account with this address, if there is one; else do nothing. The mail
    speaks ``language`` (the page's where it was asked for)."""
    user = find_user_by_email(normalize_email(email or ""))
    if user is None:
        return
    nonce = tickets.new_nonce()
    now = utcnow()
    reset = PasswordReset(
        user_id=user.id,
        nonce=nonce,
        secret_hash=tickets.secret_hash(tickets.password_reset_secret(tickets.ticket_key(), nonce)),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    db.session.add(reset)
    db.session.flush()
    queue_mail(db.session, MailKind.PASSWORD_RESET, user.email, password_reset_id=reset.id, locale=language)
    db.session.commit()


def find_usable_reset(secret: str) -> PasswordReset:
    """The reset a link stands for, while it still works."""
    secret = (secret or "").strip().upper()
    if len(secret) != tickets.SECRET_LENGTH or not set(secret) <= SECRET_ALPHABET:
        raise ResetLinkInvalid()
    reset = db.session.query(PasswordReset).filter_by(secret_hash=tickets.secret_hash(secret)).one_or_none()
    if reset is None or not reset.is_usable(utcnow()):
        raise ResetLinkInvalid()
    return reset


def reset_password(secret: str, new_password: str) -> User:
    """Set a new password through a reset link, once: every session, remembered login and personal
    token of the account ends, and the account's other reset links stop working."""
    reset = find_usable_reset(secret)
    if problems := password_problems(new_password or ""):
        raise ValidationFailed({"new_password": problems})
    user = reset.user
    user.password_hash = hash_password(new_password)  # slow on purpose: before the write lock is taken
    user.session_version += 1
    db.session.flush()  # begins the write transaction
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # the same link, used a moment ago in another request
        db.session.rollback()
        raise ResetLinkInvalid()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    revoke_personal_tokens(user.id)
    db.session.commit()
    return user
