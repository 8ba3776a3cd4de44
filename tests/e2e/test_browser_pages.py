"""The document viewer in a real Chromium: every page of a three-page invoice, a field's box found on the page it
was read on, and pages turned sideways that still stack without overlapping."""

from __future__ import annotations

import pytest

from tests.e2e.a11y import assert_accessible, axe_violations
from tests.e2e.browser import LiveApp, wait_until
from tests.review_ui.helpers import PASSWORD, REVIEWER_A, Claims, pdf_bytes

pytestmark = pytest.mark.e2e

DESK = {"viewport": {"width": 1366, "height": 900}}
#: The total read near the bottom of page 2 of an A4 invoice (PDF points).
EXTRACTION = {"kind": "invoice", "items": [], "fields": {
    "total": {"value": "120.00", "confidence": 0.9, "sure": True,
              "boxes": [{"page": 2, "box": [400.0, 700.0, 120.0, 18.0]}]},
}}
#: Whether an element lies inside the visible part of the viewer's scrolling stage.
IN_STAGE = """element => {
  const stage = element.closest('.viewer-stage').getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return box.top >= stage.top && box.bottom <= stage.bottom;
}"""


def _claim_page(chromium, live: LiveApp, screenshot):
    claims = Claims(live.runtime)
    claim_id = claims.pending(data=pdf_bytes(3), media_type="application/pdf", filename="faktura.pdf")
    claims.read(claim_id, EXTRACTION, 595.3, 841.9, pages=3)
    page = chromium.new_context(**DESK).new_page()
    page.goto(f"{live.url}/login")
    page.fill("#email", REVIEWER_A)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live.url}/review/claims/{claim_id}")
    screenshot(page, "14-partner-claim-three-pages")
    return page, claims.document_ids(claim_id)[0]


def test_clicking_a_field_highlights_its_box_on_page_two_and_scrolls_it_into_view(chromium, live_app, screenshot):
    page, document_id = _claim_page(chromium, live_app, screenshot)
    box = page.locator(f"#document-{document_id}-page-2 rect.box[data-field=total]")
    assert page.locator(".viewer-sheet").count() == 3
    assert not box.evaluate(IN_STAGE)

    page.click("#field-total")

    first_box = page.locator(f"#document-{document_id}-page-2 rect.box").first
    wait_until(page, lambda: first_box.evaluate(IN_STAGE))
    assert "active" in box.get_attribute("class")
    assert "active" in page.get_attribute(f"#document-{document_id}-page-2", "class")
    screenshot(page, "15-partner-claim-total-on-page-2")
    page.locator("h1").click()  # leave the input: keys act on the page
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reject-reason"


def test_pages_turned_sideways_stack_without_overlapping(chromium, live_app, screenshot):
    page, document_id = _claim_page(chromium, live_app, screenshot)

    page.click("[data-rotate]")
    screenshot(page, "16-partner-claim-pages-sideways")

    first, second = (page.locator(f"#document-{document_id}-page-{n} .viewer-page").bounding_box() for n in (1, 2))
    assert first["width"] > first["height"]  # an A4 page on its side
    assert 0 <= second["y"] - (first["y"] + first["height"]) < 60  # the next page starts just below it


def test_the_accessibility_check_finds_what_it_must(chromium):
    """axe-core really runs: a page with an unlabelled field and grey-on-white text fails, a fixed one passes."""
    page = chromium.new_page()
    try:
        page.set_content('<html lang="pl"><head><title>t</title></head><body><main><h1>Test</h1>'
                         '<p style="color:#ccc;background:#fff">ledwo widać</p><input type="text">'
                         '</main></body></html>')
        found = {v["id"] for v in axe_violations(page)}
        assert {"color-contrast", "label"} <= found
        page.set_content('<html lang="pl"><head><title>t</title></head><body><main><h1>Test</h1>'
                         '<p>widać</p><label>Imię <input type="text"></label></main></body></html>')
        assert_accessible(page, "fixed page")
    finally:
        page.close()
