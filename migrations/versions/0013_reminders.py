"""reminders: the ticket again some hours before the start, once per registration

events.reminder_hours_before (null: no reminder). Existing events get the default, 24, like new
ones: a reminder is only due before the start, so no one is mailed about an event that has
already begun or passed; an event starting within 24 hours sends its reminders at the sender's
next round. The outbox gets a partial unique index: at most one reminder row per registration,
which is what makes concurrent senders queue each reminder once (eventsys/mail/reminders.py).
Added with op.add_column, dropped with op.drop_column (no table rebuilt either way).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ONE_REMINDER = "kind = 'reminder'"


def upgrade():
    op.add_column('events', sa.Column('reminder_hours_before', sa.Integer(), nullable=True))
    op.execute("UPDATE events SET reminder_hours_before = 24")
    op.create_index(
        'uq_outbox_messages_one_reminder',
        'outbox_messages',
        ['registration_id'],
        unique=True,
        sqlite_where=sa.text(ONE_REMINDER),
        postgresql_where=sa.text(ONE_REMINDER),
    )


def downgrade():
    op.drop_index('uq_outbox_messages_one_reminder', table_name='outbox_messages')
    op.execute("DELETE FROM outbox_messages WHERE kind = 'reminder'")
    op.drop_column('events', 'reminder_hours_before')  # SQLite 3.35+ drops it in place: no rebuild
