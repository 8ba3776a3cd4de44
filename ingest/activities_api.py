"""The activities side of /api/v1: the participant's tier, the contests and a contest's leaderboard.

Routes declare their answers with `ingest.openapi.operation`; errors keep `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from pydantic import BaseModel, Field

from claims.db.engine import transaction
from claims.roles import Role
from claims.services.accounts import participant_of
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
