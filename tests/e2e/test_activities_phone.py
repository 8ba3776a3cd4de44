"""The activities on a phone (390x844) in a real Chromium: the list with the tier, a training read and its quiz
passed (points credited), a survey completed, a contest with the own place; axe-core finds no serious
violation on any of these pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Participant, User
from claims.ledger import balance
from paragon.demo_activities import load_demo_activities
from tests.e2e.a11y import assert_accessible
from tests.review_ui.helpers import PARTICIPANT, PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def test_a_participant_passes_a_training_and_completes_a_survey_on_a_phone(chromium, live_app, screenshot):
    load_demo_activities(live_app.runtime)
    page = chromium.new_context(**PHONE).new_page()
    page.goto(f"{live_app.url}/login")
    page.fill("#email", PARTICIPANT)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_app.url}/me/activities")
    assert page.locator("section.tier[data-tier='Brązowy']").count() == 1
    assert_accessible(page, "activities")
    screenshot(page, "40-activities-phone")
    page.click("[data-training] a")
    page.wait_for_load_state()
    assert_accessible(page, "training")
    questions = page.locator("fieldset[data-question]")
    questions.nth(0).locator("input").nth(1).check()
    questions.nth(1).locator("input").nth(0).check()
    questions.nth(1).locator("input").nth(1).check()
    page.click("form.quiz button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-passed='1']").count() == 1

    page.goto(f"{live_app.url}/me/activities")
    page.click("[data-survey] a")
    page.wait_for_load_state()
    assert_accessible(page, "survey")
    fields = page.locator("fieldset[data-question]")
    fields.nth(0).locator("input").nth(0).check()
    fields.nth(1).locator("input").nth(2).check()
    fields.nth(2).locator("input").nth(4).check()
    fields.nth(3).locator("textarea").fill("Więcej nagród z kawą")
    screenshot(page, "41-survey-phone")
    page.click("form.survey button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-answered='1']").count() == 1

    page.goto(f"{live_app.url}/me/activities")
    page.click("[data-contest] a")
    page.wait_for_load_state()
    assert page.locator("[data-my-place='1']").count() == 1  # the training's points moved this month's contest
    assert_accessible(page, "contest")
    with transaction(live_app.runtime.sessions) as session:
        participant = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        assert balance(session, participant) == 70
