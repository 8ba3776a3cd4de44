"""The participant's reward shop, phone first: the catalogue (by category, "I can afford it", the points still
missing), a basket kept in the session, the delivery address from the profile, a confirmation step, then the
order (points debited in the same transaction); their orders, an electronic code shown once, cancelling."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for

from claims.db.reward_models import Reward
from claims.errors import ClaimsError
from claims.ledger import balance
from claims.roles import Role
from claims.services.accounts import participant_of
from claims.services.expiry import ExpiryRule, expiring
from claims.services.orders import (
    MAX_QUANTITY,
    OrderLine,
    OrderRules,
    cancel_order,
    codes_given,
    is_available,
    own_order,
    own_orders,
    place_order,
    year_value,
)
from claims.services.rewards import catalogue, categories, reveal_codes
from review_ui.access import acting_user, role_required
from review_ui.db import db, runtime, write
from review_ui.errors import flash_error
from review_ui.i18n import t

bp = Blueprint("shop", __name__)
BASKET = "basket"
MAX_BASKET = 30
PER_PAGE = 24


def _participant():
    return participant_of(db(), acting_user())


def _basket() -> dict[int, int]:
    raw = session.get(BASKET) or {}
    return {int(k): int(v) for k, v in raw.items()
            if str(k).isdigit() and 0 < int(k) < 2**31 and 0 < int(v) <= MAX_QUANTITY}


def _rules() -> OrderRules:
    settings = runtime().settings
    return OrderRules(settings.order_approval_points, Decimal(settings.tax_threshold_pln))


def expiry_rule() -> ExpiryRule:
    return ExpiryRule.parse(runtime().settings.points_expiry)


@bp.get("/me/rewards")
@role_required(Role.PARTICIPANT)
def rewards():
    participant = _participant()
    points = balance(db(), participant.id)
    category = request.args.get("category", "")[:100]
    affordable = request.args.get("affordable") == "1"
    page = max(1, request.args.get("page", 1, type=int))
    items, total = catalogue(db(), points, category, affordable, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("shop/rewards.html", items=items, total=total, points=points, page=page,
                           per_page=PER_PAGE, categories=categories(db()), category=category, affordable=affordable,
                           basket=_basket(), expiring=expiring(db(), expiry_rule(), participant.id)[:1])


@bp.get("/rewards/<int:reward_id>/image")
@role_required(Role.PARTICIPANT, Role.AUDITOR, Role.ADMIN, Role.PARTNER_REVIEWER)
def image(reward_id: int):
    reward = db().get(Reward, reward_id) if reward_id < 2**31 else None
    if reward is None or not reward.image_sha256:
        abort(404)
    data = runtime().blobs.get(reward.image_sha256)
    return Response(data, mimetype="image/jpeg", headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'", "Content-Disposition": "inline"})


@bp.post("/me/basket")
@role_required(Role.PARTICIPANT)
def add_to_basket():
    reward_id = request.form.get("reward_id", type=int)
    quantity = request.form.get("quantity", 1, type=int) or 0
    if reward_id is None or not 0 < reward_id < 2**31 or not 1 <= quantity <= MAX_QUANTITY:
        flash(t("error.bad_quantity"), "error")
        return redirect(url_for("shop.rewards"), code=303)
    basket = {} if request.form.get("only") else _basket()
    basket[reward_id] = min(MAX_QUANTITY, quantity if request.form.get("set") else basket.get(reward_id, 0) + quantity)
    session[BASKET] = {str(k): v for k, v in list(basket.items())[:MAX_BASKET]}
    if not request.form.get("only"):
        flash(t("shop.added"), "success")
    return redirect(url_for("shop.basket" if request.form.get("only") else "shop.rewards"), code=303)


@bp.post("/me/basket/remove")
@role_required(Role.PARTICIPANT)
def remove_from_basket():
    basket = _basket()
    basket.pop(request.form.get("reward_id", type=int) or 0, None)
    session[BASKET] = {str(k): v for k, v in basket.items()}
    return redirect(url_for("shop.basket"), code=303)


def _basket_view() -> tuple[list[dict], int, bool]:
    """The basket's lines with their rewards (unknown or withdrawn ones dropped), the total, any physical."""
    basket = _basket()
    rewards = {r.id: r for r in db().query(Reward).filter(Reward.id.in_(basket)).all()} if basket else {}
    today = datetime.now(UTC).date()
    lines = [{"reward": rewards[rid], "quantity": q, "points": rewards[rid].points * q}
             for rid, q in basket.items() if rid in rewards and is_available(rewards[rid], today)]
    return lines, sum(line["points"] for line in lines), any(line["reward"].delivery == "physical" for line in lines)


@bp.get("/me/basket")
@role_required(Role.PARTICIPANT)
def basket():
    participant = _participant()
    lines, total, physical = _basket_view()
    points = balance(db(), participant.id)
    return render_template("shop/basket.html", lines=lines, total=total, physical=physical, points=points,
                           address=participant.delivery_address, needs_tax=_needs_tax(participant.id, lines))


def _needs_tax(participant_id: int, lines: list[dict]) -> bool:
    value = sum((line["reward"].value_pln * line["quantity"] for line in lines), Decimal("0"))
    return year_value(db(), participant_id, datetime.now(UTC).year) + value > _rules().tax_threshold_pln


def _tax_form() -> dict | None:
    tax = {k: request.form.get(f"tax_{k}", "").strip()[:200] for k in ("name", "tax_id", "address", "tax_office")}
    return tax if tax["name"] and tax["tax_id"] else None


@bp.post("/me/basket/confirm")
@role_required(Role.PARTICIPANT)
def confirm():
    """The confirmation step: what will be ordered, for how many points, where to; nothing is placed yet."""
    participant = _participant()
    lines, total, physical = _basket_view()
    if not lines:
        return redirect(url_for("shop.rewards"), code=303)
    address = request.form.get("address", "").strip()[:500]
    if physical and not address:
        flash(t("error.address_required"), "error")
        return redirect(url_for("shop.basket"), code=303)
    points = balance(db(), participant.id)
    return render_template("shop/confirm.html", lines=lines, total=total, physical=physical, points=points,
                           address=address, save_address=bool(request.form.get("save_address")), tax=_tax_form())


@bp.post("/me/orders")
@role_required(Role.PARTICIPANT)
def place():
    user = acting_user()
    lines = [OrderLine(r, q) for r, q in _basket().items()]
    if not lines:
        return redirect(url_for("shop.rewards"), code=303)
    address = request.form.get("address", "").strip()[:500]

    def order(s):
        participant = participant_of(s, user)
        if request.form.get("save_address") and address:
            participant.delivery_address = address
        return place_order(s, participant, lines, address, _rules(), _tax_form()).id
    try:
        order_id = write(order)
    except ClaimsError as error:
        return flash_error(error, url_for("shop.basket"))
    session.pop(BASKET, None)
    flash(t("shop.placed"), "success")
    return redirect(url_for("shop.order", order_id=order_id), code=303)


@bp.get("/me/orders")
@role_required(Role.PARTICIPANT)
def orders():
    return render_template("shop/orders.html", orders=own_orders(db(), _participant().id))


@bp.get("/me/orders/<int:order_id>")
@role_required(Role.PARTICIPANT)
def order(order_id: int):
    user = acting_user()
    try:
        found = own_order(db(), participant_of(db(), user).id, order_id)
    except ClaimsError:
        abort(404)
    codes = []
    if codes_given(db(), found):
        codes = write(lambda s: reveal_codes(s, [item.id for item in own_order(
            s, participant_of(s, user).id, order_id).items]))
        found = own_order(db(), participant_of(db(), user).id, order_id)
    cancellable = found.status == "placed" and not codes
    response = Response(render_template("shop/order.html", order=found, codes=codes, cancellable=cancellable))
    response.headers["Cache-Control"] = "no-store"  # a code shown once is not kept by the browser
    return response


@bp.post("/me/orders/<int:order_id>/cancel")
@role_required(Role.PARTICIPANT)
def cancel(order_id: int):
    user = acting_user()
    try:
        write(lambda s: cancel_order(s, order_id, user, participant_id=participant_of(s, user).id))
    except ClaimsError as error:
        return flash_error(error, url_for("shop.order", order_id=order_id))
    flash(t("shop.cancelled"), "success")
    return redirect(url_for("shop.order", order_id=order_id), code=303)
