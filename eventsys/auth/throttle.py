"""Rate limits on guessing passwords and on password-reset mail, one rule for the pages and the API.

Each limit is a Flask-Limiter *shared* limit: the login page and ``POST /api/v1/tokens`` count
into the same buckets, so trying passwords on one account through both still meets one limit.
The account's bucket is keyed by the e-mail address sent (lower case), whatever the client's
address, so guesses spread over many addresses are still counted together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request

from eventsys.extensions import client_address, limiter
from eventsys.security import FORM_TYPES


def submitted_email() -> str:
    """The e-mail address a login or reset request names, from its form or JSON body ('-' if none)."""
    if request.mimetype in FORM_TYPES:
        email: Any = request.form.get("email")
    else:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # deeply nested JSON: the endpoint answers it with a 400
            data = None
        email = data.get("email") if isinstance(data, dict) else None
    return email.strip().lower()[:254] if isinstance(email, str) and email.strip() else "-"


def _account_key() -> str:
    return "account:" + submitted_email()


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _per_address_and_account(scope: str, per_address: str, per_account: str) -> Callable[[Callable], Callable]:
    """Two shared limits on a view's POSTs, named by their config settings: per client address and per account."""

    def decorate(view: Callable) -> Callable:
        view = limiter.shared_limit(
            _config(per_account), scope=f"{scope}-account", key_func=_account_key, methods=["POST"]
        )(view)
        return limiter.shared_limit(
            _config(per_address), scope=f"{scope}-address", key_func=client_address, methods=["POST"]
        )(view)

    return decorate


# Password attempts (the login page and token creation count together).
login_limits = _per_address_and_account("login", "LOGIN_RATE_LIMIT", "ACCOUNT_RATE_LIMIT")
# Password-reset requests, so nobody can flood an inbox.
reset_request_limits = _per_address_and_account("reset", "RESET_RATE_LIMIT", "RESET_ACCOUNT_RATE_LIMIT")
