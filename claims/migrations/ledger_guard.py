"""The ledger's append-only guard, for revisions that must lift it to alter `ledger_entries` and put it back.

The first revision created it; a batch ALTER on SQLite rebuilds the table (its triggers go with it) and a
changed check constraint on PostgreSQL is easier with the trigger off, so later revisions drop and re-create it
with these two functions rather than each carrying a copy of the SQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_GUARD_PG = """
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
"""


def create_ledger_guard() -> None:
    """The database itself refuses UPDATE and DELETE on the ledger (as created by the first revision)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_GUARD_PG)
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ledger_entries_no_{verb.lower()} BEFORE {verb} ON ledger_entries "
            f"BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: {verb} refused'); END"
        )


def drop_ledger_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update ON ledger_entries")
        op.execute("DROP FUNCTION IF EXISTS ledger_entries_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_update")
    op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_delete")


def replace_ledger_checks(kinds: str, sign: str) -> None:
    """Put new `kind` and `sign` check constraints on `ledger_entries` (a revision adding an entry kind), with the
    guard lifted for the ALTER and put back after it."""
    drop_ledger_guard()
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entries_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_ledger_entries_sign'), type_='check')
        batch_op.create_check_constraint('kind', sa.text(kinds))
        batch_op.create_check_constraint('sign', sa.text(sign))
    create_ledger_guard()
