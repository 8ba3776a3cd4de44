"""Contests: over a period, the participants of the contest's audience (claims.services.contest_audience) are
ranked by a metric (points earned, approved purchase value, number of approved claims, quantity of given
products on approved claims' matched lines). Ties, as the admin chose (`tie_break`):
- "reached" (the default): whoever reached the value first (the time of their last counted movement), then
  more approved claims in the period, then the lower participant id;
- "claims": more approved claims in the period, then whoever reached the value first, then the lower id.
The ranking is one indexed aggregate query (ledger_entries by kind and time, claims by status and decision
time), never a loop over entries (the quantity metric reads the period's approved claims' lines once);
running contests' live boards read the scores kept current by claims.services.contest_scores. The end run
freezes the whole ranking into contest_results and gives the prizes of places 1..N
(claims.services.contest_prizes), once: the contest row is locked and closed in the same transaction, so a
second run finds it closed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Select, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from claims.db.activity_models import Contest, ContestResult, ContestScore
from claims.db.models import Claim, LedgerEntry, Participant, Partner, Product, User
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.services import activity_forms as forms
from claims.services.contest_audience import AUDIENCES, claim_quantity, members, product_ids
from claims.services.contest_prizes import give_prizes, parse_prizes, prize_points, reward_names
from claims.services.contest_scores import POINT_KINDS, refill
from vocabulary.claims import ClaimStatus
from vocabulary.regions import REGIONS

METRICS = ("points", "purchase_value", "approved_claims", "product_quantity")
TIE_BREAKS = ("reached", "claims")
TOP = 10
__all__ = ["METRICS", "TIE_BREAKS", "parse_prizes"]


@dataclass(frozen=True)
class Standing:
    place: int
    participant_id: int
    value: Decimal
    name: str = ""
    prize: int = 0
    reward: str = ""


def save_contest(session: Session, raw: dict, contest_id: int | None = None) -> Contest:
    values = {"code": forms.text(raw, "code", 64, required=True), "title": forms.text(raw, "title", 200, True),
              "metric": forms.text(raw, "metric", 24), "starts_on": _day(raw, "starts_on"),
              "ends_on": _day(raw, "ends_on"), "prizes": parse_prizes(raw.get("prizes"), session),
              "tie_break": forms.text(raw, "tie_break", 16) or "reached", **_audience(session, raw)}
    if values["metric"] not in METRICS:
        raise InvalidInputError("unknown metric", code="bad_metric", field="metric")
    if values["tie_break"] not in TIE_BREAKS:
        raise InvalidInputError("unknown tie-break", code="bad_tie_break", field="tie_break")
    if values["ends_on"] < values["starts_on"]:
        raise InvalidInputError("the contest ends before it starts", code="bad_period", field="ends_on")
    values["skus"] = _skus(session, raw) if values["metric"] == "product_quantity" else []
    contest = get_contest(session, contest_id) if contest_id else None
    if contest is None:
        if session.scalar(select(Contest.id).where(Contest.code == values["code"])):
            raise ConflictError("a contest with this code exists", code="duplicate_code")
        contest = Contest(**values)
        session.add(contest)
    elif contest.closed_at is not None:
        raise ConflictError("a closed contest cannot change", code="contest_closed")
    else:
        for name, value in values.items():
            setattr(contest, name, value)
    session.flush()
    refill(session, contest)  # scores so far (a contest may start in the past or change its metric)
    return contest


def most_active_of_the_month(today: date, title: str) -> dict:
    """The ready template: points earned over the current month, prizes 500, 300 and 100."""
    last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return {"code": f"NAJAKTYWNIEJSZY-{today:%Y-%m}", "title": title, "metric": "points",
            "starts_on": today.replace(day=1).isoformat(), "ends_on": last.isoformat(), "prizes": "500, 300, 100"}


def _day(raw: dict, name: str) -> date:
    try:
        return date.fromisoformat(str(raw.get(name) or "").strip())
    except ValueError as exc:
        raise InvalidInputError(f"{name} must be a date", code="bad_date", field=name) from exc


def _audience(session: Session, raw: dict) -> dict:
    """audience, audience_region, audience_partner_id from the form (a partner by its code or id)."""
    audience = forms.text(raw, "audience", 16) or "all"
    if audience not in AUDIENCES:
        raise InvalidInputError("unknown audience", code="bad_audience", field="audience")
    region = forms.text(raw, "audience_region", 64) if audience == "region" else ""
    partner_id = None
    if audience == "partner":
        given = forms.text(raw, "audience_partner", 50)
        partner_id = session.scalar(select(Partner.id).where(
            (Partner.code == given) | (Partner.id == (int(given) if given.isdigit() and len(given) < 10 else -1))))
    if (audience == "region" and region not in REGIONS) or (audience == "partner" and partner_id is None):
        raise InvalidInputError("say which region or partner", code="bad_audience", field="audience")
    return {"audience": audience, "audience_region": region, "audience_partner_id": partner_id}


def _skus(session: Session, raw: dict) -> list[str]:
    """The catalogue SKUs a product-quantity contest counts: each must be in the catalogue."""
    given = raw.get("skus")
    skus = given if isinstance(given, list) else [p for p in re.split(r"[,;\s]+", str(given or "")) if p]
    skus = list(dict.fromkeys(str(sku).strip()[:64] for sku in skus))[:200]
    known = set(session.scalars(select(Product.sku).where(Product.sku.in_(skus)))) if skus else set()
    if not skus or known != set(skus):
        missing = ", ".join(sorted(set(skus) - known)[:5])
        raise InvalidInputError(f"SKUs not in the catalogue: {missing}", code="bad_skus", field="skus")
    return skus


def get_contest(session: Session, contest_id: int) -> Contest:
    contest = session.get(Contest, contest_id) if 0 < contest_id < 2**31 else None  # an id out of range: none
    if contest is None:
        raise NotFoundError("no such contest", code="unknown_contest")
    return contest


def contests(session: Session, limit: int = 200) -> list[Contest]:
    return list(session.scalars(select(Contest).order_by(Contest.ends_on.desc(), Contest.id.desc()).limit(limit)))


def _bounds(contest: Contest) -> tuple[datetime, datetime]:
    return (datetime.combine(contest.starts_on, time.min, UTC),
            datetime.combine(contest.ends_on + timedelta(days=1), time.min, UTC))


def scores(contest: Contest, participant_id: int | None = None) -> Select:
    """(participant_id, value, reached, claims) per audience member with a positive value in the period
    (`claims`: their approved claims decided in it); one participant's row when `participant_id` is given."""
    start, end = _bounds(contest)
    if contest.metric == "points":
        value = func.sum(LedgerEntry.points)
        query = (select(LedgerEntry.participant_id.label("participant_id"), value.label("value"),
                        func.max(LedgerEntry.created_at).label("reached"))
                 .where(LedgerEntry.kind.in_(POINT_KINDS), LedgerEntry.created_at >= start,
                        LedgerEntry.created_at < end, LedgerEntry.points != 0)  # as the kept scores move
                 .group_by(LedgerEntry.participant_id).having(value > 0))
        base = _audience_only(query, LedgerEntry.participant_id, contest, participant_id).subquery()
        counts = _approved(contest, participant_id).subquery()
        return (select(base.c.participant_id, base.c.value, base.c.reached,
                       func.coalesce(counts.c.claims, 0).label("claims"))
                .outerjoin(counts, counts.c.participant_id == base.c.participant_id))
    value = func.sum(func.coalesce(Claim.total, 0)) if contest.metric == "purchase_value" else func.count()
    query = (select(Claim.participant_id.label("participant_id"), value.label("value"),
                    func.max(Claim.decided_at).label("reached"), func.count().label("claims"))
             .where(Claim.status == ClaimStatus.APPROVED, Claim.decided_at >= start, Claim.decided_at < end)
             .group_by(Claim.participant_id).having(value > 0))
    return _audience_only(query, Claim.participant_id, contest, participant_id)


def _approved(contest: Contest, participant_id: int | None) -> Select:
    """Approved claims decided in the period, per participant."""
    start, end = _bounds(contest)
    query = (select(Claim.participant_id.label("participant_id"), func.count().label("claims"))
             .where(Claim.status == ClaimStatus.APPROVED, Claim.decided_at >= start, Claim.decided_at < end)
             .group_by(Claim.participant_id))
    return query.where(Claim.participant_id == participant_id) if participant_id is not None else query


def _audience_only(query: Select, column, contest: Contest, participant_id: int | None) -> Select:
    audience = members(contest)
    if audience is not None:
        query = query.where(column.in_(audience))
    return query.where(column == participant_id) if participant_id is not None else query


def quantity_scores(session: Session, contest: Contest, participant_id: int | None = None) -> list[tuple]:
    """(participant_id, quantity, reached, claims) of a product-quantity contest: the units of its SKUs on the
    matched lines of the audience's approved claims decided in the period, read claim by claim."""
    start, end = _bounds(contest)
    counted = product_ids(session, contest.skus or [])
    query = _audience_only(select(Claim).where(Claim.status == ClaimStatus.APPROVED, Claim.decided_at >= start,
                                               Claim.decided_at < end), Claim.participant_id, contest,
                           participant_id)
    totals: dict[int, list] = {}
    for claim in session.scalars(query.execution_options(yield_per=500)):
        row = totals.setdefault(claim.participant_id, [Decimal(0), claim.decided_at, 0])
        amount = claim_quantity(claim, counted)
        row[0] += amount
        row[1] = max(row[1], claim.decided_at) if amount else row[1]
        row[2] += 1
    return [(pid, value, reached, claims) for pid, (value, reached, claims) in totals.items() if value > 0]


def order_by(contest: Contest, value, reached, claims, participant_id) -> tuple:
    """The ranking's order with the contest's tie-break; the lower participant id last."""
    if contest.tie_break == "claims":
        return value.desc(), claims.desc(), reached.asc(), participant_id.asc()
    return value.desc(), reached.asc(), claims.desc(), participant_id.asc()


def ranked(contest: Contest) -> Select:
    """The scores with their place (row_number over value, then the tie-break). A product-quantity contest
    ranks its kept scores, which the end run fills afresh first."""
    if contest.metric == "product_quantity":
        kept = ContestScore
        inner = (select(kept.participant_id, kept.value, kept.reached, kept.claims)
                 .where(kept.contest_id == contest.id, kept.value > 0).subquery())
    else:
        inner = scores(contest).subquery()
    place = func.row_number().over(order_by=order_by(contest, inner.c.value, inner.c.reached, inner.c.claims,
                                                     inner.c.participant_id))
    return select(place.label("place"), inner.c.participant_id, inner.c.value, inner.c.reached)


def leaderboard(session: Session, contest: Contest, limit: int = TOP, offset: int = 0) -> list[Standing]:
    """Places offset+1.. of the contest (frozen results once closed), with the participants' names."""
    if contest.closed_at is not None:
        query = (select(ContestResult.place, ContestResult.participant_id, ContestResult.value,
                        ContestResult.prize_points).where(ContestResult.contest_id == contest.id)
                 .order_by(ContestResult.place).offset(offset).limit(limit))
        rows = [(p, pid, v, prize) for p, pid, v, prize in session.execute(query)]
    else:
        s = ContestScore
        query = (select(s.participant_id, s.value).where(s.contest_id == contest.id, s.value > 0)
                 .order_by(*order_by(contest, s.value, s.reached, s.claims, s.participant_id))
                 .offset(offset).limit(limit))
        rows = [(offset + i + 1, pid, v, prize_points(contest, offset + i + 1))
                for i, (pid, v) in enumerate(session.execute(query))]
    names = _names(session, [pid for _, pid, _, _ in rows])
    rewards = reward_names(session, contest)
    return [Standing(int(p), pid, Decimal(v), names.get(pid, ""), prize, rewards.get(int(p), ""))
            for p, pid, v, prize in rows]


def own_standing(session: Session, contest: Contest, participant_id: int) -> Standing | None:
    rewards = reward_names(session, contest)
    if contest.closed_at is not None:
        row = session.execute(select(ContestResult.place, ContestResult.value, ContestResult.prize_points).where(
            ContestResult.contest_id == contest.id, ContestResult.participant_id == participant_id)).first()
        return Standing(row[0], participant_id, Decimal(row[1]), prize=row[2],
                        reward=rewards.get(row[0], "")) if row else None
    s = ContestScore
    mine = session.execute(select(s.value, s.reached, s.claims).where(
        s.contest_id == contest.id, s.participant_id == participant_id, s.value > 0)).first()
    if mine is None:
        return None
    value, reached, claims = mine
    keys = [(s.value, value, True), (s.reached, reached, False), (s.claims, claims, True)]
    if contest.tie_break == "claims":
        keys[1], keys[2] = keys[2], keys[1]
    keys.append((s.participant_id, participant_id, False))
    ahead = session.scalar(select(func.count()).select_from(s).where(  # value >= mine: an index range
        s.contest_id == contest.id, s.value > 0, s.value >= value, _ahead(keys))) or 0
    place = int(ahead) + 1
    return Standing(place, participant_id, Decimal(value), prize=prize_points(contest, place),
                    reward=rewards.get(place, ""))


def _ahead(keys: list[tuple]):
    """Rows ranked before the given values: better on the first key, or equal on it and ahead on the rest."""
    column, mine, higher_first = keys[0]
    better = column > mine if higher_first else column < mine
    return better if len(keys) == 1 else better | ((column == mine) & _ahead(keys[1:]))


def _names(session: Session, participant_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Participant.id, Participant.company_name, User.email).join(User)
                           .where(Participant.id.in_(participant_ids)))
    return {pid: company or email for pid, company, email in rows}


def shown_value(contest: Contest, value: Decimal) -> str:
    """A result as words show it: money with two decimals, points, claims and units as whole numbers."""
    if contest.metric == "purchase_value":
        return f"{value:.2f}"
    return str(int(value)) if value == int(value) else f"{value.normalize()}"


def pseudonym(name: str, participant_id: int) -> str:
    """What other participants see of a name on the leaderboard: its first letter and a short number."""
    return f"{(name.strip()[:1] or '?').upper()}*** #{participant_id % 1000:03d}"


def close_contest(session: Session, contest_id: int, now: datetime | None = None, force: bool = False) -> int:
    """Freeze the ranking and give the prizes, once; returns the places frozen (0: it was closed before).

    Refused (`contest_running`) before the contest's last day is over, unless `force`."""
    now = now or datetime.now(UTC)
    contest = session.scalar(select(Contest).where(Contest.id == contest_id).with_for_update()) \
        if 0 < contest_id < 2**31 else None
    if contest is None:
        raise NotFoundError("no such contest", code="unknown_contest")
    if contest.closed_at is not None:
        return 0
    if not force and now < _bounds(contest)[1]:
        raise ConflictError("the contest is still running", code="contest_running")
    if contest.metric == "product_quantity":
        refill(session, contest)  # the kept scores afresh from the claims: the ranking reads them
    board = ranked(contest).subquery()
    frozen = select(literal(contest.id), board.c.participant_id, board.c.place, board.c.value, literal(0))
    columns = ["contest_id", "participant_id", "place", "value", "prize_points"]
    session.execute(insert(ContestResult).from_select(columns, frozen))
    give_prizes(session, contest)
    contest.closed_at = now
    session.execute(delete(ContestScore).where(ContestScore.contest_id == contest.id))  # the results replace them
    session.flush()
    return int(session.scalar(select(func.count()).select_from(ContestResult)
                              .where(ContestResult.contest_id == contest.id)) or 0)


def close_due(sessions, now: datetime | None = None) -> list[tuple[int, int]]:
    """The end run (`paragon contests close`, or a sweep): close every contest that is due, each in its own
    transaction; returns (contest id, places frozen) for those this run closed."""
    from claims.db.engine import transaction

    with sessions() as session:
        due = due_contests(session, now)
    closed = []
    for contest_id in due:
        with transaction(sessions) as session:
            frozen = close_contest(session, contest_id, now)
        if frozen:
            closed.append((contest_id, frozen))
    return closed


def due_contests(session: Session, now: datetime | None = None) -> list[int]:
    """Contests whose last day is over and that are not closed yet (for `paragon contests close`)."""
    today = (now or datetime.now(UTC)).date()
    return list(session.scalars(select(Contest.id).where(Contest.closed_at.is_(None), Contest.ends_on < today)
                                .order_by(Contest.id)))
