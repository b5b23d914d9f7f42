"""invitations: invite-only events and the personal registration links of their invitees

events.access ('public', the default for every existing event, or 'invite_only'); the
invitations table (one row per invited address and event, the link's secret stored hashed, the
registration that used it); outbox_messages.invitation_id for the invitation e-mails.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:10:00

"""
import sqlalchemy as sa
from alembic import op

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Added and dropped in place (SQLite 3.35+ drops a column without rebuilding the table).
    op.add_column(
        'events',
        sa.Column(
            'access',
            sa.Enum('public', 'invite_only', name='eventaccess', native_enum=False, length=20),
            server_default='public',
            nullable=False,
        ),
    )
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_invitations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_invitations_registration_id_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_invitations_event_id')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_invitations_secret_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_registration_id'), ['registration_id'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_invitation_id_invitations'), 'invitations', ['invitation_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.execute("DELETE FROM outbox_messages WHERE invitation_id IS NOT NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_invitation_id_invitations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_invitation_id'))
        batch_op.drop_column('invitation_id')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_registration_id'))
    op.drop_table('invitations')
    op.drop_column('events', 'access')
