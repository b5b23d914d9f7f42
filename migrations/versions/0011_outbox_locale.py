"""languages: mail to an account (password reset, door invitation) keeps its page's language

Added with op.add_column (no table rebuilt). Mail queued before it has none: English, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("outbox_messages", sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("locale")
