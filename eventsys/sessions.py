"""Cookie sessions for the pages; none for the JSON API, which authenticates with bearer tokens."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    """The API never reads or writes a session: skip the cookie's signature check on every call."""

    def open_session(self, app: Flask, request: Request):
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)
