"""Which partner a seller's NIP belongs to: an outlet NIP routes claims, so one NIP has one partner.

Claims are routed to a partner by the seller NIP read from the receipt. Two partners with outlets under one
NIP would make the route arbitrary and show one distributor's customers' claims to another, so the admin
form, the CSV import and the programme loader all refuse it. Outlets of one partner may share a NIP (one
company, many shops).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db.models import Outlet, Partner


def outlet_of_another_partner(
    session: Session, nip: str, partner_id: int | None, exclude_codes: Collection[str] = ()
) -> Outlet | None:
    """Return an outlet (active or not) with this NIP that belongs to a partner other than `partner_id`.

    Args:
        nip: the outlet NIP, 10 digits.
        partner_id: the partner the outlet is saved for (None: a partner not created yet, so every owner of
            the NIP is another partner).
        exclude_codes: outlet codes whose stored row does not count (the outlet being saved, or outlets an
            import file rewrites).
    """
    query = select(Outlet).join(Partner).where(Outlet.nip == nip).order_by(Outlet.code)
    if partner_id is not None:
        query = query.where(Outlet.partner_id != partner_id)
    return next((o for o in session.scalars(query) if o.code not in exclude_codes), None)
