"""What a participant is told about a claim (claims.services.outcomes over vocabulary.reasons): only the reasons
that are theirs, each with what to do next, the stage, and points that never promise what a rejection took."""

from __future__ import annotations

import pytest

from claims.i18n import LOCALES, has_key
from claims.services.outcomes import Stage, claim_stage, participant_points, participant_reasons
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import INTERNAL_REASONS, PARTICIPANT_REASONS, NextStep, ReasonCode, participant_reason

S, R = ClaimStatus, ReasonCode
#: Risk signals and staff notes: the issue found two of them on a participant's page.
SIGNALS = (R.VELOCITY_PARTICIPANT, R.VELOCITY_DEVICE, R.VELOCITY_IP, R.NEEDS_AUDIT, R.NEAR_DUPLICATE,
           R.EDITED_IMAGE, R.SCREENSHOT, R.SCREEN_PHOTO, R.TOTALS_MISMATCH, R.DATE_IN_FUTURE, R.UNUSUAL_AMOUNT,
           R.SELLER_MATCHED_BY_NAME, R.PRODUCT_MATCH_UNCERTAIN, R.UNCERTAIN_FIELDS, R.AUTO_APPROVED,
           R.AUDIT_OVERRIDE, R.SUSPECTED_FRAUD)


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


def test_every_reason_code_is_either_a_participants_or_internal():
    assert set(PARTICIPANT_REASONS) | INTERNAL_REASONS == set(ReasonCode)
    assert not set(PARTICIPANT_REASONS) & INTERNAL_REASONS
    for seen in PARTICIPANT_REASONS.values():  # what a participant is shown is itself a participant's code
        assert seen.shown_as in PARTICIPANT_REASONS and seen.shown_as not in INTERNAL_REASONS


@pytest.mark.parametrize("code", SIGNALS)
def test_risk_signals_and_staff_decisions_never_reach_the_participant_as_themselves(code):
    seen = participant_reason(code)
    assert seen is None or seen.shown_as != code


def test_every_next_step_has_a_text_in_both_languages():
    assert all(has_key(f"next_step.{step}", locale) for step in NextStep for locale in LOCALES)


def test_a_flagged_claim_shows_no_fraud_signal_and_no_risk_score():
    stored = [{"code": "needs_audit", "severity": "warning", "evidence": {"risk_score": 0.91}},
              {"code": "velocity_participant", "severity": "warning", "evidence": {"count": 14}},
              {"code": "edited_image", "severity": "warning"}]
    assert participant_reasons(stored, S.FLAGGED, "pl") == []


def test_a_rejection_for_suspected_fraud_is_said_plainly_and_may_be_appealed():
    shown = participant_reasons([{"code": "suspected_fraud", "comment": "ten sam paragon co u kolegi"}],
                                S.REJECTED, "pl")
    assert codes(shown) == ["not_accepted"]
    assert shown[0].next_step == NextStep.APPEAL and shown[0].comment == ""  # the reviewer's note stays inside
    assert "oszust" not in shown[0].message.lower() and "fraud" not in shown[0].message.lower()


def test_the_auditors_reversal_note_is_never_shown():
    stored = [{"code": "confirmed"}, {"code": "audit_override", "comment": "hurtownia wystawiła korektę"}]
    shown = participant_reasons(stored, S.REVERSED, "pl")
    assert codes(shown) == ["confirmed", "approval_reversed"]
    assert all("korektę" not in r.comment and "korektę" not in r.message for r in shown)


def test_a_rejected_claim_with_only_internal_reasons_still_says_why_in_plain_words():
    shown = participant_reasons([{"code": "velocity_ip"}, {"code": "unusual_amount"}], S.REJECTED, "en")
    assert codes(shown) == ["not_accepted"]
    assert shown[0].message == "The claim does not meet the programme's conditions."


def test_a_reviewers_rejection_comment_is_addressed_to_the_participant_and_shown():
    shown = participant_reasons([{"code": "duplicate", "comment": "już był"}], S.REJECTED, "pl")
    assert shown[0].comment == "już był" and shown[0].next_step == NextStep.APPEAL


def test_a_used_appeal_is_not_offered_again():
    shown = participant_reasons([{"code": "not_our_sale"}], S.REJECTED, "pl", appealed=True)
    assert shown[0].next_step == NextStep.CONTACT_SUPPORT


def test_retake_advice_is_given_only_while_a_better_photo_can_be_added():
    missing_total = [{"code": "no_total", "severity": "warning"}]
    assert participant_reasons(missing_total, S.NEEDS_RETAKE, "pl")[0].next_step == NextStep.RETAKE_BOTTOM
    assert participant_reasons(missing_total, S.PENDING_REVIEW, "pl") == []  # the partner decides meanwhile
    assert participant_reasons([{"code": "unreadable"}], S.NEEDS_RETAKE, "pl")[0].next_step == NextStep.RETAKE


def test_each_code_is_shown_once_and_unknown_codes_not_at_all():
    stored = [{"code": "suspected_fraud"}, {"code": "not_accepted"}, {"code": "no_such_code"}, "garbage", None]
    assert codes(participant_reasons(stored, S.REJECTED, "pl")) == ["not_accepted"]


@pytest.mark.parametrize(("status", "proposed", "credited", "expected"), [
    (S.REJECTED, 537, None, (0, "credited")),
    (S.NEEDS_RETAKE, 120, None, (0, "none")),
    (S.RECEIVED, 0, None, (0, "none")),
    (S.PROCESSING, 0, None, (0, "none")),
    (S.PENDING_REVIEW, 120, None, (120, "expected")),
    (S.FLAGGED, 120, None, (120, "expected")),
    (S.APPROVED, 120, 120, (120, "credited")),
    (S.REVERSED, 120, 0, (0, "credited")),
])
def test_points_shown_never_promise_what_a_rejection_took(status, proposed, credited, expected):
    shown = participant_points(status, proposed, credited)
    assert (shown.points, shown.kind) == expected


@pytest.mark.parametrize(("status", "unread", "stage"), [
    (S.RECEIVED, 1, Stage.RECEIVED),
    (S.PROCESSING, 2, Stage.READING),
    (S.PROCESSING, 0, Stage.CHECKING),
    (S.PENDING_REVIEW, 0, Stage.WAITING),
    (S.FLAGGED, 0, Stage.WAITING),
    (S.NEEDS_RETAKE, 0, Stage.DECIDED),
    (S.APPROVED, 0, Stage.DECIDED),
    (S.REJECTED, 0, Stage.DECIDED),
    (S.REVERSED, 0, Stage.DECIDED),
])
def test_every_status_has_its_stage(status, unread, stage):
    assert claim_stage(status, unread) is stage
