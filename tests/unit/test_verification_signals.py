"""Risk signals: each with its evidence; the risk score stays in [0, 1]."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from verification import Campaign, ClaimFacts, History, LineItem, Severity, Signal, SubmissionEvent, risk_score
from verification.signals import DEFAULT_POLICY, collect_signals, robust_z
from vocabulary.reasons import ReasonCode

NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
CAMPAIGN = Campaign("C", date(2026, 1, 1), date(2026, 12, 31), submission_days=30)


def facts(**changes) -> ClaimFacts:
    base = ClaimFacts("c", 1, NOW, seller_nip="5260250274", date=date(2026, 11, 3), total=Decimal("100.00"),
                      items=(LineItem("A", Decimal(2), Decimal("30.00"), Decimal("60.00"), 23),
                             LineItem("B", Decimal(1), Decimal("40.00"), Decimal("40.00"), 23)),
                      participant_company_nip="5213017228", device_id="d", ip="10.0.0.1")
    return dataclasses.replace(base, **changes)


NO_HISTORY = History()


def codes(claim: ClaimFacts, history: History = NO_HISTORY, campaign: Campaign = CAMPAIGN, outlet=None):
    return {s.code: s for s in collect_signals(claim, campaign, history, outlet, today=date(2026, 11, 5))}


def test_a_clean_claim_raises_nothing():
    assert codes(facts()) == {}


def test_editing_software_in_exif_and_screenshots_are_signals_with_evidence():
    found = codes(facts(exif=({"Software": "Snapseed 2.0"}, {"Software": "Android"}), capture_hints=frozenset(
        {"screenshot", "screen_photo"})))
    assert found[ReasonCode.EDITED_IMAGE].evidence == {"image": 0, "software": "Snapseed 2.0"}
    assert {ReasonCode.SCREENSHOT, ReasonCode.SCREEN_PHOTO} <= set(found)


def test_items_that_do_not_add_up_to_the_total():
    found = codes(facts(total=Decimal("150.00")))[ReasonCode.TOTALS_MISMATCH]
    assert found.evidence["items_sum"] == "100.00" and found.weight < DEFAULT_POLICY.flag_at
    invoice = facts(kind="invoice", total=Decimal("123.00"))  # net lines + 23% VAT
    assert ReasonCode.TOTALS_MISMATCH not in codes(invoice)


def test_dates_outside_the_period_late_or_in_the_future():
    assert codes(facts(date=date(2025, 12, 31)))[ReasonCode.OUTSIDE_CAMPAIGN_PERIOD].severity is Severity.BLOCKING
    late = codes(facts(date=date(2026, 10, 1)))[ReasonCode.SUBMITTED_TOO_LATE]
    assert late.evidence["deadline"] == "2026-10-31"
    assert ReasonCode.DATE_IN_FUTURE in codes(facts(date=date(2026, 11, 20)))


def test_velocity_per_participant_device_and_ip():
    burst = tuple(NOW - timedelta(minutes=5 * n) for n in range(1, 6))
    assert ReasonCode.VELOCITY_PARTICIPANT in codes(facts(), History(submissions=burst))
    others = tuple(SubmissionEvent(NOW - timedelta(hours=n), 100 + n) for n in range(1, 6))
    found = codes(facts(), History(device_submissions=others[:2], ip_submissions=others))
    assert found[ReasonCode.VELOCITY_DEVICE].evidence["other_participants_30d"] == [101, 102]
    assert ReasonCode.VELOCITY_IP in found
    own = tuple(SubmissionEvent(NOW - timedelta(hours=n), 1) for n in range(1, 4))
    assert codes(facts(), History(device_submissions=own)) == {}


def test_unusual_amount_needs_five_samples_and_a_robust_outlier():
    usual = tuple(Decimal(v) for v in ("90", "100", "110", "95", "105"))
    assert ReasonCode.UNUSUAL_AMOUNT not in codes(facts(total=Decimal("100.00")), History(claim_totals=usual))
    big = facts(total=Decimal("5000.00"), items=())
    assert codes(big, History(claim_totals=usual))[ReasonCode.UNUSUAL_AMOUNT].evidence["scope"] == "participant"
    assert ReasonCode.UNUSUAL_AMOUNT not in codes(big, History(claim_totals=usual[:4]))
    found = codes(big, History(outlet_totals={7: usual}), outlet=7)
    assert found[ReasonCode.UNUSUAL_AMOUNT].evidence["scope"] == "outlet"
    assert robust_z(Decimal(100), [Decimal(100)] * 5) is None


def test_buyer_nip_of_another_company_is_blocking_only_when_required():
    other = facts(buyer_nip="7251801126")
    assert codes(other)[ReasonCode.BUYER_NIP_MISMATCH].severity is Severity.INFO
    required = dataclasses.replace(CAMPAIGN, require_buyer_nip=True)
    assert codes(other, campaign=required)[ReasonCode.BUYER_NIP_MISMATCH].severity is Severity.BLOCKING
    assert codes(facts(buyer_nip="521-301-72-28"), campaign=required) == {}


@given(st.lists(st.floats(min_value=-1, max_value=2, allow_nan=False), max_size=12))
def test_risk_score_is_between_zero_and_one_and_grows_with_signals(weights):
    signals = [Signal(ReasonCode.TOTALS_MISMATCH, Severity.WARNING, w) for w in weights]
    score = risk_score(signals)
    assert 0.0 <= score <= 1.0
    assert risk_score([*signals, Signal(ReasonCode.SCREENSHOT, Severity.WARNING, 0.5)]) >= score
