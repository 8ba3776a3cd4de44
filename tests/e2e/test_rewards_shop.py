"""The reward shop on a phone (390x844) in a real Chromium: catalogue with the "I can afford it" filter and the
points missing, an order with the delivery address and the confirmation step, an electronic code shown at
once, the points leaving the balance; axe-core finds no serious violation on any shop page."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Participant, User
from claims.db.reward_models import Reward
from claims.ledger import adjust_points, balance
from claims.services.rewards import check_reward, import_codes, save_reward
from tests.e2e.a11y import assert_accessible
from tests.review_ui.helpers import ADMIN, PARTICIPANT, PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _catalogue(runtime) -> int:
    with transaction(runtime.sessions) as session:
        participant = session.scalar(select(Participant).join(User).where(User.email == PARTICIPANT))
        admin = session.scalar(select(User).where(User.email == ADMIN))
        adjust_points(session, participant.id, 300, "premia powitalna", admin, uuid.uuid4().hex)
        rows = [{"code": "KUBEK", "name": "Kubek termiczny", "points": "90", "category": "Dom", "stock": "5"},
                {"code": "BON-KAWA", "name": "E-bon na kawę", "points": "50", "category": "Bony", "delivery": "code"},
                {"code": "KARTA-100", "name": "Doładowanie karty 100 zł", "points": "240", "category": "Karty",
                 "delivery": "topup", "topup_pln": "100"},
                {"code": "ROWER", "name": "Rower miejski", "points": "5000", "category": "Sport", "stock": "1"}]
        for row in rows:
            reward, _ = save_reward(session, check_reward({**row, "value_pln": "20"}), None)
            if row["code"] == "BON-KAWA":
                import_codes(session, reward, ["KAWA-1234-ABCD"], None)
        return participant.id


def test_a_participant_orders_a_reward_on_a_phone(chromium, live_app, screenshot):
    participant_id = _catalogue(live_app.runtime)
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_app.url}/login")
    page.fill("#email", PARTICIPANT)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_app.url}/me/rewards")
    assert page.locator("[data-missing='4700']").count() == 1  # the bike: 5000 - 300 points missing
    assert_accessible(page, "catalogue")
    screenshot(page, "30-shop-catalogue-phone")
    page.check("input[name=affordable]")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "Rower" not in page.content()

    with transaction(live_app.runtime.sessions) as session:
        voucher = session.scalar(select(Reward.id).where(Reward.code == "BON-KAWA"))
        mug = session.scalar(select(Reward.id).where(Reward.code == "KUBEK"))
    page.click(f"[data-reward='{mug}'] button[name=only]")
    page.wait_for_load_state()
    assert_accessible(page, "basket")
    page.fill("#address", "ul. Dekarzy 5, 30-001 Kraków")
    page.click("form[action$='/me/basket/confirm'] button[type=submit]")
    page.wait_for_load_state()
    assert_accessible(page, "confirmation")
    screenshot(page, "31-shop-confirm-phone")
    page.click("#place-order")
    page.wait_for_load_state()
    assert page.locator("#order-status").count() == 1
    assert_accessible(page, "order")

    page.goto(f"{live_app.url}/me/rewards")
    page.click(f"[data-reward='{voucher}'] button[name=only]")
    page.wait_for_load_state()
    page.click("form[action$='/me/basket/confirm'] button[type=submit]")
    page.wait_for_load_state()
    page.click("#place-order")
    page.wait_for_load_state()
    assert page.locator(".reward-code").inner_text() == "KAWA-1234-ABCD"
    assert_accessible(page, "order with a code")
    screenshot(page, "32-shop-code-phone")

    page.goto(f"{live_app.url}/me/points")
    assert "1 × Kubek termiczny" in page.content()
    assert_accessible(page, "points history")
    page.goto(f"{live_app.url}/me/orders")
    assert_accessible(page, "orders")
    with live_app.runtime.sessions() as session:
        assert balance(session, participant_id) == 300 - 90 - 50
