"""rewards: the generalised points ledger, the reward catalogue, orders, fulfilment and expiry

- ledger_entries: kinds order_debit, order_refund, adjustment and expiry besides a claim's credit and reversal;
  `cause`, unique, names what caused each entry (exactly once per cause); claim_id may be empty; order_id,
  reason and actor_user_id say what an entry is about in words.
- point_balances: the row a debit locks; a CHECK keeps it at zero or above. Filled from the ledger's sums.
- rewards, reward_codes, reward_orders, reward_order_items, reward_order_events, expiry_notices.

The append-only guard on ledger_entries is lifted only while the existing entries get their cause key, and
put back in the same transaction (SQLite's table rebuild drops triggers, so it is recreated there too).

Revision ID: 0007_rewards
Revises: 0006_campaigns
Create Date: 2026-12-06 22:00:00
"""
import sqlalchemy as sa
from alembic import op

from claims.migrations.ledger_guard import create_ledger_guard, drop_ledger_guard

revision = '0007_rewards'
down_revision = '0006_campaigns'
branch_labels = None
depends_on = None

KINDS = "kind in ('credit','reversal','order_debit','order_refund','adjustment','expiry')"
SIGN = ("(kind in ('credit','order_refund') and points >= 0) or (kind in ('reversal',"
        "'order_debit','expiry') and points <= 0) or kind = 'adjustment'")
OLD_KINDS = "kind in ('credit','reversal')"
OLD_SIGN = "(kind = 'credit' and points >= 0) or (kind = 'reversal' and points <= 0)"


def upgrade() -> None:
    op.create_table('rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('value_pln', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('delivery', sa.String(length=16), nullable=False),
    sa.Column('topup_pln', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('limit_per_participant', sa.Integer(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('available_until', sa.Date(), nullable=True),
    sa.Column('image_sha256', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("delivery in ('physical','code','topup')", name=op.f('ck_rewards_delivery')),
    sa.CheckConstraint('points > 0', name=op.f('ck_rewards_points_positive')),
    sa.CheckConstraint('stock is null or stock >= 0', name=op.f('ck_rewards_stock_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rewards')),
    sa.UniqueConstraint('code', name=op.f('uq_rewards_code'))
    )
    with op.batch_alter_table('rewards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rewards_category'), ['category'], unique=False)

    op.create_table('expiry_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_expiry_notices_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expiry_notices')),
    sa.UniqueConstraint('participant_id', 'expires_on', name=op.f('uq_expiry_notices_participant_id_expires_on'))
    )
    op.create_table('point_balances',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_point_balances_not_negative')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_point_balances_participant_id_participants')),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_point_balances'))
    )
    op.create_table('reward_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('value_pln', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('needs_approval', sa.Boolean(), nullable=False),
    sa.Column('delivery_address', sa.String(length=500), nullable=False),
    sa.Column('tracking', sa.String(length=100), nullable=False),
    sa.Column('tax_details', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status in ('placed','approved','sent','delivered','cancelled')", name=op.f('ck_reward_orders_status')),
    sa.CheckConstraint('points > 0', name=op.f('ck_reward_orders_points_positive')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_reward_orders_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_orders'))
    )
    with op.batch_alter_table('reward_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_orders_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_reward_orders_status_created', ['status', 'created_at'], unique=False)

    op.create_table('reward_order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_reward_order_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['reward_orders.id'], name=op.f('fk_reward_order_events_order_id_reward_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_order_events'))
    )
    with op.batch_alter_table('reward_order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_order_events_order_id'), ['order_id'], unique=False)

    op.create_table('reward_order_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('value_pln', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_reward_order_items_quantity_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['reward_orders.id'], name=op.f('fk_reward_order_items_order_id_reward_orders')),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], name=op.f('fk_reward_order_items_reward_id_rewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_order_items'))
    )
    with op.batch_alter_table('reward_order_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reward_order_items_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reward_order_items_reward_id'), ['reward_id'], unique=False)

    op.create_table('reward_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('order_item_id', sa.Integer(), nullable=True),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_item_id'], ['reward_order_items.id'], name=op.f('fk_reward_codes_order_item_id_reward_order_items')),
    sa.ForeignKeyConstraint(['reward_id'], ['rewards.id'], name=op.f('fk_reward_codes_reward_id_rewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_codes')),
    sa.UniqueConstraint('reward_id', 'code', name=op.f('uq_reward_codes_reward_id_code'))
    )
    with op.batch_alter_table('reward_codes', schema=None) as batch_op:
        batch_op.create_index('ix_reward_codes_free', ['reward_id', 'order_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reward_codes_order_item_id'), ['order_item_id'], unique=False)

    drop_ledger_guard()
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cause', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('actor_user_id', sa.Integer(), nullable=True))
        batch_op.alter_column('claim_id', existing_type=sa.VARCHAR(length=36), nullable=True)
        batch_op.drop_constraint(op.f('ck_ledger_entries_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_ledger_entries_sign'), type_='check')
        batch_op.create_check_constraint('kind', sa.text(KINDS))
        batch_op.create_check_constraint('sign', sa.text(SIGN))
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_order_id_reward_orders'), 'reward_orders',
                                    ['order_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_actor_user_id_users'), 'users',
                                    ['actor_user_id'], ['id'])
    op.execute("UPDATE ledger_entries SET cause = 'claim:' || claim_id || ':' || kind")
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.alter_column('cause', existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entries_cause'), ['cause'])
    create_ledger_guard()
    op.execute("INSERT INTO point_balances (participant_id, points) SELECT participant_id, "
               "CASE WHEN SUM(points) > 0 THEN SUM(points) ELSE 0 END FROM ledger_entries GROUP BY participant_id")


def downgrade() -> None:
    drop_ledger_guard()
    op.execute("DELETE FROM ledger_entries WHERE claim_id IS NULL OR kind NOT IN ('credit','reversal')")
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ledger_entries_cause'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_actor_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_order_id_reward_orders'), type_='foreignkey')
        batch_op.drop_constraint(op.f('ck_ledger_entries_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_ledger_entries_sign'), type_='check')
        batch_op.create_check_constraint('kind', sa.text(OLD_KINDS))
        batch_op.create_check_constraint('sign', sa.text(OLD_SIGN))
        batch_op.alter_column('claim_id', existing_type=sa.VARCHAR(length=36), nullable=False)
        batch_op.drop_column('actor_user_id')
        batch_op.drop_column('reason')
        batch_op.drop_column('cause')
        batch_op.drop_column('order_id')
    create_ledger_guard()
    for table in ('reward_codes', 'reward_order_items', 'reward_order_events', 'reward_orders', 'point_balances',
                  'expiry_notices', 'rewards'):
        op.drop_table(table)
