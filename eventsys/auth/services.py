"""Account and token rules, shared by the HTML views, the API and the CLI."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from eventsys.auth.models import ApiToken, TokenKind, User
from eventsys.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from eventsys.errors import InvalidCredentials, NotFound, ValidationFailed
from eventsys.extensions import db
from eventsys.timeutil import utcnow

TOKEN_PREFIX = {TokenKind.PERSONAL: "esp_", TokenKind.DOOR: "esd_"}


def normalize_email(email: str) -> str:
    """Check the syntax of an address and return it in the form we store (lower case)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": [str(exc)]}) from exc
    return result.normalized.lower()


def password_problems(password: str) -> list[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > 1024:
        return ["Use at most 1024 characters."]
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
        errors["name"] = ["Enter your name."]
    if problems := password_problems(password):
        errors["password"] = problems
    if not errors and find_user_by_email(email):
        errors["email"] = ["An account with this e-mail address already exists."]
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name[:200], password_hash=hash_password(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same address signed up a moment ago
        db.session.rollback()
        raise ValidationFailed({"email": ["An account with this e-mail address already exists."]}) from None
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
        raise ValidationFailed({"current_password": ["This is not your current password."]})
    if problems := password_problems(new_password):
        raise ValidationFailed({"new_password": problems})
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    db.session.commit()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, kind: TokenKind, label: str = "", event_id: int | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its clear text, which is never stored."""
    clear = TOKEN_PREFIX[kind] + secrets.token_urlsafe(32)
    token = ApiToken(
        kind=kind,
        token_hash=_hash_token(clear),
        label=label.strip()[:200],
        user_id=user.id,
        event_id=event_id,
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

    @property
    def user(self) -> User:
        return db.session.get(User, self.user_id)


_tokens = ApiToken.__table__
ACTIVE_TOKEN = select(_tokens.c.id, _tokens.c.kind, _tokens.c.user_id, _tokens.c.event_id, _tokens.c.label).where(
    _tokens.c.token_hash == bindparam("token_hash"), _tokens.c.revoked_at.is_(None)
)


def find_active_token(clear: str) -> ActiveToken | None:
    """The token, unless it is unknown or revoked (checked on every request: revoking is immediate)."""
    row = db.session.connection().execute(ACTIVE_TOKEN, {"token_hash": _hash_token(clear)}).first()
    return ActiveToken(row.id, TokenKind(row.kind), row.user_id, row.event_id, row.label) if row else None


def revoke_token(token_id: int) -> None:
    db.session.execute(
        update(ApiToken).where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    db.session.commit()


def list_door_tokens(event_id: int):
    return (
        select(ApiToken)
        .where(ApiToken.event_id == event_id, ApiToken.kind == TokenKind.DOOR, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    )


def get_door_token(event_id: int, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None  # larger overflows the column
    if token is None or token.event_id != event_id or token.kind != TokenKind.DOOR or not token.is_active:
        raise NotFound("No such door token.")
    return token
