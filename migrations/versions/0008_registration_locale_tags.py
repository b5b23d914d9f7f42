"""languages: a registration's locale is the contract's tag, en or zh-CN (it was en or zh)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 07:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE registrations SET locale = 'zh-CN' WHERE locale = 'zh'")
    op.execute("UPDATE registrations SET locale = 'en' WHERE locale NOT IN ('en', 'zh-CN')")


def downgrade():
    op.execute("UPDATE registrations SET locale = 'zh' WHERE locale = 'zh-CN'")
