"""The upload form's script in a real Chromium on a phone: a big photo is shrunk before it is sent and stays
upright, a clearly dark or blurred photo is caught before sending, several photos of one long receipt go in one
claim in the order shown, and a claim that needs a better photo takes it on the same claim."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Document
from claims.reasons import reason
from claims.services.processing import Outcome, finish_processing, start_processing
from fixtures.phone_photos import sideways_phone_jpeg
from tests.e2e.a11y import assert_accessible
from tests.e2e.browser import RECEIPT, LiveApp
from tests.hostile.photos import blurry_photo, dark_photo
from tests.review_ui.helpers import PARTICIPANT, PASSWORD, Claims
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import ReasonCode

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CLAIM_URL = re.compile(r".*/me/claims/[0-9a-f-]{36}$")


@pytest.fixture
def phone(chromium, live_app):
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_app.url}/login")
    page.fill("#email", PARTICIPANT)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r".*/me$"))
    try:
        yield page
    finally:
        context.close()


def _file(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _documents(live: LiveApp, claim_id: str) -> list[Document]:
    with live.runtime.sessions() as session:
        return list(session.scalars(select(Document).where(Document.claim_id == claim_id)
                                    .order_by(Document.position)))


def test_a_big_phone_photo_is_shrunk_before_sending_and_stays_upright(phone, live_app, tmp_path):
    original = sideways_phone_jpeg(3600, 4800)  # 17 MP, stored on its side with EXIF orientation 6
    phone.set_input_files("#camera", files=[_file("IMG_2041.jpg", original, "image/jpeg")])
    item = phone.wait_for_selector(".page-item[data-ready]")
    sent = int(item.get_attribute("data-bytes-after"))
    assert int(item.get_attribute("data-bytes-before")) == len(original) and sent < len(original)
    assert "zmniejszone do wysłania" in item.inner_text() and ".page-warning" not in item.inner_html()
    assert_accessible(phone, "home with a page chosen")

    phone.click("#upload-form [data-submit]")
    phone.wait_for_url(CLAIM_URL)

    [document] = _documents(live_app, phone.url.rsplit("/", 1)[-1])
    stored = Image.open(io.BytesIO(live_app.runtime.blobs.get(document.sha256)))
    assert document.size == sent and document.media_type == "image/jpeg"
    assert stored.width * stored.height <= 12_000_000 and stored.height > stored.width  # upright, as photographed
    assert stored.getexif().get(0x0112, 1) == 1  # the turn is in the pixels now, not in a tag


def test_a_clearly_dark_or_blurred_photo_is_caught_before_it_is_sent(phone, live_app):
    phone.set_input_files("#files", files=[_file("ciemne.jpg", dark_photo(5), "image/jpeg"),
                                           _file("nieostre.jpg", blurry_photo(5, 2.0), "image/jpeg")])
    expect(phone.locator(".page-item .page-warning")).to_have_count(2)
    warnings = phone.locator(".page-warning").all_inner_texts()
    assert "za ciemne" in warnings[0] and "nieostre" in warnings[1]
    assert_accessible(phone, "home with warned pages")

    phone.click("#upload-form [data-submit]")
    phone.wait_for_selector("[data-errors]:has-text('ciemne.jpg')")
    assert phone.inner_text("#upload-form [data-submit]") == "Wyślij mimo to"
    assert live_app.queue.enqueued == [] and phone.url.endswith("/me")  # nothing sent yet

    phone.click("[aria-label='Usuń stronę 1']")
    phone.click("[aria-label='Usuń stronę 1']")
    assert phone.locator(".page-item").count() == 0


def test_several_photos_of_one_long_receipt_go_in_one_claim_in_the_order_shown(phone, live_app):
    top, bottom = RECEIPT.read_bytes(), RECEIPT.read_bytes()[:-1] + b"\x00"  # two different files
    phone.set_input_files("#camera", files=[_file("dol.png", bottom, "image/png")])
    phone.set_input_files("#camera", files=[_file("gora.png", top, "image/png")])  # the camera, a second time
    expect(phone.locator(".page-item[data-ready]")).to_have_count(2)
    phone.click("[aria-label='Przesuń wyżej stronę 2']")  # the top of the receipt first
    assert [t.split(": ", 1)[1].split(" ")[0] for t in phone.locator(".page-name").all_inner_texts()] == [
        "gora.png", "dol.png"]

    phone.click("#upload-form [data-submit]")
    phone.wait_for_url(CLAIM_URL)

    claim_id = phone.url.rsplit("/", 1)[-1]
    assert [d.filename for d in _documents(live_app, claim_id)] == ["gora.png", "dol.png"]
    assert live_app.queue.enqueued == [claim_id]


def test_a_claim_that_comes_back_needing_a_photo_takes_a_better_one_on_its_open_page(phone, live_app):
    claims = Claims(live_app.runtime)
    claim_id = claims.submit(data=RECEIPT.read_bytes())
    phone.goto(f"{live_app.url}/me/claims/{claim_id}")
    assert phone.get_attribute("[data-live]", "data-live-pace") == "work"
    with transaction(live_app.runtime.sessions) as session:  # what the worker does, while the page is open
        start_processing(session, claim_id)
        finish_processing(session, claim_id, Outcome(status=ClaimStatus.NEEDS_RETAKE, kind="receipt",
                                                     reasons=[reason(ReasonCode.NO_TOTAL)]))
    phone.wait_for_selector("#retake-form")  # brought by the page's own update, no reload
    assert "Dodaj lepsze zdjęcie" in phone.inner_text("#retake-title")
    assert "dolnej części dokumentu" in phone.inner_text("[data-reason=no_total]")
    assert_accessible(phone, "claim that needs a better photo")

    phone.set_input_files("#retake-files", files=[_file("dol.png", RECEIPT.read_bytes(), "image/png")])
    phone.wait_for_selector("#retake-form .page-item[data-ready]")  # the upload script took the new form
    phone.click("#retake-form [data-submit]")
    phone.wait_for_selector("#claim-status[data-status=received]")

    assert phone.url.endswith(f"/me/claims/{claim_id}")
    assert [d.position for d in _documents(live_app, claim_id)] == [0, 1]
    assert live_app.queue.enqueued[-1] == claim_id
