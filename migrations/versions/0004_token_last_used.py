"""personal tokens: when each was last used

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:50:00

"""
from alembic import op
import sqlalchemy as sa

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
