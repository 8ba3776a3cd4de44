"""displays: display-photo activities and their claims

- display_activities: period, points, outlets, the reviewer's checklist and its rule, how often (once per period,
  per calendar month or per ISO week, per outlet);
- display_claims: each display claim's activity, outlet and slot; `credited_slot` unique with the activity and
  outlet, so one outlet's slot is credited once;
- ledger_entries: kind `display` (never negative).

The ledger's append-only guard is lifted only while its CHECKs change and put back in the same transaction.

Revision ID: 0010_displays
Revises: 0009_reach
Create Date: 2026-12-07 01:10:00
"""
import sqlalchemy as sa
from alembic import op

from claims.migrations.ledger_guard import create_ledger_guard, drop_ledger_guard, replace_ledger_checks

revision = '0010_displays'
down_revision = '0009_reach'
branch_labels = None
depends_on = None

KINDS = ("kind in ('credit','reversal','order_debit','order_refund','adjustment','expiry',"
         "'training','survey','contest_prize','referral','display')")
SIGN = ("(kind in ('credit','order_refund','training','survey','contest_prize','referral','display') and "
        "points >= 0) or (kind in ('reversal','order_debit','expiry') and points <= 0) or "
        "kind = 'adjustment'")
OLD_KINDS = ("kind in ('credit','reversal','order_debit','order_refund','adjustment','expiry',"
             "'training','survey','contest_prize','referral')")
OLD_SIGN = ("(kind in ('credit','order_refund','training','survey','contest_prize','referral') and "
            "points >= 0) or (kind in ('reversal','order_debit','expiry') and points <= 0) or "
            "kind = 'adjustment'")


def upgrade() -> None:
    op.create_table('display_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('outlet_ids', sa.JSON(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('min_ticked', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency in ('once','month','week')", name=op.f('ck_display_activities_frequency')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_display_activities_period')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_display_activities_points_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_display_activities')),
    sa.UniqueConstraint('code', name=op.f('uq_display_activities_code'))
    )
    op.create_table('display_claims',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.String(length=16), nullable=False),
    sa.Column('checked', sa.JSON(), nullable=False),
    sa.Column('credited_slot', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['display_activities.id'], name=op.f('fk_display_claims_activity_id_display_activities')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_display_claims_claim_id_claims')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_display_claims_outlet_id_outlets')),
    sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_display_claims')),
    sa.UniqueConstraint('activity_id', 'outlet_id', 'credited_slot', name=op.f('uq_display_claims_activity_id_outlet_id_credited_slot'))
    )
    with op.batch_alter_table('display_claims', schema=None) as batch_op:
        batch_op.create_index('ix_display_claims_slot', ['activity_id', 'outlet_id', 'slot'], unique=False)
    replace_ledger_checks(KINDS, SIGN)


def downgrade() -> None:
    drop_ledger_guard()
    op.execute("DELETE FROM ledger_entries WHERE kind = 'display'")
    create_ledger_guard()
    replace_ledger_checks(OLD_KINDS, OLD_SIGN)
    with op.batch_alter_table('display_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_display_claims_slot')
    op.drop_table('display_claims')
    op.drop_table('display_activities')
