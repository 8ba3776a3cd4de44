"""The activities side of /api/v1: the participant's tier, the contests and a contest's leaderboard (own place
and the top 10 with pseudonymised names; staff see the full ranking in the admin pages); the activities a
participant may do (trainings, surveys, displays) and a display photo sent as a claim (`display_api`).

Routes declare their answers with `ingest.openapi.operation`; errors keep `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from pydantic import BaseModel, Field

from claims.db.engine import transaction
from claims.errors import NotFoundError
from claims.roles import Role
from claims.services import contests as contest_service
from claims.services.accounts import participant_of
from claims.services.contest_audience import contests_for, is_member
from claims.services.contest_prizes import prize_points, reward_names
from claims.services.tiers import tier_status
from ingest.http import bearer_user, install_error_handlers, runtime
from ingest.openapi import operation

blueprint = Blueprint("activities_api", __name__, url_prefix="/api/v1")
install_error_handlers(blueprint)
PARTICIPANT = (Role.PARTICIPANT,)


class TierOut(BaseModel):
    tier: str | None = Field(description="the level reached; null below the lowest or without a ladder")
    multiplier: str = Field(description="the multiplier on purchase points, e.g. 1.25")
    earned_12m: int = Field(description="points earned in the last 12 months")
    next_tier: str | None = None
    missing: int = Field(0, description="points still to earn for the next level (0 at the top)")


@blueprint.get("/participants/me/tier")
@operation(roles=PARTICIPANT, answers={200: TierOut}, errors=(403,))
def my_tier():
    """The caller's level, its multiplier and what is missing to the next level"""
    with transaction(runtime().sessions) as session:
        status = tier_status(session, participant_of(session, bearer_user(session)).id)
        if status is None:
            answer = TierOut(tier=None, multiplier="1", earned_12m=0)
        else:
            answer = TierOut(tier=status.tier.name if status.tier else None, multiplier=str(status.multiplier),
                             earned_12m=status.earned, next_tier=status.next_tier.name if status.next_tier else None,
                             missing=status.missing)
    return jsonify(answer.model_dump(mode="json"))


class ContestOut(BaseModel):
    id: int
    code: str
    title: str
    metric: str = Field(description="points, purchase_value, approved_claims or product_quantity")
    starts_on: str
    ends_on: str
    prizes: list[int] = Field(description="points for places 1..N (0 where the prize is a reward)")
    rewards: list[str] = Field(default_factory=list,
                               description="the reward's name for places 1..N whose prize is one (else \"\")")
    closed: bool = Field(description="true once the results are frozen and the prizes credited")


class ContestsPage(BaseModel):
    contests: list[ContestOut]


class PlaceOut(BaseModel):
    place: int
    name: str = Field(description="pseudonymised (first letter and a short number); \"you\" is flagged by `me`")
    value: str
    prize: int = 0
    reward: str = Field("", description="the catalogue reward this place wins, if its prize is one")
    me: bool = False


class LeaderboardOut(BaseModel):
    contest_id: int
    closed: bool
    me: PlaceOut | None = Field(None, description="the caller's own place; null when not ranked")
    top: list[PlaceOut]


@blueprint.get("/contests")
@operation(roles=PARTICIPANT, answers={200: ContestsPage}, errors=(403,))
def list_contests():
    """The contests the caller is in the audience of, the newest first"""
    with transaction(runtime().sessions) as session:
        me = participant_of(session, bearer_user(session)).id  # participants only (403 not_participant for staff)
        rows = []
        for c in contests_for(session, me):
            rewards = reward_names(session, c)
            places = range(1, len(c.prizes) + 1)
            rows.append(ContestOut(id=c.id, code=c.code, title=c.title, metric=c.metric,
                                   starts_on=c.starts_on.isoformat(), ends_on=c.ends_on.isoformat(),
                                   prizes=[prize_points(c, n) for n in places],
                                   rewards=[rewards.get(n, "") for n in places], closed=c.closed_at is not None))
    return jsonify(ContestsPage(contests=rows).model_dump(mode="json"))


@blueprint.get("/contests/<int:contest_id>/leaderboard")
@operation(roles=PARTICIPANT, answers={200: LeaderboardOut}, errors=(403, 404))
def contest_leaderboard(contest_id: int):
    """The caller's own place and the top 10 with pseudonymised names"""
    with transaction(runtime().sessions) as session:
        me = participant_of(session, bearer_user(session)).id
        contest = contest_service.get_contest(session, contest_id)
        if not is_member(session, contest, me):  # only the audience sees a contest
            raise NotFoundError("no such contest", code="unknown_contest")
        top = [PlaceOut(place=s.place, name=contest_service.pseudonym(s.name, s.participant_id),
                        value=contest_service.shown_value(contest, s.value), prize=s.prize, reward=s.reward,
                        me=s.participant_id == me) for s in contest_service.leaderboard(session, contest)]
        mine = contest_service.own_standing(session, contest, me)
        own = PlaceOut(place=mine.place, name="", value=contest_service.shown_value(contest, mine.value),
                       prize=mine.prize, reward=mine.reward, me=True) if mine else None
        answer = LeaderboardOut(contest_id=contest.id, closed=contest.closed_at is not None, me=own, top=top)
    return jsonify(answer.model_dump(mode="json"))


from ingest import display_api  # noqa: E402,F401 - adds GET /activities and POST /activities/<id>/claims
