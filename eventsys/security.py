"""Response headers that every page and API answer carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from eventsys.errors import DomainError, MalformedRequest, NotFound

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
View = TypeVar("View", bound=Callable)


class FormDataExpected(DomainError):
    status = 415
    code = "unsupported_media_type"
    message = _l("This page takes a form (application/x-www-form-urlencoded or multipart/form-data).")


def json_page(view: View) -> View:
    """Mark a view outside /api that reads a JSON body (the door page's scans); every other page
    takes form data only, so its WTForms never read JSON."""
    view.accepts_json = True
    return view


def _takes_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "accepts_json", False))


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


HSTS = "max-age=31536000"


def register(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if proxies:
        # Behind nginx or a load balancer, the client's address (for rate limits) is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def refuse_bodies_a_page_does_not_read() -> None:
        """A page's form is read from form data alone: JSON (or anything else) sent to it is a 415,
        never handed to Flask-WTF, which would parse it as form data and fail with a 500."""
        if request.method not in BODY_METHODS or request.mimetype in FORM_TYPES or _takes_json():
            return
        if request.content_length or request.headers.get("Transfer-Encoding"):
            raise FormDataExpected()

    @app.before_request
    def refuse_nul_characters() -> None:
        """Nothing stored holds NUL (PostgreSQL text cannot): refuse it up front, not with a 500."""
        if any(isinstance(value, str) and "\x00" in value for value in (request.view_args or {}).values()):
            raise NotFound()
        sent = request.args.items(multi=True)
        if request.method == "POST" and request.mimetype in FORM_TYPES:
            request.get_data(cache=True)  # keep the raw body readable after the form is parsed
            sent = [*sent, *request.form.items(multi=True)]
        if any("\x00" in key or "\x00" in value for key, value in sent):
            raise MalformedRequest(_("The request contains a NUL character, which no field accepts."))

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if current_app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS: browsers must keep to it
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
