"""Account and token rules, shared by the HTML views, the API and the CLI."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsys.auth.models import ApiToken, DoorTokenRole, TokenKind, User
from eventsys.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from eventsys.database import write_transaction
from eventsys.errors import InvalidCredentials, NotFound, ValidationFailed
from eventsys.extensions import db
from eventsys.timeutil import utcnow

TOKEN_PREFIX = {TokenKind.PERSONAL: "esp_", TokenKind.DOOR: "esd_"}
# A personal token's last use is recorded to this precision, so a busy script costs a write a minute.
LAST_USED_PRECISION = timedelta(minutes=1)


def normalize_email(email: str) -> str:
    """Check the syntax of an address and return it in the form we store (lower case)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": [str(exc)]}) from exc
    return result.normalized.lower()


def password_problems(password: str) -> list[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)]
    if len(password) > 1024:
        return [_("Use at most %(limit)s characters.", limit="1024")]
    return []


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, name: str, password: str) -> User:
    errors: dict[str, list[str]] = {}
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields or {})
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter your name.")]
    if problems := password_problems(password):
        errors["password"] = problems
    if not errors and find_user_by_email(email):
        errors["email"] = [_("An account with this e-mail address already exists.")]
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name[:200], password_hash=hash_password(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same address signed up a moment ago
        db.session.rollback()
        raise ValidationFailed({"email": [_("An account with this e-mail address already exists.")]}) from None
    return user


def authenticate(email: str, password: str) -> User:
    user = find_user_by_email(email or "")
    if not verify_password(user.password_hash if user else None, password or ""):
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed({"current_password": [_("This is not your current password.")]})
    if problems := password_problems(new_password):
        raise ValidationFailed({"new_password": problems})
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    revoke_personal_tokens(user.id)
    db.session.commit()


def revoke_personal_tokens(user_id: int) -> None:
    """End every personal token of the account (in the caller's transaction); door links stay:
    they belong to gates, which a password change must not stop in the middle of an event."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.kind == TokenKind.PERSONAL, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    user: User,
    kind: TokenKind,
    label: str = "",
    event_id: int | None = None,
    door_role: DoorTokenRole = DoorTokenRole.SUPERVISOR,
    offline: bool = True,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its clear text, which is never stored."""
    clear = TOKEN_PREFIX[kind] + secrets.token_urlsafe(32)
    token = ApiToken(
        kind=kind,
        token_hash=_hash_token(clear),
        label=label.strip()[:200],
        user_id=user.id,
        event_id=event_id,
        door_role=door_role,
        offline=offline,
    )
    db.session.add(token)
    db.session.commit()
    return token, clear


@dataclass(frozen=True)
class ActiveToken:
    """A presented token that is valid: who it acts for, read with one small query per request."""

    id: int
    kind: TokenKind
    user_id: int
    event_id: int | None
    label: str
    last_used_at: datetime | None = None
    door_role: DoorTokenRole = DoorTokenRole.SUPERVISOR
    offline: bool = True

    @property
    def user(self) -> User:
        return db.session.get(User, self.user_id)


_tokens = ApiToken.__table__
ACTIVE_TOKEN = select(
    _tokens.c.id,
    _tokens.c.kind,
    _tokens.c.user_id,
    _tokens.c.event_id,
    _tokens.c.label,
    _tokens.c.last_used_at,
    _tokens.c.door_role,
    _tokens.c.offline,
).where(_tokens.c.token_hash == bindparam("token_hash"), _tokens.c.revoked_at.is_(None))
NOTE_USE = (
    update(_tokens)
    .where(
        _tokens.c.id == bindparam("token_id"),
        or_(_tokens.c.last_used_at.is_(None), _tokens.c.last_used_at < bindparam("stale_before")),
    )
    .values(last_used_at=bindparam("now"))
)


def find_active_token(clear: str) -> ActiveToken | None:
    """The token, unless it is unknown or revoked (checked on every request: revoking is immediate)."""
    row = db.session.connection().execute(ACTIVE_TOKEN, {"token_hash": _hash_token(clear)}).first()
    if row is None:
        return None
    return ActiveToken(
        id=row.id,
        kind=TokenKind(row.kind),
        user_id=row.user_id,
        event_id=row.event_id,
        label=row.label,
        last_used_at=row.last_used_at,
        door_role=DoorTokenRole(row.door_role),
        offline=bool(row.offline),
    )


def note_token_use(token: ActiveToken) -> None:
    """Record that a personal token was used, at most once a minute (a write of its own).

    Door tokens are not recorded: they scan on the hot path, and a gate's activity is in the scan log.
    """
    now = utcnow()
    if token.kind != TokenKind.PERSONAL:
        return
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    with write_transaction() as connection:
        connection.execute(NOTE_USE, {"token_id": token.id, "stale_before": now - LAST_USED_PRECISION, "now": now})


def revoke_token(token_id: int) -> None:
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    db.session.commit()


def personal_tokens(user_id: int) -> Select:
    """The account's personal tokens that still work, oldest first."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.kind == TokenKind.PERSONAL, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    )


def get_personal_token(user_id: int, token_id: int) -> ApiToken:
    """One working personal token of the account; anyone else's (or a door token) is not found."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != user_id or token.kind != TokenKind.PERSONAL or not token.is_active:
        raise NotFound(_("No such token."))
    return token


def list_door_tokens(event_id: int) -> Select:
    return (
        select(ApiToken)
        .where(ApiToken.event_id == event_id, ApiToken.kind == TokenKind.DOOR, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    )


def get_door_token(event_id: int, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None  # larger overflows the column
    if token is None or token.event_id != event_id or token.kind != TokenKind.DOOR or not token.is_active:
        raise NotFound(_("No such door token."))
    return token
