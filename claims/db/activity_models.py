"""The tables of rewarded activities beyond purchases: trainings with a quiz, surveys, the tier ladder and
contests with their frozen results. Points they give go through the ledger (kinds training, survey,
contest_prize), each with a unique cause key; these tables keep what was asked and answered."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.db.models import Base, utcnow


class Training(Base):
    """A lesson (text, an optional video link) with its quiz; `max_attempts` None means unlimited retries."""

    __tablename__ = "trainings"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    lesson: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    points: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)  # per cent of questions answered right
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    questions: Mapped[list[TrainingQuestion]] = relationship(order_by="TrainingQuestion.position")
    __table_args__ = (
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("pass_mark between 0 and 100", name="pass_mark"),
    )


class TrainingQuestion(Base):
    """A quiz question: its choices and the indexes of the right ones (several when `multiple`)."""

    __tablename__ = "training_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    correct: Mapped[list] = mapped_column(JSON, default=list)


class TrainingAttempt(Base):
    """One quiz attempt: the answers given (kept for the report), the score and whether it passed."""

    __tablename__ = "training_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (Index("ix_training_attempts_training_participant", "training_id", "participant_id"),)


class Survey(Base):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    questions: Mapped[list[SurveyQuestion]] = relationship(order_by="SurveyQuestion.position")
    __table_args__ = (CheckConstraint("points >= 0", name="points_not_negative"),)


class SurveyQuestion(Base):
    """A survey question; `answer_type` single | multiple | text | scale (1..scale_max)."""

    __tablename__ = "survey_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    answer_type: Mapped[str] = mapped_column(String(16))
    choices: Mapped[list] = mapped_column(JSON, default=list)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    __table_args__ = (CheckConstraint("answer_type in ('single','multiple','text','scale')", name="answer_type"),)


class SurveyResponse(Base):
    """A participant's one completed survey: the answers by question id."""

    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("survey_id", "participant_id"),)


class Tier(Base):
    """A level of the ladder, reached with `min_points` earned in the last 12 months."""

    __tablename__ = "tiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    min_points: Mapped[int] = mapped_column(Integer, unique=True)
    multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1"))
    __table_args__ = (CheckConstraint("min_points >= 0", name="min_points_not_negative"),
                      CheckConstraint("multiplier >= 1", name="multiplier_at_least_one"))


class Contest(Base):
    """A contest over [starts_on, ends_on] among its audience (everyone, a region's participants, or a partner's
    customers: participants with an approved claim at its outlets); `prizes` for places 1..N are points (an int)
    or a catalogue reward ({"reward_id": id}); ties by `tie_break` (claims.services.contests); `closed_at` is
    set once, by the end run that froze the results and gave the prizes."""

    __tablename__ = "contests"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(24))  # points | purchase_value | approved_claims | product_quantity
    skus: Mapped[list] = mapped_column(JSON, default=list)  # product_quantity: the catalogue SKUs counted
    audience: Mapped[str] = mapped_column(String(16), default="all", server_default="all")
    audience_region: Mapped[str] = mapped_column(String(64), default="", server_default="")
    audience_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    tie_break: Mapped[str] = mapped_column(String(16), default="reached", server_default="reached")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    prizes: Mapped[list] = mapped_column(JSON, default=list)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        CheckConstraint("metric in ('points','purchase_value','approved_claims','product_quantity')",
                        name="metric"),
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("audience in ('all','region','partner')", name="audience"),
        CheckConstraint("tie_break in ('reached','claims')", name="tie_break"),
    )


class ContestResult(Base):
    """A frozen place of a closed contest and the prize it got: points, or a reward and the order made for it."""

    __tablename__ = "contest_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    place: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    prize_points: Mapped[int] = mapped_column(Integer, default=0)
    prize_order_id: Mapped[int | None] = mapped_column(ForeignKey("reward_orders.id"))
    __table_args__ = (UniqueConstraint("contest_id", "place"), UniqueConstraint("contest_id", "participant_id"))


class ReferralCode(Base):
    """A participant's invitation code (the `ref` of their invitation link), made on first use."""

    __tablename__ = "referral_codes"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Referral(Base):
    """Who invited whom, with the rule in force when the invited participant registered (points, cap); the
    referrer is credited once the invited participant's first claim is approved, never at registration."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    invited_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), unique=True)
    points: Mapped[int] = mapped_column(Integer)
    cap: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | credited | capped
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]
    __table_args__ = (CheckConstraint("status in ('waiting','credited','capped')", name="status"),
                      CheckConstraint("referrer_id <> invited_id", name="not_self"))


class ContestScore(Base):
    """A running contest's score of one participant, moved with each counted ledger entry or claim decision
    (claims.services.contest_scores), so a leaderboard page reads ten rows off an index instead of
    aggregating the period; `reached` is when the score last moved, `claims` its approved claims (tie-breaks)."""

    __tablename__ = "contest_scores"
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reached: Mapped[datetime]
    claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # approved in the period (ties)
    # Every column a rank query filters on is in the index (`claims` last: the tie-break counts stay index-only).
    __table_args__ = (Index("ix_contest_scores_rank", "contest_id", "value", "reached", "participant_id", "claims"),)
