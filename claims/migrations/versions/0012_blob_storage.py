"""blob storage: uploads kept in PostgreSQL are stored out of line without compression

`blobs.data` holds what participants upload: JPEG, PNG, WebP, HEIC and AVIF photos and PDFs, formats that are
compressed already. PostgreSQL's default for bytea (STORAGE EXTENDED, pglz) tried to compress every upload
anyway: 15 ms of the server's CPU for a 1.1 MB phone photo (19 ms against 4 ms per insert, 39 against 12 ms
wall, 30 photos on an idle machine), saving next to nothing. STORAGE EXTERNAL keeps the out-of-line TOAST
storage and skips the compression. Rows already stored stay as they are; only new values are affected.
SQLite has no such setting: nothing to do there.

Revision ID: 0012_blob_storage
Revises: 0011_compete
Create Date: 2026-12-07 07:05:00
"""
from alembic import op

revision = '0012_blob_storage'
down_revision = '0011_compete'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTENDED")
