"""Two claims side by side: a duplicate's documents at the same zoom, the fields they share highlighted."""

from __future__ import annotations

from flask import render_template

from claims.errors import NotFoundError
from claims.services.review import get_visible_claim
from review_ui.access import REVIEWER_ROLES, acting_user, role_required
from review_ui.claim_pages import MAX_CLAIM_ID, document_views, read_fields
from review_ui.db import db
from review_ui.documents import document_page_count
from review_ui.review import bp

#: The fields compared; a match on these is what makes two documents one purchase.
COMPARED = ("seller_nip", "seller_name", "document_number", "date", "time", "total", "vat_total", "buyer_nip")


@bp.get("/review/claims/<claim_id>/compare/<other_id>")
@role_required(*REVIEWER_ROLES)
def compare(claim_id: str, other_id: str):
    """Both claims' documents side by side with one zoom; the other claim is shown only to whoever may see it
    (a partner never sees another partner's claim: the page then says so)."""
    session, user = db(), acting_user()
    if len(claim_id) > MAX_CLAIM_ID or len(other_id) > MAX_CLAIM_ID:
        raise NotFoundError("no such claim")
    mine = get_visible_claim(session, user, claim_id)
    try:
        other = get_visible_claim(session, user, other_id)
    except NotFoundError:
        other = None
    rows = _field_rows(mine.fields or {}, (other.fields or {}) if other else {})
    matching = {name for name, _, _, same in rows if same}
    sides = [_side(mine, matching)] + ([_side(other, matching)] if other else [])
    return render_template("review/compare.html", claim=mine, other=other, other_id=other_id, rows=rows,
                           sides=sides, fields=read_fields(mine.fields))


def _field_rows(mine: dict, theirs: dict) -> list[tuple[str, str, str, bool]]:
    """(field, this claim's value, the other's, whether they match) for every compared field either has."""
    rows = []
    for name in COMPARED:
        a, b = str(mine.get(name) or ""), str(theirs.get(name) or "")
        if a or b:
            rows.append((name, a or "—", b or "—", bool(a) and a == b))
    return rows


def _side(claim, matching: set[str]) -> dict:
    views = document_views(claim.documents, document_page_count)
    for view in views:
        for page in view["pages"]:
            page["boxes"] = [dict(box, match=box["field"] in matching) for box in page["boxes"]]
    return {"claim": claim, "documents": views}
