"""The people's side in a real Chromium: a participant signs up and sends a receipt from a phone, the real
reading pipeline routes it, a partner corrects a field and approves with the keyboard, an auditor reverses it,
and the participant's balance follows every step. Screenshots of each main page go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from claims.db.models import Claim
from tests.e2e.browser import RECEIPT, LiveApp
from tests.review_ui.helpers import AUDITOR, PASSWORD, REVIEWER_A

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}


def _process(live: LiveApp, claim_id: str) -> None:
    """What a worker does: read the receipt with tesseract, extract, verify and route it."""
    from workers import runtime as worker_runtime
    from workers.jobs import process_claim

    worker_runtime.install(live.runtime)
    assert process_claim(claim_id) == "processed"


def _claim(live: LiveApp, claim_id: str) -> Claim:
    with live.runtime.sessions() as session:
        return session.scalar(select(Claim).where(Claim.id == claim_id))


def _log_in(page, live: LiveApp, email: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _sign_up_and_send(chromium, live: LiveApp, screenshot) -> tuple[object, str]:
    phone = chromium.new_context(**PHONE).new_page()
    phone.goto(f"{live.url}/register")
    phone.fill("#r-email", "monika.dekarz@example.pl")
    phone.fill("#r-password", "dach-i-rynny-2026")
    phone.fill("#r-password-again", "dach-i-rynny-2026")
    phone.fill("#r-name", "Monika Dekarz")
    phone.fill("#r-company", "Dekarz Monika Nowicka")
    phone.fill("#r-nip", "5213017228")
    phone.check("input[name=consent_rules]")
    phone.check("input[name=consent_marketing]")
    assert _fits_the_screen(phone)
    screenshot(phone, "01-participant-register-phone")
    phone.click("#register-form button[type=submit]")
    phone.wait_for_url(re.compile(r".*/me$"))
    assert "Witamy w programie!" in phone.inner_text("main")
    # the camera and the gallery are two actions (issue 15): one input with capture forced the camera
    assert phone.get_attribute("#camera", "capture") == "environment"
    assert phone.get_attribute("#files", "capture") is None
    phone.set_input_files("#files", str(RECEIPT))
    screenshot(phone, "02-participant-home-phone")
    phone.click(".upload button[type=submit]")
    phone.wait_for_url(re.compile(r".*/me/claims/[0-9a-f-]{36}$"))
    claim_id = phone.url.rsplit("/", 1)[-1]
    assert phone.inner_text("#claim-status") == "Przyjęte"
    assert live.queue.enqueued == [claim_id]
    return phone, claim_id


def _partner_corrects_and_approves(chromium, live: LiveApp, screenshot) -> int:
    """The partner corrects the total and approves; returns the points (the lines', which the total does not
    change)."""
    partner = chromium.new_context(**DESK).new_page()
    _log_in(partner, live, REVIEWER_A)
    assert partner.url.endswith("/review")
    screenshot(partner, "04-partner-queue")
    partner.click("a.queue-link >> nth=0")
    partner.wait_for_selector("svg.boxes rect.box[data-field=total]")
    partner.click("#field-total")
    assert "active" in partner.get_attribute("svg.boxes rect.box[data-field=total]", "class")
    points = int(partner.inner_text("#points-proposed"))
    assert points > 0  # the sample's glue and grout lines match the demo catalogue
    partner.fill("#field-total", "300.00")
    partner.click("#save-fields")
    partner.wait_for_selector(".flash-success")
    assert partner.input_value("#field-total") == "300.00"
    assert partner.inner_text("#points-proposed") == str(points)
    screenshot(partner, "05-partner-claim-corrected")
    partner.click("[data-zoom=in]")
    partner.click("[data-rotate]")
    assert partner.get_attribute("[data-viewer]", "data-rotation") == "90"
    screenshot(partner, "05b-partner-claim-zoomed-rotated")
    partner.click("[data-zoom=fit]")
    partner.locator("body").click(position={"x": 5, "y": 300})  # leave the inputs: keys act on the page
    partner.keyboard.press("a")
    partner.wait_for_selector("#approve-confirm[open]")  # the approval asks to confirm: Enter does
    with partner.expect_navigation():
        partner.keyboard.press("Enter")
    assert "Zgłoszenie zatwierdzone" in partner.inner_text("main")
    return points


def _auditor_reverses(chromium, live: LiveApp, claim_id: str, screenshot) -> None:
    auditor = chromium.new_context(**DESK).new_page()
    _log_in(auditor, live, AUDITOR)
    auditor.goto(f"{live.url}/review/claims/{claim_id}")
    assert auditor.locator(".audit-log tr[data-action=claim_fields_corrected]").count() == 1
    auditor.fill("#reverse-comment", "Faktura korygująca od hurtowni")
    with auditor.expect_navigation():
        auditor.click("#reverse-form button[type=submit]")
    assert auditor.inner_text("#claim-status") == "Cofnięte"
    screenshot(auditor, "06-auditor-claim-reversed")
    for path, name in (("/audit/flagged", "07-auditor-flagged"), ("/audit/search?status=reversed", "08-auditor-search"),
                       ("/audit/log", "09-auditor-log"), ("/audit/partners", "10-auditor-partners"),
                       ("/reports?days=7", "11-reports")):
        auditor.goto(live.url + path)
        assert auditor.locator("h1").count() == 1, path
        screenshot(auditor, name)


def test_participant_partner_and_auditor_in_a_browser(chromium, live_app, screenshot):
    phone, claim_id = _sign_up_and_send(chromium, live_app, screenshot)
    _process(live_app, claim_id)
    assert _claim(live_app, claim_id).status == "pending_review", _claim(live_app, claim_id).reasons
    phone.reload()
    assert phone.inner_text("#claim-status") == "Czeka na weryfikację partnera"
    screenshot(phone, "03-participant-claim-phone")

    points = _partner_corrects_and_approves(chromium, live_app, screenshot)
    claim = _claim(live_app, claim_id)
    assert (claim.status, claim.points_proposed, claim.fields["total"]) == ("approved", points, "300.00")
    phone.goto(f"{live_app.url}/me")
    assert phone.inner_text("#balance") == str(points)

    _auditor_reverses(chromium, live_app, claim_id, screenshot)
    phone.goto(f"{live_app.url}/me/points")
    assert phone.inner_text("#balance") == "0"
    assert _fits_the_screen(phone)
    screenshot(phone, "12-participant-points-phone")
    phone.goto(f"{live_app.url}/me/consents")
    phone.click("#toggle-marketing")
    phone.wait_for_selector("[data-consent=marketing][data-given=no]")
    screenshot(phone, "13-participant-consents-phone")
