"""Concurrent campaigns: a base programme and promotions decide a claim together (verify_campaigns)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_verification_verify import AUTO, CAMPAIGN, CATALOGUE, OUTLETS, SECRET, TODAY, claim
from verification import Campaign, PointsRules, Route
from verification.campaigns import verify_campaigns

PARTNER = 3  # the seller's partner in OUTLETS
BONUS = Campaign("FUGI", date(2026, 10, 1), date(2026, 12, 31), eligible_skus=frozenset({"MAXBUD-KLP-FLEX-25"}),
                 rules=PointsRules(per_unit={"MAXBUD-KLP-FLEX-25": 10}), partner_ids=frozenset({PARTNER}))
LATER = Campaign("WIOSNA2027", date(2027, 2, 1), date(2027, 3, 31), auto_approve=True)


def decide(facts, campaigns):
    return verify_campaigns(facts, campaigns, OUTLETS, CATALOGUE, {}, [], today=TODAY, identity_secret=SECRET)


def test_a_later_campaign_never_rejects_what_the_running_one_accepts() -> None:
    alone = decide(claim(), [CAMPAIGN])
    both = decide(claim(), [CAMPAIGN, LATER])
    assert alone.verdict.route is Route.PENDING_REVIEW and alone.verdict.points == 16
    assert both.verdict.route is alone.verdict.route and both.verdict.points == alone.verdict.points
    assert [p.code for p in both.parts] == ["BUDUJ2026"]


def test_points_are_the_sum_of_each_applicable_campaigns_part() -> None:
    result = decide(claim(), [CAMPAIGN, BONUS])
    assert [(p.code, p.points) for p in result.parts] == [("BUDUJ2026", 16), ("FUGI", 20)]
    assert result.verdict.points == 36 and result.primary == "BUDUJ2026"
    assert sum(line.points for line in result.verdict.lines) == 36


def test_outside_the_period_means_outside_every_applicable_campaign() -> None:
    november = decide(claim(date=date(2026, 11, 25)), [CAMPAIGN, LATER])
    assert november.verdict.route is not Route.AUTO_REJECTED
    march = claim(date=date(2027, 3, 2), submitted_at=claim().submitted_at + timedelta(days=120))
    in_later = decide(march, [CAMPAIGN, LATER])
    assert "outside_campaign_period" not in in_later.verdict.codes()
    nowhere = decide(claim(date=date(2025, 6, 1)), [CAMPAIGN, LATER])
    assert nowhere.verdict.route is Route.AUTO_REJECTED and nowhere.parts == ()
    assert nowhere.verdict.codes()[0] == "outside_campaign_period"


def test_a_promotion_that_would_auto_approve_does_not_skip_the_base_programmes_review() -> None:
    bonus = dataclasses.replace(BONUS, auto_approve=True)
    result = decide(claim(), [CAMPAIGN, bonus])
    assert result.verdict.route is Route.PENDING_REVIEW and "auto_approved" not in result.verdict.codes()


def test_a_campaign_of_other_partners_does_not_apply() -> None:
    elsewhere = dataclasses.replace(BONUS, partner_ids=frozenset({99}))
    result = decide(claim(), [AUTO, elsewhere])
    assert [p.code for p in result.parts] == ["BUDUJ2026"]
    only_elsewhere = decide(claim(), [elsewhere])
    assert only_elsewhere.verdict.route is Route.FLAGGED and only_elsewhere.verdict.points == 0
    assert only_elsewhere.verdict.codes()[0] == "no_campaign"


# ---- property: a campaign that does not apply changes nothing --------------------------------------------

def _not_applying(day: date, kind: str, start: int, length: int, factor: int) -> Campaign:
    rules = PointsRules(per_pln=Decimal(factor), fixed_bonus=factor)
    if kind == "period":  # a period that ends before the purchase or starts after it
        first = day + timedelta(days=start + 1) if start >= 0 else day - timedelta(days=-start + length + 1)
        return Campaign("X", first, first + timedelta(days=length), rules=rules, auto_approve=True)
    if kind == "partner":
        return Campaign("X", date(2026, 1, 1), date(2027, 12, 31), rules=rules, partner_ids=frozenset({PARTNER + 1}))
    if kind == "outlet":
        return Campaign("X", date(2026, 1, 1), date(2027, 12, 31), rules=rules, outlet_ids=frozenset({8, 9}))
    return Campaign("X", date(2026, 1, 1), date(2027, 12, 31), rules=rules, auto_approve=True,
                    eligible_skus=frozenset({"MAXBUD-CEM-25"}))  # a product that is not on the claim


claims = st.builds(
    lambda day, total, sure, nip: claim(date=date(2026, 11, 3) + timedelta(days=day),
                                        total=Decimal(total) / 100,
                                        sure_fields=frozenset({"seller_nip", "date", "total"}) if sure else
                                        frozenset(), seller_nip=nip),
    st.integers(-400, 60), st.integers(1, 100_000), st.booleans(), st.sampled_from(["5260250274", None]),
)
bases = st.lists(st.sampled_from([CAMPAIGN, AUTO, BONUS, LATER]), min_size=1, max_size=3, unique_by=lambda c: c.code)
extra = st.tuples(st.sampled_from(["period", "partner", "outlet", "products"]),
                  st.integers(-300, 300), st.integers(0, 90), st.integers(1, 50))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=claims, campaigns=bases, other=extra)
def test_adding_a_campaign_that_does_not_apply_never_changes_points_or_route(facts, campaigns, other) -> None:
    before = decide(facts, campaigns).verdict
    after = decide(facts, [*campaigns, _not_applying(facts.date, *other)]).verdict
    assert (after.route, after.points) == (before.route, before.points)
