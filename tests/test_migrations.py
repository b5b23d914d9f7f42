"""The committed migrations build exactly the schema the models describe, on both databases."""

import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from eventsys import create_app
from eventsys.database import described_by_the_models
from eventsys.extensions import db
from tests.conftest import base_config

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
