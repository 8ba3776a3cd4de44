"""concurrent campaigns: partner and outlet reach of a campaign, each campaign's part of a claim's points

- campaigns.partner_ids, campaigns.outlet_ids: the partners and outlets a campaign runs at (NULL: all).
- claim_campaign_parts: the points each applicable campaign gave a claim (their sum is claims.points_proposed).

Revision ID: 0006_campaigns
Revises: 0005_ksef
Create Date: 2026-12-06 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_campaigns'
down_revision = '0005_ksef'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('outlet_ids', sa.JSON(), nullable=True))
    op.create_table(
        'claim_campaign_parts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.String(length=36), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_claim_campaign_parts_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_campaign_parts_claim_id_claims')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_campaign_parts')),
        sa.UniqueConstraint('claim_id', 'campaign_id', name=op.f('uq_claim_campaign_parts_claim_id_campaign_id')),
    )
    with op.batch_alter_table('claim_campaign_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_campaign_parts_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_campaign_parts_claim_id'), ['claim_id'], unique=False)


def downgrade() -> None:
    op.drop_table('claim_campaign_parts')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('outlet_ids')
        batch_op.drop_column('partner_ids')
