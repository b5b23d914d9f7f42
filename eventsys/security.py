"""Response headers that every page and API answer carries."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from eventsys.errors import MalformedRequest, NotFound

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


def register(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if proxies:
        # Behind nginx or a load balancer, the client's address (for rate limits) is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

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
            raise MalformedRequest("The request contains a NUL character, which no field accepts.")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
