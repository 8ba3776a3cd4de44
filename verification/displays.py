"""How often a display activity may be claimed at one outlet: the slot a day falls in, and whether it is free.

A display activity is claimed at most once per slot per outlet. The slot depends on the activity's frequency:
`once` (the whole period is one slot), `month` (each calendar month) or `week` (each ISO week, Monday to
Sunday). Pure: the caller loads the claims that hold slots and asks here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Frequency(StrEnum):
    ONCE = "once"  # once in the activity's period, per outlet
    MONTH = "month"  # once per calendar month, per outlet
    WEEK = "week"  # once per ISO week, per outlet


FREQUENCIES: tuple[str, ...] = tuple(Frequency)


def display_slot(frequency: Frequency | str, day: date) -> str:
    """The slot `day` falls in: "period", "2026-12" (a month) or "2026-W49" (an ISO week)."""
    frequency = Frequency(frequency)
    if frequency is Frequency.ONCE:
        return "period"
    if frequency is Frequency.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def in_period(day: date, starts_on: date, ends_on: date) -> bool:
    return starts_on <= day <= ends_on


@dataclass(frozen=True)
class SlotHolder:
    """A claim that holds (or may still take) a slot: a claim not rejected or reversed."""

    claim_id: str
    submitted_at: datetime


def slot_holder(claim_id: str, submitted_at: datetime, others: Iterable[SlotHolder]) -> SlotHolder | None:
    """The claim that keeps the slot before `claim_id`: the earliest submitted (ties by id) of `others` that
    came before it; None when `claim_id` is first. Of two claims sent at once both see the same order, so
    exactly one of them keeps the slot whichever is processed first."""
    earlier = [o for o in others if o.claim_id != claim_id and (o.submitted_at, o.claim_id) < (submitted_at, claim_id)]
    return min(earlier, key=lambda o: (o.submitted_at, o.claim_id), default=None)


def checklist_complete(items: Iterable[str], ticked: Iterable[str], min_ticked: int | None) -> bool:
    """Whether the reviewer ticked enough of the checklist: every item when `min_ticked` is None, else at least
    `min_ticked` of them (ticks of items not on the list do not count)."""
    wanted = list(items)
    got = set(ticked) & set(wanted)
    needed = len(wanted) if min_ticked is None else min(min_ticked, len(wanted))
    return len(got) >= needed
