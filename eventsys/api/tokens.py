"""Personal API tokens: POST /tokens with e-mail and password, DELETE /tokens/current."""

from __future__ import annotations

from eventsys.api import api_bp
from eventsys.api.auth import Unauthorized, caller
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.auth.models import TokenKind
from eventsys.auth.services import authenticate, issue_token, revoke_token
from eventsys.auth.throttle import login_limits

TOKEN_REQUEST = {
    "email": Field(str, required=True),
    "password": Field(str, required=True),
    "label": Field(str, nullable=True),
}


@api_bp.post("/tokens")
@login_limits
def create_token():
    values = read_fields(json_body(), TOKEN_REQUEST)
    user = authenticate(values["email"], values["password"])
    token, clear = issue_token(user, TokenKind.PERSONAL, values.get("label") or "API token")
    return {"token": clear, "label": token.label, "user": {"email": user.email, "name": user.name}}, 201


@api_bp.delete("/tokens/current")
def revoke_current_token():
    token = caller().token
    if token is None:
        raise Unauthorized()
    revoke_token(token.id)
    return "", 204
