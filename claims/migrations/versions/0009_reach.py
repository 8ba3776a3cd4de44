"""reaching participants: e-mail campaigns, their per-recipient deliveries, the news feed

- mail_campaigns (subject, Markdown body, segment as JSON, status draft/queued/sending/done);
- mail_deliveries: one row per campaign and participant (unique), queued -> sending -> sent | failed, with the
  first open and the unsubscribe it brought;
- news_posts (title, body, publish time, optional segment).

Revision ID: 0009_reach
Revises: 0008_activities
Create Date: 2026-12-07 01:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_reach'
down_revision = '0008_activities'
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('mail_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('segment', sa.JSON(), nullable=False),
    sa.Column('track_opens', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('queued_at', WHEN, nullable=True),
    sa.Column('expanded_at', WHEN, nullable=True),
    sa.CheckConstraint("status in ('draft','queued','sending','done')", name=op.f('ck_mail_campaigns_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_mail_campaigns_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_campaigns'))
    )
    op.create_table('mail_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=64), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('sent_at', WHEN, nullable=True),
    sa.Column('opened_at', WHEN, nullable=True),
    sa.Column('unsubscribed_at', WHEN, nullable=True),
    sa.CheckConstraint("status in ('queued','sending','sent','failed')", name=op.f('ck_mail_deliveries_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['mail_campaigns.id'],
                            name=op.f('fk_mail_deliveries_campaign_id_mail_campaigns')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                            name=op.f('fk_mail_deliveries_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_deliveries')),
    sa.UniqueConstraint('campaign_id', 'participant_id', name=op.f('uq_mail_deliveries_campaign_id_participant_id'))
    )
    op.create_index('ix_mail_deliveries_campaign_status', 'mail_deliveries', ['campaign_id', 'status', 'id'])
    op.create_index(op.f('ix_mail_deliveries_participant_id'), 'mail_deliveries', ['participant_id'])
    op.create_table('news_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('publish_at', WHEN, nullable=False),
    sa.Column('segment', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_news_posts_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_posts'))
    )
    op.create_index(op.f('ix_news_posts_publish_at'), 'news_posts', ['publish_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_news_posts_publish_at'), table_name='news_posts')
    op.drop_table('news_posts')
    op.drop_index(op.f('ix_mail_deliveries_participant_id'), table_name='mail_deliveries')
    op.drop_index('ix_mail_deliveries_campaign_status', table_name='mail_deliveries')
    op.drop_table('mail_deliveries')
    op.drop_table('mail_campaigns')
