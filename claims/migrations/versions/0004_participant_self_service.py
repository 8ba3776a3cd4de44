"""participant self-service: ending other sessions, profile phone and delivery address, points notices

- users.session_version: a number every session carries (keyed, in its cookie); raising it ends every session
  of the user but the one that raises it (`claims.services.accounts.end_other_sessions`).
- participants.phone, participants.delivery_address: the profile a participant keeps themselves.
- participants.points_seen_entry_id: the newest ledger entry the participant has been shown a notice about, so
  an approval is announced once, on their next page view.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('delivery_address', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('points_seen_entry_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('points_seen_entry_id')
        batch_op.drop_column('delivery_address')
        batch_op.drop_column('phone')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
