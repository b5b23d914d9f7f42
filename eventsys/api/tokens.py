"""Personal API tokens: created with e-mail and password, listed and revoked by their owner."""

from __future__ import annotations

from eventsys.api import api_bp
from eventsys.api.auth import Unauthorized, caller
from eventsys.api.pagination import paginate
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.api.serializers import personal_token_json
from eventsys.auth.models import TokenKind
from eventsys.auth.services import authenticate, get_personal_token, issue_token, personal_tokens, revoke_token
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


@api_bp.get("/tokens")
def list_tokens():
    """The caller's personal tokens that still work (door tokens are listed per event)."""
    user = caller().require_organizer()
    current_id = caller().token.id
    return paginate(personal_tokens(user.id), lambda token: personal_token_json(token, current_id))


@api_bp.delete("/tokens/<int:token_id>")
def revoke_personal_token(token_id: int):
    user = caller().require_organizer()
    revoke_token(get_personal_token(user.id, token_id).id)
    return "", 204
