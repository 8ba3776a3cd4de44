"""A claim's lines as one compact table: the printed name, quantity, amount, the matched product with an
inline search, points; one save for every line, "accept all suggestions" above a threshold, and each line's
place on the document (the reading's text line that printed it) for the viewer to highlight."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from claims.db.models import Claim, User
from claims.errors import ConflictError, InvalidInputError, PermissionDeniedError
from claims.services.admin_catalogue import product_by_code, products_by_id, search_products
from claims.services.corrections import may_correct
from claims.services.matches import correct_line_match
from claims.services.review import get_visible_claim
from review_ui.access import REVIEWER_ROLES, acting_user, role_required
from review_ui.db import db, write
from review_ui.errors import flash_error
from review_ui.i18n import t, tn
from review_ui.review import DECISION_ERRORS, MAX_LINES, PRODUCT_RESULTS, _checked_id, bp
from verification.normalise import fold
from vocabulary.claims import REVIEW_STATES

#: A suggestion this sure (0–100) or more is taken by "accept all suggestions".
ACCEPT_AT = 70.0
#: How alike a reading's text line must be to a printed item name to be taken as its place on the document.
PLACE_MIN = 80


def line_views(session: Session, lines: list | None, fields: dict | None = None) -> list[dict]:
    """Each line with its read quantity and amount, its product, and its alternatives named ({id, name, sku,
    score}), best first."""
    rows = [(i, line) for i, line in enumerate((lines or [])[:MAX_LINES]) if isinstance(line, dict)]
    wanted = {_product_id(alt[0]) for _, line in rows for alt in _alternatives(line)}
    products = products_by_id(session, {i for i in wanted if i is not None})
    read = _read_items(fields)
    views = []
    for index, line in rows:
        named = [(products.get(_product_id(alt[0])), alt[1]) for alt in _alternatives(line)]
        item = read.get(" ".join(str(line.get("item") or "").split()), {})
        views.append({
            "index": index, "item": str(line.get("item") or ""), "product_id": line.get("product_id"),
            "product_name": line.get("product_name"), "score": _percent(line.get("score")),
            "points": line.get("points") or 0, "eligible": bool(line.get("eligible")),
            "reason": line.get("reason"), "auto": bool(line.get("auto")), "method": str(line.get("method") or ""),
            "qty": str(item.get("qty") or item.get("quantity") or ""), "amount": item.get("amount"),
            "alternatives": [{"id": p.id, "name": p.name, "sku": p.sku, "score": _percent(score)}
                             for p, score in named if p is not None],
        })
    return views


def _read_items(fields: dict | None) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for item in (fields or {}).get("items") or []:
        if isinstance(item, dict) and item.get("name"):
            found.setdefault(" ".join(str(item["name"]).split()), item)
    return found


def _alternatives(line: dict) -> list:
    found = line.get("alternatives") or []
    return [alt for alt in found if isinstance(alt, list | tuple) and len(alt) == 2][:10]


def _product_id(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _percent(score: object) -> str:
    try:
        return f"{float(score):.0f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"


def with_line_boxes(views: list[dict], claim: Claim) -> list[dict]:
    """The document views with a box for each line (field "line-<index>"): the reading's text line most like
    the printed name, when one is alike enough."""
    names = [(i, fold(str(line.get("item") or ""))) for i, line in enumerate((claim.lines or [])[:MAX_LINES])
             if isinstance(line, dict) and line.get("item")]
    if not names:
        return views
    readings = {d.id: d.reading for d in claim.documents}
    for view in views:
        for page in view["pages"]:
            if page["width"]:
                page["boxes"] = page["boxes"] + _places(readings.get(view["id"]), page["number"], names)
    return views


def _places(reading: dict | None, number: int, names: list[tuple[int, str]]) -> list[dict]:
    page = next((p for p in (reading or {}).get("pages") or [] if isinstance(p, dict) and p.get("number") == number),
                None)
    texts = [(fold(str(line.get("text") or "")), line.get("box")) for line in (page or {}).get("lines") or []
             if isinstance(line, dict)]
    found = []
    for index, name in names:
        scored = [(fuzz.partial_ratio(name, text), box) for text, box in texts if text and box]
        if scored:
            score, box = max(scored, key=lambda pair: pair[0])
            if score >= PLACE_MIN and isinstance(box, list) and len(box) == 4:
                found.append({"field": f"line-{index}", "x": box[0], "y": box[1], "w": box[2], "h": box[3]})
    return found


@bp.get("/review/products")
@role_required(*REVIEWER_ROLES)
def product_search():
    """Active catalogue products for the line picker: {"products": [{id, sku, name, ean}]}."""
    found = search_products(db(), request.args.get("q", "")[:100], PRODUCT_RESULTS)
    return jsonify(products=[{"id": p.id, "sku": p.sku, "name": p.name, "ean": p.ean} for p in found])


@bp.post("/review/claims/<claim_id>/lines")
@role_required(*REVIEWER_ROLES)
def save_lines(claim_id: str):
    """Every line's product in one save (or every suggestion above ACCEPT_AT); the points counted once more."""
    user, claim_id = acting_user(), _checked_id(claim_id)
    back = url_for("review.claim", claim_id=claim_id, _anchor="lines")
    accept = request.form.get("accept_suggestions") == "1"
    try:
        changed, points = write(lambda s: _save_lines(s, user, claim_id, request.form, accept))
    except DECISION_ERRORS as error:
        return flash_error(error, back)
    flash(tn("lines.saved", changed, points=points) if changed else t("fields.unchanged"),
          "success" if changed else "info")
    return redirect(back, code=303)


def _editable(session: Session, user: User, claim_id: str) -> Claim:
    found = get_visible_claim(session, user, claim_id)
    if found.status not in REVIEW_STATES:
        raise ConflictError(f"claim is {found.status}", code="already_decided")
    if not may_correct(user, found):
        raise PermissionDeniedError("flagged claims are corrected by auditors")
    return found


def _save_lines(session: Session, user: User, claim_id: str, form, accept: bool) -> tuple[int, int]:
    found = _editable(session, user, claim_id)
    lines = [line if isinstance(line, dict) else {} for line in (found.lines or [])[:MAX_LINES]]
    wanted = _suggested(lines) if accept else _chosen_lines(session, lines, form)
    for index, product_id in wanted.items():
        correct_line_match(session, user, claim_id, index, product_id)
    return len(wanted), session.get(Claim, claim_id).points_proposed


def _suggested(lines: list[dict]) -> dict[int, int]:
    """The lines whose suggested product (not yet confirmed) is at least ACCEPT_AT sure."""
    wanted = {}
    for index, line in enumerate(lines):
        alternatives = _alternatives(line)
        suggestion = _product_id(line.get("product_id")) or (_product_id(alternatives[0][0]) if alternatives else None)
        score = line.get("score") if line.get("product_id") else (alternatives[0][1] if alternatives else 0)
        if not line.get("auto") and suggestion is not None and float(score or 0) >= ACCEPT_AT:
            wanted[index] = suggestion
    return wanted


def _chosen_lines(session: Session, lines: list[dict], form) -> dict[int, int | None]:
    """The lines whose product the form changes: a picked id, "none", or a SKU/EAN (or "name · SKU") typed."""
    wanted: dict[int, int | None] = {}
    for index, line in enumerate(lines):
        chosen = str(form.get(f"line-{index}", "")).strip()[:20]
        typed = " ".join(str(form.get(f"q-{index}", "")).split())[:200]
        current = line.get("product_id")
        if chosen == "none":
            if current is not None or line.get("method") != "reviewer":
                wanted[index] = None
        elif chosen:
            product = products_by_id(session, {int(chosen)}).get(int(chosen)) if chosen.isdigit() else None
            if product is None:
                raise InvalidInputError("no such product", code="unknown_product")
            if product.id != current or not line.get("auto"):
                wanted[index] = product.id
        elif typed and typed != (line.get("product_name") or ""):
            product = product_by_code(session, typed.rsplit(" · ", 1)[-1])
            if product is None:
                raise InvalidInputError("no such product", code="unknown_product")
            wanted[index] = product.id
    return wanted


@bp.post("/review/claims/<claim_id>/lines/<int:line_index>")
@role_required(*REVIEWER_ROLES)
def correct_line(claim_id: str, line_index: int):
    """Set one line's product (or "not a programme product"); the partner's printed name is learned."""
    user, claim_id = acting_user(), _checked_id(claim_id)
    back = url_for("review.claim", claim_id=claim_id, _anchor=f"line-{line_index}")
    chosen, code = request.form.get("product_id", "").strip()[:20], request.form.get("sku", "").strip()[:100]
    try:
        line, points = write(lambda s: _correct_line(s, user, claim_id, line_index, chosen, code))
    except DECISION_ERRORS as error:
        return flash_error(error, back)
    if line["product_id"] is None:
        flash(t("lines.set_none", points=points), "success")
    else:
        flash(t("lines.set_product", product=line["product_name"], points=points), "success")
    return redirect(back, code=303)


def _correct_line(session: Session, user: User, claim_id: str, index: int, chosen: str, code: str):
    _editable(session, user, claim_id)
    line = correct_line_match(session, user, claim_id, index, _chosen_product(session, chosen, code))
    return line, session.get(Claim, claim_id).points_proposed


def _chosen_product(session: Session, chosen: str, code: str) -> int | None:
    """The picked product id; "none" for not a programme product; else the product with SKU/EAN `code`."""
    if chosen == "none":
        return None
    if chosen:
        product = products_by_id(session, {int(chosen)}).get(int(chosen)) if chosen.isdigit() else None
    elif code:
        product = product_by_code(session, code)
    else:
        raise InvalidInputError("choose a product", code="choose_product")
    if product is None:
        raise InvalidInputError("no such product", code="unknown_product")
    return product.id
