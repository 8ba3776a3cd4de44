"""The display activities' frequency rule (verification.displays): the slot a day falls in, who keeps a slot
when two claims race for it, and the checklist rule of an approval."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from verification.displays import SlotHolder, checklist_complete, display_slot, in_period, slot_holder


@pytest.mark.parametrize("frequency, day, slot", [
    ("once", date(2026, 12, 7), "period"),
    ("month", date(2026, 12, 1), "2026-12"),
    ("month", date(2026, 12, 31), "2026-12"),
    ("month", date(2027, 1, 1), "2027-01"),
    ("week", date(2026, 12, 7), "2026-W50"),   # a Monday
    ("week", date(2026, 12, 13), "2026-W50"),  # its Sunday
    ("week", date(2026, 12, 14), "2026-W51"),
    ("week", date(2027, 1, 1), "2026-W53"),    # ISO weeks cross the new year
])
def test_a_day_falls_in_its_period_month_or_iso_week(frequency, day, slot):
    assert display_slot(frequency, day) == slot


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError):
        display_slot("daily", date(2026, 12, 7))


def test_the_period_includes_both_ends():
    start, end = date(2026, 12, 1), date(2026, 12, 31)
    assert in_period(start, start, end) and in_period(end, start, end)
    assert not in_period(end + timedelta(days=1), start, end) and not in_period(start - timedelta(days=1), start, end)


def test_of_two_claims_of_one_slot_the_first_submitted_keeps_it_whichever_asks():
    at = datetime(2026, 12, 7, 10, tzinfo=UTC)
    first, second = SlotHolder("b-first", at), SlotHolder("a-second", at + timedelta(seconds=1))
    assert slot_holder(second.claim_id, second.submitted_at, [first, second]) == first
    assert slot_holder(first.claim_id, first.submitted_at, [first, second]) is None
    tie_a, tie_b = SlotHolder("a", at), SlotHolder("b", at)  # the same moment: the lower id is first
    assert slot_holder("b", at, [tie_a, tie_b]) == tie_a and slot_holder("a", at, [tie_a, tie_b]) is None
    assert slot_holder("c", at, []) is None


@pytest.mark.parametrize("ticked, min_ticked, complete", [
    (["a", "b", "c"], None, True), (["a", "b"], None, False), (["a", "b", "x"], None, False),
    (["a"], 1, True), ([], 0, True), ([], 1, False), (["a", "b", "c"], 5, True),
])
def test_the_checklist_rule_counts_only_the_items_on_the_list(ticked, min_ticked, complete):
    assert checklist_complete(["a", "b", "c"], ticked, min_ticked) is complete
