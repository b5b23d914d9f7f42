"""the offline door: dataset salts, derived door keys, offline verdicts, online-only gates

door_datasets holds an event's salt for the slow hash its gates derive lookups with; door_keys what
that hash gives for each ticket's QR payload and short code (derived once, on the first dataset
build that needs them). scans.offline_result keeps the verdict an offline gate showed, so that
double admissions while gates were apart can be found; api_tokens.offline (true for every existing
token) is false for an online-only gate. Columns are added in place (no table rebuilt).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 19:10:00

"""
import sqlalchemy as sa
from alembic import op

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

RESULTS = (
    'ok', 'already_checked_in', 'invalid', 'wrong_event', 'cancelled', 'not_confirmed', 'not_inside', 'undo'
)


def upgrade():
    op.create_table(
        'door_datasets',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('salt', sa.LargeBinary(length=16), nullable=False),
        sa.Column('created_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id'),
    )
    op.create_table(
        'door_keys',
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('qr_lookup', sa.LargeBinary(length=16), nullable=False),
        sa.Column('qr_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('code_lookup', sa.LargeBinary(length=16), nullable=False),
        sa.Column('code_key', sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('registration_id'),
        sa.UniqueConstraint('event_id', 'code_lookup', name='uq_door_keys_code_lookup'),
        sa.UniqueConstraint('event_id', 'qr_lookup', name='uq_door_keys_qr_lookup'),
    )
    op.add_column(
        'scans',
        sa.Column(
            'offline_result',
            sa.Enum(*RESULTS, name='checkinresult', native_enum=False, length=20, create_constraint=False),
            nullable=True,
        ),
    )
    op.create_index('ix_scans_event_offline', 'scans', ['event_id', 'offline_result'], unique=False)
    op.add_column('api_tokens', sa.Column('offline', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    op.drop_column('api_tokens', 'offline')  # SQLite 3.35+ drops them in place: no rebuild
    op.drop_index('ix_scans_event_offline', table_name='scans')
    op.drop_column('scans', 'offline_result')
    op.drop_table('door_keys')
    op.drop_table('door_datasets')
