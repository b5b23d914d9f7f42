"""languages: an event's, a ticket type's and a question's own texts in other languages

Added with op.add_column (no table rebuilt, so migration 0006's search triggers are untouched).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:55:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ("events", "ticket_types", "questions")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("translations", sa.JSON(), server_default="{}", nullable=False))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
