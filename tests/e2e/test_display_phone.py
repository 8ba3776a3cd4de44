"""A display photo on a phone (390x844) in a real Chromium: the activity's page, the photo sent with the home
page's upload script (one photo, the outlet chosen), the claim's page; then the outlet's partner reviews it
with the checklist beside the photo and approves. axe-core finds no serious violation on these pages."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from claims.db.display_models import DisplayActivity
from claims.db.engine import transaction
from claims.db.models import Document, Participant, User
from claims.ledger import balance
from ocr.traits import GPS_TAG
from paragon.demo_activities import load_demo_activities
from tests.e2e.a11y import assert_accessible
from tests.integration.display_helpers import photo
from tests.review_ui.helpers import PARTICIPANT, PASSWORD, REVIEWER_A
from workers import runtime as worker_runtime
from workers.jobs import process_claim

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _big_photo() -> bytes:
    """A 5.2 MP phone-like JPEG over 4 MB (noise compresses badly) with the EXIF date and GPS of `photo`."""
    exif = Image.open(io.BytesIO(photo(5))).getexif()
    pixels = np.random.default_rng(5).integers(0, 255, (2000, 2600, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=95, exif=exif)
    assert out.tell() > 4 * 1024 * 1024
    return out.getvalue()


def _login(page, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_a_participant_sends_a_display_photo_and_the_partner_approves_it_with_the_checklist(
        chromium, live_app, screenshot, tmp_path):
    load_demo_activities(live_app.runtime)
    with live_app.runtime.sessions() as session:
        activity_id = session.scalar(select(DisplayActivity.id))
    shelf = tmp_path / "polka.jpg"
    shelf.write_bytes(_big_photo())  # over the script's 4 MB shrinking threshold: sent as taken all the same
    phone = chromium.new_context(**PHONE).new_page()
    _login(phone, live_app.url, PARTICIPANT)
    phone.goto(f"{live_app.url}/me/activities")
    phone.click(f"[data-display='{activity_id}'] a")
    phone.wait_for_load_state()
    assert_accessible(phone, "display")
    phone.set_input_files("#d-files", str(shelf))
    phone.wait_for_selector(".page-item[data-ready]")
    screenshot(phone, "42-display-phone")
    phone.click("#display-form [data-submit]")
    phone.wait_for_url(re.compile(r".*/me/claims/[0-9a-f-]{36}$"), timeout=30_000)
    claim_id = phone.url.rsplit("/", 1)[-1]

    worker_runtime.install(live_app.runtime)
    process_claim(claim_id)
    with live_app.runtime.sessions() as session:  # the EXIF date and place reached the worker
        [document] = session.scalars(select(Document).where(Document.claim_id == claim_id)).all()
        assert document.size == shelf.stat().st_size and document.exif[GPS_TAG] == "52.229778, 21.011778"
    desk = chromium.new_context().new_page()
    _login(desk, live_app.url, REVIEWER_A)
    desk.goto(f"{live_app.url}/review/claims/{claim_id}")
    assert desk.locator("#display-checklist input[type=checkbox]").count() == 3
    assert_accessible(desk, "display review")
    for box in desk.locator("#display-checklist input[type=checkbox]").all():
        box.check()
    desk.click("#approve-form button[type=submit]")
    desk.click("#approve-confirm [data-confirm-yes]")
    desk.wait_for_load_state()
    with transaction(live_app.runtime.sessions) as session:
        participant = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        assert balance(session, participant) == 150
