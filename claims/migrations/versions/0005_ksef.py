"""KSeF e-invoices: the exact identities of the documents a claim carries

- document_keys: one row per exact identity of a claim's invoice (the hash of its XML, read from the XML or its
  KOD I QR code; its KSeF number; its seller NIP and number), looked up to find the same invoice claimed again.
- partner_sales: partners' own records of the invoices they issued to participants, matched to claims.

Revision ID: 0005_ksef
Revises: 0004
Create Date: 2026-12-06 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_ksef'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_document_keys_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_keys')),
    sa.UniqueConstraint('claim_id', 'key', name='uq_document_keys_claim_key')
    )
    with op.batch_alter_table('document_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_keys_key'), ['key'], unique=False)

    op.create_table('partner_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('ksef_number', sa.String(length=36), nullable=True),
    sa.Column('seller_nip', sa.String(length=10), nullable=False),
    sa.Column('document_number', sa.String(length=100), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('buyer_nip', sa.String(length=10), nullable=True),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_sales_partner_id_partners')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_partner_sales_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_sales')),
    sa.UniqueConstraint('partner_id', 'key', name='uq_partner_sales_partner_key')
    )
    with op.batch_alter_table('partner_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_sales_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_sales_partner_id'), ['partner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('partner_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_sales_partner_id'))
        batch_op.drop_index(batch_op.f('ix_partner_sales_key'))
    op.drop_table('partner_sales')
    with op.batch_alter_table('document_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_keys_key'))
    op.drop_table('document_keys')
