"""Settings read from the environment, as the public contract lists them."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_secret_key(instance_path: str, filename: str = "secret_key") -> str:
    """Return a key kept in the instance folder, creating it on first use.

    Sessions and tickets must survive a restart, so a key generated at start-up is written
    once and reused; it never lives in the repository.
    """
    path = Path(instance_path) / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
    except FileExistsError:  # another worker won the race
        pass
    return path.read_text().strip()


WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]"}


def served_url(env: Mapping[str, str]) -> str:
    """The address `make run` (and gunicorn.conf.py) serves on: ``HOST`` and ``PORT``, as links use it.

    A server listening on every interface is reached at 127.0.0.1 from this machine; to hand out
    links that work from elsewhere, set PUBLIC_BASE_URL.
    """
    host = env.get("HOST") or "127.0.0.1"
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{env.get('PORT') or 5000}"


def settings_from_environment(instance_path: str) -> dict:
    env = os.environ
    database_url = env.get("DATABASE_URL") or "sqlite:///" + str(Path(instance_path) / "eventsys.db")
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or instance_secret_key(instance_path),
        # Tickets (QR codes, manage links) are derived from this key: keep it when rotating SECRET_KEY,
        # and give every instance behind a load balancer the same one.
        "TICKET_KEY": env.get("TICKET_KEY") or instance_secret_key(instance_path, "ticket_key"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or served_url(env)).rstrip("/"),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or "eventsys <noreply@localhost>",
        # Rate limits count for the whole server: in a SQLite file of their own that every worker on
        # this machine shares, unless pointed at storage every machine shares (db+postgresql+psycopg://…,
        # redis://…). See eventsys/ratelimit_storage.py.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI")
        or "db+sqlite:///" + str(Path(instance_path) / "ratelimits.db"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "TRUSTED_PROXY_COUNT": int(env.get("TRUSTED_PROXY_COUNT") or 0),
        "MAIL_SENDER_THREAD": _bool(env.get("MAIL_SENDER_THREAD"), default=True),
        "REGISTRATION_RATE_LIMIT": env.get("REGISTRATION_RATE_LIMIT") or "120 per minute",
    }


def tie_cookie_settings(config: dict) -> None:
    """Behind HTTPS every cookie is Secure: Flask-Login's remember cookie (valid a year) follows
    the session cookie unless it is set on its own."""
    config.setdefault("REMEMBER_COOKIE_SECURE", bool(config.get("SESSION_COOKIE_SECURE")))


class DefaultConfig:
    """Values that do not come from the environment."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    MAX_CONTENT_LENGTH = 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "fixed-window"  # one counter a key: one statement a hit in shared storage
    LOGIN_RATE_LIMIT = "10 per minute"
    ACCOUNT_RATE_LIMIT = "20 per hour"
    RESET_RATE_LIMIT = "10 per hour"  # password-reset requests from one client address
    RESET_ACCOUNT_RATE_LIMIT = "3 per hour"  # reset mails to one address
