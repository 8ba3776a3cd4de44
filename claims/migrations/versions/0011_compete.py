"""compete: contest audiences, product-quantity contests, reward prizes and tie-breaks; tier multipliers on
claim credits; participants' region

- contests: metric product_quantity with its `skus`; `audience` (all | region | partner) with
  `audience_region` / `audience_partner_id`; `tie_break` (reached | claims);
- contest_scores: `claims` (approved claims in the period, a tie-break), also in the rank index; contest_results: `prize_order_id`
  (the order a reward prize made);
- reward_orders: `cause`, unique (a prize order: contest:<id>:place:<n>, made once);
- ledger_entries: `tier_multiplier`, `tier_name` (the level a claim credit was multiplied by). Plain ADD
  COLUMNs: no table rebuild, so the append-only guard stays in place;
- participants: `region` (a contest audience) and `tier_seen` (the level shown on the last visit).

Revision ID: 0011_compete
Revises: 0010_displays
Create Date: 2026-12-07 01:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_compete'
down_revision = '0010_displays'
branch_labels = None
depends_on = None

METRIC = "metric in ('points','purchase_value','approved_claims','product_quantity')"
OLD_METRIC = "metric in ('points','purchase_value','approved_claims')"


def upgrade() -> None:
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skus', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('audience', sa.String(length=16), nullable=False, server_default='all'))
        batch_op.add_column(sa.Column('audience_region', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('audience_partner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tie_break', sa.String(length=16), nullable=False,
                                      server_default='reached'))
        batch_op.create_foreign_key(batch_op.f('fk_contests_audience_partner_id_partners'), 'partners',
                                    ['audience_partner_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_contests_metric'), type_='check')
        batch_op.create_check_constraint('metric', METRIC)
        batch_op.create_check_constraint('audience', "audience in ('all','region','partner')")
        batch_op.create_check_constraint('tie_break', "tie_break in ('reached','claims')")
    with op.batch_alter_table('contest_scores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claims', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_index('ix_contest_scores_rank')
        batch_op.create_index('ix_contest_scores_rank', ['contest_id', 'value', 'reached', 'participant_id', 'claims'],
                              unique=False)
    with op.batch_alter_table('contest_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prize_order_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contest_results_prize_order_id_reward_orders'),
                                    'reward_orders', ['prize_order_id'], ['id'])
    with op.batch_alter_table('reward_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_reward_orders_cause'), ['cause'])
    op.add_column('ledger_entries', sa.Column('tier_multiplier', sa.Numeric(precision=4, scale=2), nullable=True))
    op.add_column('ledger_entries', sa.Column('tier_name', sa.String(length=100), nullable=True))
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tier_seen', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_participants_region'), ['region'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_region'))
        batch_op.drop_column('tier_seen')
        batch_op.drop_column('region')
    with op.batch_alter_table('reward_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reward_orders_cause'), type_='unique')
        batch_op.drop_column('cause')
    with op.batch_alter_table('contest_results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contest_results_prize_order_id_reward_orders'), type_='foreignkey')
        batch_op.drop_column('prize_order_id')
    with op.batch_alter_table('contest_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_contest_scores_rank')
        batch_op.drop_column('claims')
        batch_op.create_index('ix_contest_scores_rank', ['contest_id', 'value', 'reached', 'participant_id'],
                              unique=False)
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contests_tie_break'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contests_audience'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contests_metric'), type_='check')
        batch_op.create_check_constraint('metric', OLD_METRIC)
        batch_op.drop_constraint(batch_op.f('fk_contests_audience_partner_id_partners'), type_='foreignkey')
        for column in ('tie_break', 'audience_partner_id', 'audience_region', 'audience', 'skus'):
            batch_op.drop_column(column)
