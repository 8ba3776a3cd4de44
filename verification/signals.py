"""Fraud and rule signals, each with its evidence, and a risk score from their weights.

risk_score = 1 - prod(1 - weight): independent pieces of evidence add up without passing 1; one strong
signal (an edited image, 0.6) is enough to reach the auditor (RiskPolicy.flag_at = 0.5), weak ones (totals
that do not add up, 0.15) only together with others.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from verification.facts import ClaimFacts
from verification.programme import Campaign, History, SubmissionEvent
from vocabulary.nip import normalise_nip
from vocabulary.reasons import ReasonCode, Severity

EDITING_SOFTWARE = ("photoshop", "gimp", "lightroom", "snapseed", "picsart", "canva", "pixlr", "affinity",
                    "paint.net", "photo editor", "facetune", "fotor", "photopea", "krita", "inkscape", "illustrator")


@dataclass(frozen=True)
class RiskPolicy:
    """Where signals start and how much they weigh."""

    flag_at: float = 0.5
    participant_per_day: int = 10  # claims within 24 h
    participant_per_hour: int = 5
    device_participants: int = 2  # other participants on the same device within 30 days
    device_per_day: int = 20
    ip_participants: int = 5  # other participants from the same IP within 24 h
    robust_z: float = 3.5  # Iglewicz-Hoaglin modified z-score
    min_samples: int = 5
    totals_tolerance: Decimal = Decimal("0.05")
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


DEFAULT_WEIGHTS = {
    ReasonCode.EDITED_IMAGE: 0.6, ReasonCode.SCREENSHOT: 0.5, ReasonCode.SCREEN_PHOTO: 0.5,
    ReasonCode.TOTALS_MISMATCH: 0.15, ReasonCode.OUTSIDE_CAMPAIGN_PERIOD: 0.3, ReasonCode.SUBMITTED_TOO_LATE: 0.2,
    ReasonCode.DATE_IN_FUTURE: 0.5, ReasonCode.VELOCITY_PARTICIPANT: 0.35, ReasonCode.VELOCITY_DEVICE: 0.5,
    ReasonCode.VELOCITY_IP: 0.3, ReasonCode.UNUSUAL_AMOUNT: 0.3, ReasonCode.BUYER_NIP_MISMATCH: 0.6,
    ReasonCode.NEAR_DUPLICATE: 0.7,
}
DEFAULT_POLICY = RiskPolicy()


@dataclass(frozen=True)
class Signal:
    code: ReasonCode
    severity: Severity
    weight: float
    evidence: dict = field(default_factory=dict)


def risk_score(signals: Iterable[Signal]) -> float:
    """1 - prod(1 - weight), in [0, 1]."""
    keep = 1.0
    for signal in signals:
        keep *= 1.0 - min(max(signal.weight, 0.0), 1.0)
    return round(1.0 - keep, 3)


def _signal(code: ReasonCode, policy: RiskPolicy, severity: Severity = Severity.WARNING, **evidence) -> Signal:
    return Signal(code, severity, float(policy.weights.get(code, 0.0)), evidence)


def image_signals(exif: Sequence[Mapping[str, str]], hints: Iterable[str], policy: RiskPolicy) -> list[Signal]:
    """Editing software or re-saved images in EXIF; screenshots and photos of screens (ingest's hints)."""
    found = []
    for n, tags in enumerate(exif):
        software = str(tags.get("Software") or tags.get("ProcessingSoftware") or "")
        if any(name in software.lower() for name in EDITING_SOFTWARE):
            found.append(_signal(ReasonCode.EDITED_IMAGE, policy, image=n, software=software))
    hints = set(hints)
    if "screenshot" in hints:
        found.append(_signal(ReasonCode.SCREENSHOT, policy, hint="screenshot"))
    if "screen_photo" in hints:
        found.append(_signal(ReasonCode.SCREEN_PHOTO, policy, hint="screen_photo"))
    return found


def totals_signal(claim: ClaimFacts, policy: RiskPolicy) -> list[Signal]:
    """Lines whose qty x price is not their amount, or items (gross) that do not add up to the total."""
    items = [i for i in claim.items if i.amount is not None]
    if not items or claim.total is None or len(items) < len(claim.items):
        return []
    wrong_lines = [i.name for i in items if i.unit_price is not None
                   and abs(i.qty * i.unit_price - i.amount) > Decimal("0.02")]
    gross = sum((_gross(i.amount, i.vat_rate) if claim.net_amounts else i.amount for i in items), Decimal(0))
    tolerance = max(policy.totals_tolerance, claim.total * Decimal("0.005"))
    if abs(gross - claim.total) <= tolerance and not wrong_lines:
        return []
    return [_signal(ReasonCode.TOTALS_MISMATCH, policy, items_sum=str(gross.quantize(Decimal("0.01"))),
                    total=str(claim.total), lines_not_adding_up=wrong_lines)]


def _gross(net: Decimal, rate: int | None) -> Decimal:
    return net * (100 + (23 if rate is None else rate)) / 100


def date_signals(claim: ClaimFacts, campaign: Campaign, today: date, policy: RiskPolicy) -> list[Signal]:
    """Outside the campaign, submitted later than submission_days after the purchase, or in the future."""
    if claim.date is None:
        return []
    found = []
    if claim.date < campaign.starts_on or claim.date > campaign.ends_on:
        found.append(_signal(ReasonCode.OUTSIDE_CAMPAIGN_PERIOD, policy, Severity.BLOCKING,
                             purchase_date=claim.date.isoformat(), starts_on=campaign.starts_on.isoformat(),
                             ends_on=campaign.ends_on.isoformat()))
    deadline = claim.date + timedelta(days=campaign.submission_days)
    if claim.submitted_on > deadline:
        found.append(_signal(ReasonCode.SUBMITTED_TOO_LATE, policy, Severity.BLOCKING,
                             purchase_date=claim.date.isoformat(), deadline=deadline.isoformat(),
                             submitted_on=claim.submitted_on.isoformat()))
    if claim.date > max(today, claim.submitted_on):
        found.append(_signal(ReasonCode.DATE_IN_FUTURE, policy, purchase_date=claim.date.isoformat(),
                             today=today.isoformat()))
    return found


def velocity_signals(claim: ClaimFacts, history: History, policy: RiskPolicy) -> list[Signal]:
    """Many claims in a short time from the participant; many accounts on one device or IP."""
    now, found = claim.submitted_at, []
    day = _within(history.submissions, now, timedelta(hours=24))
    hour = _within(history.submissions, now, timedelta(hours=1))
    if day + 1 >= policy.participant_per_day or hour + 1 >= policy.participant_per_hour:
        found.append(_signal(ReasonCode.VELOCITY_PARTICIPANT, policy, claims_24h=day + 1, claims_1h=hour + 1))
    device = _others(history.device_submissions, claim.participant_id, now, timedelta(days=30))
    device_day = len(_events(history.device_submissions, now, timedelta(hours=24))) + 1
    if claim.device_id and (len(device) >= policy.device_participants or device_day >= policy.device_per_day):
        found.append(_signal(ReasonCode.VELOCITY_DEVICE, policy, device_id=claim.device_id,
                             other_participants_30d=sorted(device), claims_24h=device_day))
    ip = _others(history.ip_submissions, claim.participant_id, now, timedelta(hours=24))
    if claim.ip and len(ip) >= policy.ip_participants:
        found.append(_signal(ReasonCode.VELOCITY_IP, policy, ip=claim.ip, other_participants_24h=sorted(ip)))
    return found


def _within(times: Iterable[datetime], now: datetime, window: timedelta) -> int:
    return sum(1 for t in times if now - window <= t <= now)


def _events(events: Iterable[SubmissionEvent], now: datetime, window: timedelta) -> list[SubmissionEvent]:
    return [e for e in events if now - window <= e.at <= now]


def _others(events: Iterable[SubmissionEvent], participant_id: int, now: datetime, window: timedelta) -> set[int]:
    return {e.participant_id for e in _events(events, now, window) if e.participant_id != participant_id}


def robust_z(value: Decimal, samples: Sequence[Decimal]) -> float | None:
    """Modified z-score 0.6745 (x - median) / MAD; None when the samples have no spread."""
    values = [float(s) for s in samples]
    median = statistics.median(values)
    mad = statistics.median([abs(v - median) for v in values])
    if mad == 0:
        mean_ad = statistics.fmean([abs(v - median) for v in values])
        return None if mean_ad == 0 else (float(value) - median) / (1.253314 * mean_ad)
    return 0.6745 * (float(value) - median) / mad


def amount_signals(claim: ClaimFacts, history: History, outlet_id: int | None, policy: RiskPolicy) -> list[Signal]:
    """The total far above the participant's or the outlet's usual claims (needs min_samples of each)."""
    if claim.total is None:
        return []
    found = []
    groups = (("participant", history.claim_totals), ("outlet", history.outlet_totals.get(outlet_id, ())))
    for scope, samples in groups:
        if len(samples) < policy.min_samples:
            continue
        z = robust_z(claim.total, samples)
        if z is not None and z > policy.robust_z:
            found.append(_signal(ReasonCode.UNUSUAL_AMOUNT, policy, scope=scope, total=str(claim.total),
                                 median=str(statistics.median(samples)), robust_z=round(z, 1),
                                 samples=len(samples)))
    return found


def buyer_signal(claim: ClaimFacts, campaign: Campaign, policy: RiskPolicy) -> list[Signal]:
    """A buyer NIP on the document that is not the participant's company (blocking when the campaign requires
    documents issued to the participant's company, a weak signal otherwise)."""
    if not claim.buyer_nip:
        return []
    buyer = normalise_nip(claim.buyer_nip)
    company = normalise_nip(claim.participant_company_nip) if claim.participant_company_nip else None
    if buyer == company:
        return []
    if campaign.require_buyer_nip:
        return [_signal(ReasonCode.BUYER_NIP_MISMATCH, policy, Severity.BLOCKING, buyer_nip=buyer,
                        participant_company_nip=company)]
    weak = dict(policy.weights)
    weak[ReasonCode.BUYER_NIP_MISMATCH] = min(0.2, weak.get(ReasonCode.BUYER_NIP_MISMATCH, 0.0))
    return [Signal(ReasonCode.BUYER_NIP_MISMATCH, Severity.INFO, weak[ReasonCode.BUYER_NIP_MISMATCH],
                   {"buyer_nip": buyer, "participant_company_nip": company})]


def collect_signals(claim: ClaimFacts, campaign: Campaign, history: History, outlet_id: int | None, *,
                    today: date, policy: RiskPolicy = DEFAULT_POLICY) -> list[Signal]:
    """Every signal the claim raises, in a fixed order."""
    return [
        *date_signals(claim, campaign, today, policy),
        *image_signals(claim.exif, claim.capture_hints, policy),
        *totals_signal(claim, policy),
        *velocity_signals(claim, history, policy),
        *amount_signals(claim, history, outlet_id, policy),
        *buyer_signal(claim, campaign, policy),
    ]
