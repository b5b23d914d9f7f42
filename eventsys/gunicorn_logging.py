"""gunicorn's logger without door tokens and ticket secrets: gunicorn.conf.py names it as ``logger_class``."""

from __future__ import annotations

from gunicorn.glogging import Logger

from eventsys.log_redaction import REDACT_SECRETS, redact


class RedactingLogger(Logger):
    """Access lines get every atom redacted (request line, path, query, Referer, headers, whatever the
    format uses); error lines ("Error handling request /door/…") go through the same filter as the app's."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(REDACT_SECRETS)
