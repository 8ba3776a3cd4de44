"""Staff screens in a real Chromium: a promotion beside the running programme, corrections that are never lost
(a failed save, A with unsaved edits, text that is too long), a duplicate side by side, the reports' CSV opened
with Python's csv module using ';', and zero critical or serious axe-core violations on the staff pages."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, Outlet
from tests.e2e.a11y import assert_accessible
from tests.e2e.browser import LiveApp
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT_2, PASSWORD, REVIEWER_A, Claims
from tests.review_ui.test_campaigns import _processed
from vocabulary.claims import ClaimStatus

pytestmark = pytest.mark.e2e

DESK = {"viewport": {"width": 1366, "height": 900}, "accept_downloads": True}


def _page(chromium, live: LiveApp, email: str):
    page = chromium.new_context(**DESK).new_page()
    page.goto(f"{live.url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    return page


def _stored(live: LiveApp, claim_id: str) -> Claim:
    with live.runtime.sessions() as session:
        return session.scalar(select(Claim).where(Claim.id == claim_id))


def test_a_promotion_runs_beside_the_base_programme(chromium, live_app, screenshot):
    admin = _page(chromium, live_app, ADMIN)
    admin.goto(f"{live_app.url}/admin/campaigns/new")
    admin.fill("#f-code", "WIOSNA2027")
    admin.fill("#f-name", "Wiosenna premia 2027")
    admin.fill("#f-starts_on", "2027-02-01")
    admin.fill("#f-ends_on", "2027-03-31")
    admin.fill("#f-points_per_pln", "2")
    with admin.expect_navigation():
        admin.click("#campaign-form button[type=submit]")
    assert "nakłada się na inne aktywne akcje" in admin.inner_text(".flashes")
    assert "Program testowy" in admin.inner_text('#campaign-overlaps li[data-overlap="TEST-2026"]')
    screenshot(admin, "30-admin-campaign-overlap")
    assert_accessible(admin, "campaign form with its overlap")
    for path in ("/admin/campaigns", "/admin", "/admin/partners", "/admin/catalogue", "/admin/codes",
                 "/admin/users", "/admin/import"):
        admin.goto(live_app.url + path)
        assert_accessible(admin, path)

    claim_id = _processed(live_app.runtime, Claims(live_app.runtime))  # a receipt of 2026-11-25
    stored = _stored(live_app, claim_id)
    assert stored.status == "pending_review", stored.reasons
    assert "outside_campaign_period" not in [r["code"] for r in stored.reasons]
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review/claims/{claim_id}")
    assert partner.locator('#campaign-parts tr[data-campaign="TEST-2026"]').count() == 1
    assert partner.locator('#campaign-parts tr[data-campaign="WIOSNA2027"]').count() == 0


def _pending(live: LiveApp) -> str:
    return Claims(live.runtime).pending(points=120)


def test_a_failed_save_keeps_every_typed_value(chromium, live_app, screenshot):
    claim_id = _pending(live_app)
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review/claims/{claim_id}")
    partner.fill("#field-document_number", "PAR/555/2026")
    partner.fill("#field-total", "600.00")
    partner.fill("#field-date", "31.02.2026")
    with partner.expect_navigation():
        partner.click("#save-fields")
    assert partner.input_value("#field-document_number") == "PAR/555/2026"
    assert partner.input_value("#field-total") == "600.00" and partner.input_value("#field-date") == "31.02.2026"
    assert "2026-11-14, 14.11.2026 lub 14/11/2026" in partner.inner_text("#field-date-error")
    screenshot(partner, "31-partner-failed-save-kept")
    assert_accessible(partner, "claim after a failed save")
    partner.fill("#field-date", "14/11/2026")
    partner.locator("#points-preview", has_text="pkt").wait_for()
    preview = partner.inner_text("#points-preview")  # the points this correction gives, before it is saved
    assert preview.startswith("Po tej poprawce:") and "(teraz 120 pkt)" in preview
    expected = int(preview.split(":")[1].split("pkt")[0])
    with partner.expect_navigation():
        partner.click("#save-fields")
    assert "Poprawiono 3 pola." in partner.inner_text(".flashes")
    stored = _stored(live_app, claim_id)
    assert (stored.fields["date"], stored.fields["total"], stored.fields["document_number"]) == (
        "2026-11-14", "600.00", "PAR/555/2026")
    assert stored.points_proposed == expected  # what the preview promised
    assert "nie zmienia punktów" in partner.inner_text("#fields-hint")


def test_approving_with_unsaved_edits_saves_them_first(chromium, live_app, screenshot):
    claim_id = _pending(live_app)
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review/claims/{claim_id}")
    partner.fill("#field-document_number", "PAR/888/2026")
    assert partner.is_visible("#unsaved-note")
    partner.locator("h1").click()  # leave the input: keys act on the page
    partner.keyboard.press("a")
    partner.wait_for_selector("#approve-confirm[open]")
    assert partner.is_visible("#approve-confirm [data-unsaved-hint]")
    screenshot(partner, "32-partner-approve-confirm-with-edits")
    assert_accessible(partner, "approval confirm")
    with partner.expect_navigation():
        partner.keyboard.press("Enter")
    stored = _stored(live_app, claim_id)
    assert stored.status == "approved" and stored.fields["document_number"] == "PAR/888/2026"


def test_too_long_text_is_refused_with_its_limit(chromium, live_app):
    claim_id = _pending(live_app)
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review/claims/{claim_id}")
    partner.fill("#field-seller_name", "Hurtownia " * 500)
    with partner.expect_navigation():
        partner.click("#save-fields")
    assert "najwyżej 300 znaków, wpisano 4999" in partner.inner_text("#field-seller_name-error")
    assert partner.input_value("#field-seller_name") == "Hurtownia " * 500  # kept as typed, not cut
    assert _stored(live_app, claim_id).fields["seller_name"] != ("Hurtownia " * 500)[:300]


def test_a_duplicate_side_by_side_at_one_zoom(chromium, live_app, screenshot):
    claims = Claims(live_app.runtime)
    prior = claims.pending()
    duplicate = claims.pending(participant_email=PARTICIPANT_2, reasons=[{
        "code": "duplicate", "severity": "blocking",
        "evidence": {"by": "same_document", "other_participant": True, "prior_claim": prior}}])
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review/claims/{duplicate}")
    assert "inny uczestnik zgłosił już" in partner.inner_text('[data-reason="duplicate"]')
    with partner.expect_navigation():
        partner.click("[data-compare]")
    assert partner.locator(".compare-side").count() == 2
    assert partner.locator("#compare-fields tr.match").count() >= 3
    partner.fill("#compare-zoom", "200")
    partner.dispatch_event("#compare-zoom", "input")
    widths = [partner.locator(".compare-page").nth(i).bounding_box()["width"] for i in (0, 1)]
    assert abs(widths[0] - widths[1]) < 1
    screenshot(partner, "33-partner-duplicate-side-by-side")
    assert_accessible(partner, "side by side")
    with partner.expect_navigation():
        partner.click(f'.compare-side[data-claim="{prior}"] h2 a')
    assert prior[:8] in partner.inner_text("h1")


def test_reports_csv_opens_with_semicolons_and_staff_pages_are_accessible(chromium, live_app, screenshot):
    claims = Claims(live_app.runtime)
    approved = claims.pending(points=50)
    flagged = claims.pending(status=ClaimStatus.FLAGGED, reasons=[{"code": "unusual_amount", "severity": "warning",
                                                         "evidence": {"total": "9000", "median": "100",
                                                                      "scope": "outlet", "samples": 12}}])
    with transaction(live_app.runtime.sessions) as session:  # a long hash in the audit trail
        outlet = session.scalar(select(Outlet).where(Outlet.code == "A-WAW"))
        outlet.aliases = ["f" * 64]
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review")
    assert_accessible(partner, "queue")
    partner.goto(f"{live_app.url}/review/claims/{approved}")
    assert_accessible(partner, "claim")
    partner.click("#approve-form button[type=submit]")
    with partner.expect_navigation():
        partner.click("#approve-confirm [data-confirm-yes]")

    auditor = _page(chromium, live_app, AUDITOR)
    for path in ("/audit/flagged", "/audit/log", "/audit/sample", "/audit/partners", "/audit/search?status=approved",
                 f"/review/claims/{flagged}",
                 f"/review/claims/{approved}"):
        auditor.goto(live_app.url + path)
        assert_accessible(auditor, path)
        assert auditor.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    assert auditor.locator(".audit-log").count() >= 1
    auditor.goto(f"{live_app.url}/reports?days=30")
    auditor.wait_for_selector("canvas[data-drawn]")
    screenshot(auditor, "34-reports")
    assert_accessible(auditor, "reports")
    with auditor.expect_download() as download:
        auditor.click("#csv-partners")
    body = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] == "Partner" and len(rows[0]) == 8
    hurt_a = next(r for r in rows[1:] if r[1] == "HURT-A")
    assert hurt_a[4] == "1" and hurt_a[5] == "100"


def test_lines_are_one_table_with_keyboard_and_their_place_on_the_document(chromium, live_app, screenshot):
    from claims.db.models import Product
    from claims.services.processing import save_reading

    claims = Claims(live_app.runtime)
    claim_id = claims.pending(points=0)
    with transaction(live_app.runtime.sessions) as session:
        glue, grout = (session.scalar(select(Product.id).where(Product.sku == sku)) for sku in ("KL-25", "FG-SZ-2"))
        claim = session.get(Claim, claim_id)
        claim.fields = {**claim.fields, "items": [{"name": "KLEJ 25KG", "quantity": 2, "amount": "100.00"},
                                                  {"name": "FUGA SZARA", "quantity": 1, "amount": "20.00"}]}
        claim.lines = [{"item": "KLEJ 25KG", "product_id": glue, "product_name": "KLEJ DO PLYTEK 25KG", "score": 90.0,
                        "points": 0, "eligible": False, "reason": "product_match_uncertain", "auto": False,
                        "method": "catalogue", "alternatives": [[glue, 90.0]]},
                       {"item": "FUGA SZARA", "product_id": None, "product_name": None, "score": 40.0, "points": 0,
                        "eligible": False, "reason": "product_not_recognised", "auto": False, "method": "none",
                        "alternatives": [[grout, 40.0]]}]
    reading = {"media_type": "image/png", "seconds": 0.1, "pages": [
        {"number": 1, "width": 40, "height": 60, "source": "ocr", "mean_confidence": 0.9, "steps": [],
         "lines": [{"text": "KLEJ 25KG 2 x 50,00", "box": [2, 10, 30, 4], "words": []},
                   {"text": "FUGA SZARA 1 x 20,00", "box": [2, 20, 30, 4], "words": []}]}]}
    with transaction(live_app.runtime.sessions) as session:
        save_reading(session, claims.document_ids(claim_id)[0], reading, {"fields": {}}, None)
    partner = _page(chromium, live_app, REVIEWER_A)
    partner.goto(f"{live_app.url}/review/claims/{claim_id}")
    assert partner.locator("#lines select").count() == 0 and partner.locator("#lines input.product-combo").count() == 2
    partner.hover("#line-1")
    assert "active" in partner.get_attribute('rect.box[data-field="line-1"]', "class")
    partner.focus("#line-0-product")
    assert "active" in partner.get_attribute('rect.box[data-field="line-0"]', "class")
    partner.keyboard.press("Enter")  # the next line
    assert partner.evaluate("document.activeElement.id") == "line-1-product"
    partner.fill("#line-1-product", "FUGA")
    partner.locator('#line-1-options option.search-result').first.wait_for(state="attached")
    partner.fill("#line-1-product", partner.get_attribute('#line-1-options option.search-result', "value"))
    assert partner.input_value('input[name="line-1"]') != ""
    screenshot(partner, "35-partner-lines-table")
    assert_accessible(partner, "claim with its lines")
    with partner.expect_navigation():
        partner.keyboard.press("Control+Enter")  # one save for every line
    assert "Zapisano 1 dopasowanie" in partner.inner_text(".flashes")
    assert _stored(live_app, claim_id).lines[1]["method"] == "reviewer"
