"""The demo's activities (fixtures/demo_activities.json): a training with a quiz, a survey, the tier ladder,
a contest running this month ("Most active of the month"), which the demo's approved claims move, and a display
activity (a photo of the brand's shelf, once a month per outlet) running this month and the next two."""

from __future__ import annotations

import calendar
import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from claims.db.activity_models import Contest, Survey, Training
from claims.db.display_models import DisplayActivity
from claims.db.engine import transaction
from claims.db.models import Outlet
from claims.runtime import Runtime
from claims.services.contests import save_contest
from claims.services.displays import save_activity
from claims.services.surveys import save_survey
from claims.services.tiers import parse_ladder, save_ladder
from claims.services.trainings import save_training

ACTIVITIES = Path(__file__).resolve().parent.parent / "fixtures" / "demo_activities.json"


def load_demo_activities(runtime: Runtime, today: date | None = None) -> dict[str, int]:
    """Put the demo activities in (idempotent: each by its code; the ladder replaced); returns the counts."""
    data = json.loads(ACTIVITIES.read_text(encoding="utf-8"))
    today = today or datetime.now(UTC).date()
    with transaction(runtime.sessions) as session:
        for row in data["trainings"]:
            if session.scalar(select(Training.id).where(Training.code == row["code"])) is None:
                save_training(session, row)
        for row in data["surveys"]:
            if session.scalar(select(Survey.id).where(Survey.code == row["code"])) is None:
                save_survey(session, row)
        save_ladder(session, parse_ladder(data["tiers"]))
        for row in data["contests"]:
            if session.scalar(select(Contest.id).where(Contest.code == row["code"])) is None:
                last = calendar.monthrange(today.year, today.month)[1]
                save_contest(session, {**row, "starts_on": today.replace(day=1).isoformat(),
                                       "ends_on": today.replace(day=last).isoformat()})
        for row in data.get("displays", []):
            if session.scalar(select(DisplayActivity.id).where(DisplayActivity.code == row["code"])) is None:
                save_activity(session, {**row, **_quarter(today), "outlets": _outlets(session, row["outlets"])})
        return {name: len(session.scalars(select(model.id)).all())
                for name, model in (("trainings", Training), ("surveys", Survey), ("contests", Contest),
                                    ("displays", DisplayActivity))}


def _outlets(session, codes: list[str]) -> list[str]:
    """The listed outlets the programme has; every active outlet when it has none of them (a test programme)."""
    known = list(session.scalars(select(Outlet.code).where(Outlet.code.in_(codes))))
    return known or list(session.scalars(select(Outlet.code).where(Outlet.active.is_(True)).order_by(Outlet.id)))


def _quarter(today: date) -> dict[str, str]:
    """This month and the next two, as a display activity's period."""
    month, year = today.month + 2, today.year
    if month > 12:
        month, year = month - 12, year + 1
    last = calendar.monthrange(year, month)[1]
    return {"starts_on": today.replace(day=1).isoformat(), "ends_on": date(year, month, last).isoformat()}
