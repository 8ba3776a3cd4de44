"""activities: trainings with a quiz, surveys, the tier ladder, contests and their frozen results

- trainings, training_questions, training_attempts (answers kept for the report);
- surveys, survey_questions, survey_responses (one per participant and survey);
- tiers; contests, contest_scores (a running contest's scores, kept current), contest_results; referral_codes, referrals (credited at the invited one's first approval);
- ledger_entries: kinds training, survey, contest_prize and referral (never negative), and an index (kind, created_at,
  participant_id, points) that a contest's leaderboard aggregates over; claims get (status, decided_at,
  participant_id) for the claim-based metrics.

The ledger's append-only guard is lifted only while its CHECKs change and put back in the same transaction
(SQLite's table rebuild drops triggers).

Revision ID: 0008_activities
Revises: 0007_rewards
Create Date: 2026-12-06 23:00:39.833612
"""
import sqlalchemy as sa
from alembic import op

from claims.migrations.ledger_guard import create_ledger_guard, drop_ledger_guard, replace_ledger_checks

revision = '0008_activities'
down_revision = '0007_rewards'
branch_labels = None
depends_on = None

KINDS = ("kind in ('credit','reversal','order_debit','order_refund','adjustment','expiry',"
         "'training','survey','contest_prize','referral')")
SIGN = ("(kind in ('credit','order_refund','training','survey','contest_prize','referral') and "
        "points >= 0) or (kind in ('reversal','order_debit','expiry') and points <= 0) or "
        "kind = 'adjustment'")
OLD_KINDS = "kind in ('credit','reversal','order_debit','order_refund','adjustment','expiry')"
OLD_SIGN = ("(kind in ('credit','order_refund') and points >= 0) or (kind in ('reversal',"
            "'order_debit','expiry') and points <= 0) or kind = 'adjustment'")


def upgrade() -> None:
    op.create_table('contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=24), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('prizes', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("metric in ('points','purchase_value','approved_claims')", name=op.f('ck_contests_metric')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_contests_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contests')),
    sa.UniqueConstraint('code', name=op.f('uq_contests_code'))
    )
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('points >= 0', name=op.f('ck_surveys_points_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('code', name=op.f('uq_surveys_code'))
    )
    op.create_table('tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('min_points', sa.Integer(), nullable=False),
    sa.Column('multiplier', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.CheckConstraint('min_points >= 0', name=op.f('ck_tiers_min_points_not_negative')),
    sa.CheckConstraint('multiplier >= 1', name=op.f('ck_tiers_multiplier_at_least_one')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('min_points', name=op.f('uq_tiers_min_points')),
    sa.UniqueConstraint('name', name=op.f('uq_tiers_name'))
    )
    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lesson', sa.Text(), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pass_mark between 0 and 100', name=op.f('ck_trainings_pass_mark')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_trainings_points_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings')),
    sa.UniqueConstraint('code', name=op.f('uq_trainings_code'))
    )
    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('answer_type', sa.String(length=16), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.CheckConstraint("answer_type in ('single','multiple','text','scale')", name=op.f('ck_survey_questions_answer_type')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_questions_survey_id_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions'))
    )
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_questions_survey_id'), ['survey_id'], unique=False)

    op.create_table('training_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('correct', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_questions_training_id_trainings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_questions'))
    )
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_questions_training_id'), ['training_id'], unique=False)

    op.create_table('contest_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('prize_points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_results_contest_id_contests')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_contest_results_participant_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_results')),
    sa.UniqueConstraint('contest_id', 'participant_id', name=op.f('uq_contest_results_contest_id_participant_id')),
    sa.UniqueConstraint('contest_id', 'place', name=op.f('uq_contest_results_contest_id_place'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_survey_responses_participant_id_participants')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('survey_id', 'participant_id', name=op.f('uq_survey_responses_survey_id_participant_id'))
    )
    op.create_table('training_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_training_attempts_participant_id_participants')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_attempts_training_id_trainings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attempts'))
    )
    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_training_attempts_training_participant', ['training_id', 'participant_id'], unique=False)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index('ix_claims_status_decided', ['status', 'decided_at', 'participant_id'], unique=False)

    op.create_table('referral_codes',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_referral_codes_participant_id_participants')),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_referral_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_referral_codes_code'))
    )
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('invited_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('cap', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('waiting','credited','capped')", name=op.f('ck_referrals_status')),
    sa.CheckConstraint('referrer_id <> invited_id', name=op.f('ck_referrals_not_self')),
    sa.ForeignKeyConstraint(['invited_id'], ['participants.id'], name=op.f('fk_referrals_invited_id_participants')),
    sa.ForeignKeyConstraint(['referrer_id'], ['participants.id'], name=op.f('fk_referrals_referrer_id_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('invited_id', name=op.f('uq_referrals_invited_id'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_referrer_id'), ['referrer_id'], unique=False)
    op.create_table('contest_scores',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reached', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_scores_contest_id_contests')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_contest_scores_participant_id_participants')),
    sa.PrimaryKeyConstraint('contest_id', 'participant_id', name=op.f('pk_contest_scores'))
    )
    with op.batch_alter_table('contest_scores', schema=None) as batch_op:
        batch_op.create_index('ix_contest_scores_rank', ['contest_id', 'value', 'reached', 'participant_id'], unique=False)
    replace_ledger_checks(KINDS, SIGN)
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_kind_created', ['kind', 'created_at', 'participant_id', 'points'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_kind_created')
    drop_ledger_guard()
    op.execute("DELETE FROM ledger_entries WHERE kind IN ('training','survey','contest_prize','referral')")
    create_ledger_guard()
    replace_ledger_checks(OLD_KINDS, OLD_SIGN)

    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_status_decided')

    with op.batch_alter_table('training_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_training_attempts_training_participant')

    with op.batch_alter_table('contest_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_contest_scores_rank')
    op.drop_table('contest_scores')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_referrer_id'))
    op.drop_table('referrals')
    op.drop_table('referral_codes')
    op.drop_table('training_attempts')
    op.drop_table('survey_responses')
    op.drop_table('contest_results')
    with op.batch_alter_table('training_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_questions_training_id'))

    op.drop_table('training_questions')
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_questions_survey_id'))

    op.drop_table('survey_questions')
    op.drop_table('trainings')
    op.drop_table('tiers')
    op.drop_table('surveys')
    op.drop_table('contests')
