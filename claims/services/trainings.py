"""Trainings with a quiz: the admin defines a lesson and its questions; a participant answers; passing credits
the training's points once per participant (ledger cause `quiz:<training>:<participant>`), whatever the number
of attempts, double clicks or concurrent submissions. Every attempt's answers are kept for the report."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db.activity_models import Training, TrainingAttempt, TrainingQuestion
from claims.db.models import LedgerEntry, Participant
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.ledger import post
from claims.services import activity_forms as forms


@dataclass(frozen=True)
class QuizResult:
    score: int
    passed: bool
    credited: int  # points credited by this attempt (0 when failed or passed before)
    attempts_left: int | None


def save_training(session: Session, raw: dict, training_id: int | None = None) -> Training:
    """Create or replace a training from the admin's fields (questions as text blocks or a list)."""
    questions = forms.quiz_questions(raw.get("questions") or "")
    values = {"code": forms.text(raw, "code", 64, required=True), "title": forms.text(raw, "title", 200, True),
              "lesson": forms.text(raw, "lesson", 20000), "video_url": forms.video_link(raw),
              "points": forms.whole(raw, "points", 0), "pass_mark": forms.whole(raw, "pass_mark", 80, 0, 100),
              "max_attempts": forms.whole(raw, "max_attempts", None, 1, 100),
              "active": str(raw.get("active", "1")) not in ("0", "", "False", "false")}
    training = get_training(session, training_id) if training_id else None
    if training is None:
        if session.scalar(select(Training.id).where(Training.code == values["code"])):
            raise ConflictError("a training with this code exists", code="duplicate_code")
        training = Training(**values)
        session.add(training)
    else:
        for name, value in values.items():
            setattr(training, name, value)
        for question in list(training.questions):
            session.delete(question)
    session.flush()
    for position, question in enumerate(questions):
        session.add(TrainingQuestion(training_id=training.id, position=position, **question))
    session.flush()
    session.refresh(training)
    return training


def get_training(session: Session, training_id: int, active_only: bool = False) -> Training:
    training = session.get(Training, training_id) if 0 < training_id < 2**31 else None  # an id out of range: none
    if training is None or (active_only and not training.active):
        raise NotFoundError("no such training", code="unknown_training")
    return training


def trainings(session: Session, active_only: bool = True) -> list[Training]:
    query = select(Training).order_by(Training.id.desc())
    if active_only:
        query = query.where(Training.active.is_(True))
    return list(session.scalars(query))


def cause(training_id: int, participant_id: int) -> str:
    return f"quiz:{training_id}:{participant_id}"


def passed_ids(session: Session, participant_id: int) -> set[int]:
    rows = session.scalars(select(TrainingAttempt.training_id).where(
        TrainingAttempt.participant_id == participant_id, TrainingAttempt.passed.is_(True)))
    return set(rows)


def attempts_used(session: Session, training_id: int, participant_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(TrainingAttempt).where(
        TrainingAttempt.training_id == training_id, TrainingAttempt.participant_id == participant_id)) or 0)


def answer_quiz(session: Session, participant: Participant, training_id: int, answers: dict) -> QuizResult:
    """Score the answers ({question id: [choice indexes]}), keep them, and credit the points on a first pass."""
    training = get_training(session, training_id, active_only=True)
    if training.id in passed_ids(session, participant.id):
        raise ConflictError("this training is already passed", code="already_passed")
    used = attempts_used(session, training.id, participant.id)
    if training.max_attempts is not None and used >= training.max_attempts:
        raise ConflictError("no attempts left", code="no_attempts_left")
    kept, right = {}, 0
    for question in training.questions:
        picked = forms.chosen(answers.get(str(question.id), answers.get(question.id)), len(question.choices))
        if not picked:
            raise InvalidInputError("every question needs an answer", code="answer_required")
        kept[str(question.id)] = picked
        right += picked == sorted(question.correct)
    score = round(100 * right / max(1, len(training.questions)))
    passed = score >= training.pass_mark
    session.add(TrainingAttempt(training_id=training.id, participant_id=participant.id, answers=kept,
                                score=score, passed=passed))
    credited = _credit(session, training, participant.id) if passed else 0
    left = None if training.max_attempts is None else training.max_attempts - used - 1
    return QuizResult(score, passed, credited, left)


def _credit(session: Session, training: Training, participant_id: int) -> int:
    """Credit the training once; a concurrent pass that got there first leaves this one at 0 points."""
    if training.points == 0:
        return 0
    try:
        with session.begin_nested():
            post(session, LedgerEntry(participant_id=participant_id, kind="training", points=training.points,
                                      cause=cause(training.id, participant_id), reason=training.title[:500]))
    except IntegrityError:
        return 0
    return training.points


def answers_report(session: Session, training_id: int) -> list[TrainingAttempt]:
    """Every attempt at the training, oldest first (the answers kept for the report)."""
    return list(session.scalars(select(TrainingAttempt).where(TrainingAttempt.training_id == training_id)
                                .order_by(TrainingAttempt.id)))
