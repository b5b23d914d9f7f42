"""Door tokens and ticket secrets travel in URLs: keep them out of every log line.

A door link is ``/door/<token>``, an attendee's ticket ``/t/<secret>`` (and ``/t/<secret>/qr.png``,
``…/qr.svg``, ``…/event.ics``, ``…/cancel``), a door-staff invitation ``/door-invite/<secret>``, a
club team invitation ``/join/<secret>`` (and ``/api/v1/join/<secret>``), a password reset
``/password/reset/<secret>``. Such a path also turns up in a query
(``/login?next=%2Fdoor-invite%2F…``) and in the Referer of the next request. Whoever reads the
access log or the error log could use any of them, so log lines carry ``/door/<redacted>``
instead. The same ``redact()`` serves gunicorn's log (``eventsys.gunicorn_logging``) and the
app's and werkzeug's loggers (``install``).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

REDACTED = "<redacted>"

# A path that starts right there: at the start, after a space, quote, "=", "&" or "?", or after the
# host of an absolute URL (plain or percent-encoded), so that /events/<slug>/door/state stays as it is.
_SLASH = "(?:/|%2[Ff])"
_PATH_START = r"""(?P<start>^|[\s"'=&?]|//[^/\s"'?#]*|%2[Ff]%2[Ff](?:(?!%2[Ff])[^\s"'&])*)"""
# The segments before the secret, for each route with one (routes are case-sensitive).
_SECRET_ROUTE = (
    f"(?P<route>{_SLASH}(?:door|t|door-invite|join|api{_SLASH}v1{_SLASH}join|password{_SLASH}reset){_SLASH})"
)
_SECRET = r"""(?:(?!%2[Ff])[^/\s"'?#&])+"""
SECRET_IN_URL = re.compile(_PATH_START + _SECRET_ROUTE + _SECRET)
# An invitee's personal link is the event page with ``?invitation=<secret>`` (also percent-encoded).
_QUERY_START = r"(?:(?<=[?&;])|(?<=%3[Ff])|(?<=%26))"
INVITATION_IN_QUERY = re.compile(_QUERY_START + r"""(?P<key>invitation(?:=|%3[Dd]))(?:(?!%26)[^&\s"'#])+""")


def redact(text: str) -> str:
    """``text`` with the secret segment of every door, ticket and invitation path replaced."""
    if "invitation" in text:
        text = INVITATION_IN_QUERY.sub(lambda match: match["key"] + REDACTED, text)
    if not (
        "/t" in text or "/door" in text or "/join" in text or "/password" in text or "%2F" in text or "%2f" in text
    ):
        return text  # no match can be in it: most values (user agents, API paths) are passed over at once
    return SECRET_IN_URL.sub(lambda match: match["start"] + match["route"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (and traceback) without the secrets in it, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


REDACT_SECRETS = RedactSecrets()


def install(app: Flask) -> None:
    """Redact the app's own log (an error names the request's path) and the development server's request log."""
    for logger in (app.logger, logging.getLogger("werkzeug")):
        logger.addFilter(REDACT_SECRETS)  # once: a logger keeps a filter only once
