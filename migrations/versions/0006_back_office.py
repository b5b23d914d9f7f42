"""back office: registration history, search text, badge questions

SQLite: an FTS5 trigram table over registrations.search_text, kept by triggers. A later
batch_alter_table that recreates `registrations` drops those triggers: create them again there.
PostgreSQL: a pg_trgm GIN index on the same column.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:23:04.493497

"""
import json

from alembic import op
import sqlalchemy as sa

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.Enum('registered', 'confirmed', 'waitlisted', 'pending_approval', 'approved', 'rejected', 'cancelled', 'promoted', 'edited', 'ticket_type_changed', name='changekind', native_enum=False, length=20), nullable=False),
    sa.Column('at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_registration_changes_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_changes_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_changes'))
    )
    with op.batch_alter_table('registration_changes', schema=None) as batch_op:
        batch_op.create_index('ix_registration_changes_registration', ['registration_id', 'id'], unique=False)

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_badge', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)
        batch_op.create_index('ix_registrations_event_created', ['event_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_registrations_event_name', ['event_id', 'name', 'id'], unique=False)
        batch_op.create_index('ix_registrations_event_tabs', ['event_id', 'status', 'checked_in_at'], unique=False)

    _fill_search_text()
    _record_past_registrations()
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS_TABLE)
        for trigger in FTS_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO registrations_search(registrations_search) VALUES ('rebuild')")
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_registrations_search_trgm ON registrations USING gin (search_text gin_trgm_ops)"
        )


FTS_TABLE = (
    "CREATE VIRTUAL TABLE registrations_search USING fts5("
    "search_text, content='registrations', content_rowid='id', tokenize='trigram')"
)
FTS_TRIGGERS = (
    """CREATE TRIGGER registrations_search_insert AFTER INSERT ON registrations BEGIN
        INSERT INTO registrations_search(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER registrations_search_delete AFTER DELETE ON registrations BEGIN
        INSERT INTO registrations_search(registrations_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER registrations_search_update AFTER UPDATE OF search_text ON registrations BEGIN
        INSERT INTO registrations_search(registrations_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO registrations_search(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
)


def _fill_search_text():
    """The search text of registrations made before it existed (as registration/search.py writes it)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, email, code, answers FROM registrations")).all()
    for row in rows:
        answers = row.answers if isinstance(row.answers, dict) else json.loads(row.answers or "{}")
        words = [row.name, row.email or "", row.code]
        for value in answers.values():
            if isinstance(value, str):
                words.append(value)
            elif isinstance(value, list):
                words.extend(item for item in value if isinstance(item, str))
        conn.execute(
            sa.text("UPDATE registrations SET search_text = :text WHERE id = :id"),
            {"text": "\n".join(words).lower(), "id": row.id},
        )


def _record_past_registrations():
    """Older registrations' history starts with their registration (what came between is not known)."""
    op.execute(
        "INSERT INTO registration_changes (registration_id, what, at, detail) "
        "SELECT id, 'registered', created_at, '{}' FROM registrations"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER registrations_search_{name}")
        op.execute("DROP TABLE registrations_search")
    else:
        op.execute("DROP INDEX ix_registrations_search_trgm")
    # Someone added by hand without an address has no place in the older schema.
    op.execute("DELETE FROM registrations WHERE email IS NULL")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_tabs')
        batch_op.drop_index('ix_registrations_event_name')
        batch_op.drop_index('ix_registrations_event_created')
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)
        batch_op.drop_column('search_text')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('on_badge')

    with op.batch_alter_table('registration_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_changes_registration')

    op.drop_table('registration_changes')
