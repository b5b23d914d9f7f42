"""The committed migrations build exactly the schema the models describe, on both databases."""

import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from eventsys import create_app
from eventsys.database import described_by_the_models
from eventsys.extensions import db
from eventsys.registration.listing import AttendeeFilter, attendees
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import base_config, make_event, make_user

pytestmark = pytest.mark.both_databases


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": described_by_the_models}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_creates_every_table(app):
    tables = {name for name in inspect(db.engine).get_table_names() if described_by_the_models(name, "table")}
    assert set(db.metadata.tables) | {"alembic_version"} == tables


def test_migrating_leaves_the_apps_loggers_on(tmp_path):
    """Alembic's logging set-up must not silence the app's error log in the process that migrates."""
    app = create_app(base_config(f"sqlite:///{tmp_path / 'fresh.db'}"))
    werkzeug_log = logging.getLogger("werkzeug")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    assert not app.logger.disabled and not werkzeug_log.disabled


@pytest.fixture
def fresh_database_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database no migration has touched yet."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return request.getfixturevalue("postgres").create_database("eventsys_fresh")


def test_migration_0010_gives_earlier_registrations_their_sort_name_and_pinyin(fresh_database_url):
    """Registrations made before 0010 sort by pinyin and are found by it at the door, once migrated."""
    app = create_app(base_config(fresh_database_url))
    with app.app_context():
        upgrade()
        event = make_event(make_user())
        for name in ("Zhang Wei", "Wang Fang", "Ana Souza", "王芳"):
            register_attendee(event, RegistrationRequest(name, f"{len(name)}{name[-1]}@example.org"))
        event_id = event.id
        db.session.remove()
        downgrade(revision="0009")
        with db.engine.begin() as conn:  # the search text as it was before: no pinyin
            before = text("UPDATE registrations SET search_text = lower(name || :nl || email || :nl || code)")
            conn.execute(before, {"nl": "\n"})
        upgrade()

        def names(q: str = "") -> list[str]:
            found = attendees(event_id, AttendeeFilter(q=q, sort="name", by_email=False))
            return [r.name for r in db.session.scalars(found)]

        assert names() == ["Ana Souza", "Wang Fang", "王芳", "Zhang Wei"]
        assert names("wang") == ["Wang Fang", "王芳"]
        assert names("wangfang") == ["王芳"]
        assert names("王") == ["王芳"]  # one character, through the index
        assert db.session.scalar(select(Registration.sort_name).where(Registration.name == "王芳")) == "wang fang"
        db.session.remove()
        db.engine.dispose()
