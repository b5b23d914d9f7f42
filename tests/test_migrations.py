"""The committed migrations build exactly the schema the models describe, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from eventsys.extensions import db

pytestmark = pytest.mark.both_databases


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_creates_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) | {"alembic_version"} == tables
