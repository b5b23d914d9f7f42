"""door staff roles

door_staff.door_role: what an invited door staff member may do, as a door link's role:
supervisor (scan, look people up, see the numbers: what every invited member could do before, so
existing rows get it) or steward (scan only). Added with op.add_column (no table rebuilt).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 22:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'door_staff',
        sa.Column(
            'door_role',
            sa.Enum('supervisor', 'steward', name='doortokenrole', native_enum=False, length=20),
            nullable=False,
            server_default='supervisor',
        ),
    )


def downgrade():
    op.drop_column('door_staff', 'door_role')  # SQLite 3.35+ drops it in place: no rebuild
