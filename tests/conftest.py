"""Fixtures: the app on a migrated database (SQLite, and PostgreSQL where a test asks), clients, factories."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from eventsys import create_app
from eventsys.auth.models import TokenKind, User
from eventsys.auth.passwords import hash_password
from eventsys.auth.services import issue_token
from eventsys.events import services as event_services
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import EventDetails
from eventsys.extensions import db
from tests.postgres import ThrowawayPostgres
from tests.smtp import SmtpServer

pytest_plugins = ["tests.html_validation"]  # every page rendered here goes through the W3C validator

PASSWORD = "correct horse battery"
MAIL_SENDER = "TECOM <tickets@tecom.test>"
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_databases`` run once per backend; all others on SQLite."""
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("backend", BACKENDS if both else BACKENDS[:1], scope="session")


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",  # each test's own counters (a test may ask for a file)
        "PUBLIC_BASE_URL": "http://eventsys.test",
        "SERVER_NAME": None,
    }


def _migrate(database_url: str) -> None:
    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _own_instance_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Keys and files the app keeps go to a folder of this run, never to the working tree's ``instance/``."""
    with pytest.MonkeyPatch.context() as patch:
        folder = str(tmp_path_factory.mktemp("instance"))
        patch.setenv("INSTANCE_PATH", folder)
        yield folder


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_database(postgres: ThrowawayPostgres) -> str:
    url = postgres.create_database("eventsys_test")
    _migrate(url)
    return url


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:
    """A migrated, empty database: a copy of the SQLite template, or the PostgreSQL one truncated."""
    if backend == "sqlite":
        path = tmp_path / "eventsys.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    app = create_app(base_config(url))
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()
    return url


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; a test that asks for it gets an app that sends mail there."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(request: pytest.FixtureRequest) -> dict:
    """Overrides for one test's app (a test may override this fixture)."""
    if "smtp" not in request.fixturenames:
        return {}
    server = request.getfixturevalue("smtp")
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_DEFAULT_SENDER": MAIL_SENDER}


def _start_request_afresh(sender: Flask, **extra) -> None:
    for name in list(g):
        g.pop(name)
    db.session.expire_all()


@pytest.fixture
def app(database_url: str, app_config: dict) -> Iterator[Flask]:
    """The app, with an app context open for the test's own database work.

    A test-client request reuses that open context, and with it ``g`` and the database session.
    Each request starts afresh, as in a server: ``g`` is cleared (else Flask-Login's user and
    Flask-WTF's CSRF token would carry from one request, and one client, into the next) and the
    session's objects are expired (else a page could show a count as the test last saw it).
    """
    app = create_app({**base_config(database_url), **app_config})
    request_started.connect(_start_request_afresh, app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    request_started.disconnect(_start_request_afresh, app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------------------------

_password_hash: str | None = None
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_user(email: str | None = None, name: str = "Organizer", password: str = PASSWORD) -> User:
    """An organizer; the Argon2 hash of the shared test password is computed once."""
    global _password_hash
    if password == PASSWORD:
        _password_hash = _password_hash or hash_password(PASSWORD)
        password_hash = _password_hash
    else:
        password_hash = hash_password(password)
    user = User(email=email or f"organizer{_next()}@example.org", name=name, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def make_event(owner: User | None = None, status: EventStatus = EventStatus.PUBLISHED, **fields) -> Event:
    owner = owner or make_user()
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    values = {
        "name": f"Meetup {_next()}",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=8),
        "timezone": "Asia/Shanghai",
        **fields,
    }
    if status == EventStatus.CANCELLED:  # an event is cancelled after it was published
        event = event_services.create_event(owner, EventDetails(**values), EventStatus.PUBLISHED)
        return event_services.change_status(event, EventStatus.CANCELLED)
    return event_services.create_event(owner, EventDetails(**values), status)


def make_token(
    user: User, kind: TokenKind = TokenKind.PERSONAL, event: Event | None = None, label: str = "test"
) -> str:
    _, clear = issue_token(user, kind, label, event_id=event.id if event else None)
    return clear


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict, **kwargs):
    """POST a form with the session's CSRF token, like a browser that loaded the page first."""
    return client.post(path, data={"csrf_token": csrf_token(client), **data}, **kwargs)


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def signed_in_organizer(client: FlaskClient, user: User | None = None) -> User:
    """Sign ``client`` in as ``user`` (a new organizer by default); returns the user."""
    user = user or make_user()
    login(client, user)
    return user


# --- the people and the event most tests share ---------------------------------------------------


@pytest.fixture
def owner(app: Flask) -> User:
    """The organizer who owns ``event``."""
    return make_user(name="Mei Organizer")


@pytest.fixture
def event(owner: User) -> Event:
    """A published conference of ``owner``, in Hangzhou's time zone."""
    return make_event(owner, name="TECOM Conf Hangzhou", timezone="Asia/Shanghai")


@pytest.fixture
def organizer(app: Flask, owner: User) -> FlaskClient:
    """The owner's browser, logged in."""
    browser = app.test_client()
    login(browser, owner)
    return browser


@pytest.fixture
def owner_headers(owner: User) -> dict[str, str]:
    """The owner's API calls: a personal token."""
    return bearer(make_token(owner))


@pytest.fixture
def gate(event: Event) -> dict[str, str]:
    """The North door's scanner: a door token of ``event``, labelled with the gate's name."""
    return bearer(make_token(event.owner, TokenKind.DOOR, event, label="North door"))


@pytest.fixture(autouse=True)
def _no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach a mail server the developer's shell may name."""
    for name in ("MAIL_SERVER", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


os.environ.setdefault("SECRET_KEY", "test-secret-key")
