"""indexes for the auditors' queue and the flagged list at 100,000+ claims

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 13:10:00

bench/ui_queue.py measured the auditor queue and claim page over 150 ms p95 without (status, submitted_at);
the flagged list ranks by risk, which needs (status, risk_score).
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claims_status_submitted", "claims", ["status", "submitted_at", "id"])
    op.create_index("ix_claims_status_risk", "claims", ["status", "risk_score", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_claims_status_risk", table_name="claims")
    op.drop_index("ix_claims_status_submitted", table_name="claims")
