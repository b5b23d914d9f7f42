"""Bearer tokens on every API request: who is calling, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.api import api_bp
from eventsys.auth.models import TokenKind, User
from eventsys.auth.services import ActiveToken, find_active_token, note_token_use
from eventsys.errors import DomainError, Forbidden


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    message = _l("Send a valid token: Authorization: Bearer <token>.")


@dataclass(frozen=True)
class Caller:
    """Who is calling: nobody, an organizer (personal token), or a gate (door token)."""

    token: ActiveToken | None = None

    @property
    def user(self) -> User | None:
        """The organizer acting, for personal tokens only: a door token has no organizer rights."""
        if self.token is not None and self.token.kind == TokenKind.PERSONAL:
            return self.token.user
        return None

    @property
    def is_door(self) -> bool:
        return self.token is not None and self.token.kind == TokenKind.DOOR

    def require_organizer(self) -> User:
        if self.token is None:
            raise Unauthorized()
        if self.user is None:
            raise Forbidden(_("A door token can only check people in at its event."))
        return self.user


def caller() -> Caller:
    return g.caller


@api_bp.before_request
def identify_caller() -> None:
    """A presented token must be valid, even where none is needed (contract: 401)."""
    header = request.headers.get("Authorization")
    if header is None:
        g.caller = Caller()
        return
    scheme, _space, value = header.partition(" ")
    token = find_active_token(value.strip()) if scheme.lower() == "bearer" and value.strip() else None
    if token is None:
        raise Unauthorized(_("The token is unknown or revoked."))
    note_token_use(token)
    g.caller = Caller(token)
