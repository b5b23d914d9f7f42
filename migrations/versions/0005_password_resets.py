"""password resets by e-mail

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:03:55.440157

"""
from alembic import op
import sqlalchemy as sa

import eventsys.timeutil


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', eventsys.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_password_resets_secret_hash'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_reset_id', sa.Integer(), nullable=True))
        batch_op.alter_column('event_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_outbox_messages_password_reset_id'), ['password_reset_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_password_reset_id_password_resets'), 'password_resets', ['password_reset_id'], ['id'], ondelete='CASCADE')



def downgrade():
    # Mail without an event (password resets) has no place in the older schema.
    op.execute("DELETE FROM outbox_messages WHERE event_id IS NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_password_reset_id_password_resets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_password_reset_id'))
        batch_op.alter_column('event_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('password_reset_id')

    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))

    op.drop_table('password_resets')
