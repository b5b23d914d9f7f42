"""messages: an organizer's message to an event's attendees, one outbox row per recipient

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:10:00

"""
import sqlalchemy as sa
from alembic import op

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('translations', sa.JSON(), nullable=False),
    sa.Column('recipients_filter', sa.JSON(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_messages_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_messages_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_message_id'), ['message_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_message_id_messages'), 'messages', ['message_id'], ['id'], ondelete='CASCADE')


def downgrade():
    op.execute("DELETE FROM outbox_messages WHERE message_id IS NOT NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_message_id_messages'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_message_id'))
        batch_op.drop_column('message_id')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_event_id'))

    op.drop_table('messages')
