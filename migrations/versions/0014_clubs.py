"""clubs: a club owns events and a team (members with roles, invited by e-mail), and a trail

events.club_id and outbox_messages.club_member_id are added in place (op.add_column with their
foreign key): no table is rebuilt, so the events' other tables keep pointing at them untouched.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:09:07

"""
import sqlalchemy as sa
from alembic import op

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable column pointing at ``target``, added in place: SQLite takes a REFERENCES clause in
    ADD COLUMN, where Alembic's add_column would ask for a table rebuild (and rebuilding ``events``
    would cascade its DROP to every registration). SQLite does not report the name of such a
    constraint, nor an ON DELETE: so none is given (a club or member row is never deleted while
    pointed at: a club with events cannot go, members are only marked removed)."""
    name = f'fk_{table}_{column}_{target}'
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
            f'CONSTRAINT {name} REFERENCES {target} (id)'
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ['id'])


def upgrade():
    op.create_table('clubs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clubs')),
    sa.UniqueConstraint('slug', name=op.f('uq_clubs_slug'))
    )
    op.create_table('club_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.Enum('owner', 'manager', 'supervisor', 'steward', 'door', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('invite_nonce', sa.LargeBinary(length=16), nullable=True),
    sa.Column('invite_hash', sa.String(length=64), nullable=True),
    sa.Column('invited_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('joined_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['club_id'], ['clubs.id'], name=op.f('fk_club_members_club_id_clubs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_club_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_club_members')),
    sa.UniqueConstraint('invite_hash', name=op.f('uq_club_members_invite_hash'))
    )
    with op.batch_alter_table('club_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_club_members_club_id'), ['club_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_club_members_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_club_members_active_user', ['club_id', 'user_id'], unique=True, sqlite_where=sa.text('removed_at IS NULL AND user_id IS NOT NULL'), postgresql_where=sa.text('removed_at IS NULL AND user_id IS NOT NULL'))

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('club_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['club_id'], ['clubs.id'], name=op.f('fk_audit_entries_club_id_clubs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_audit_entries_event_id_events'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_club_id_id', ['club_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_event_id'), ['event_id'], unique=False)

    _add_reference('events', 'club_id', 'clubs')
    op.create_index(op.f('ix_events_club_id'), 'events', ['club_id'], unique=False)
    _add_reference('outbox_messages', 'club_member_id', 'club_members')
    op.create_index(op.f('ix_outbox_messages_club_member_id'), 'outbox_messages', ['club_member_id'], unique=False)


def downgrade():
    op.execute("DELETE FROM outbox_messages WHERE club_member_id IS NOT NULL")
    op.drop_index(op.f('ix_outbox_messages_club_member_id'), table_name='outbox_messages')
    # Rebuilt by 0015's batch, the outbox holds this reference as a table constraint, which SQLite's
    # DROP COLUMN refuses: drop it in a batch too (nothing points at the outbox).
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('club_member_id')
    op.drop_index(op.f('ix_events_club_id'), table_name='events')
    op.drop_column('events', 'club_id')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_event_id'))
        batch_op.drop_index('ix_audit_entries_club_id_id')

    op.drop_table('audit_entries')
    with op.batch_alter_table('club_members', schema=None) as batch_op:
        batch_op.drop_index('uq_club_members_active_user', sqlite_where=sa.text('removed_at IS NULL AND user_id IS NOT NULL'), postgresql_where=sa.text('removed_at IS NULL AND user_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_club_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_club_members_club_id'))

    op.drop_table('club_members')
    op.drop_table('clubs')
