"""Surveys: questions with their answer types (single, multiple, text, scale); a participant completes a survey
once and is credited its points once (ledger cause `survey:<survey>:<participant>`, and one response per
participant and survey); the results are summed per question and listed per response for the exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db.activity_models import Survey, SurveyQuestion, SurveyResponse
from claims.db.models import LedgerEntry, Participant
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.ledger import post
from claims.services import activity_forms as forms

MAX_TEXT_ANSWER = 2000


@dataclass
class QuestionResult:
    question: SurveyQuestion
    counts: list[int] = field(default_factory=list)  # per choice (single, multiple) or per scale step 1..max
    texts: list[str] = field(default_factory=list)
    answered: int = 0

    @property
    def average(self) -> float | None:
        if self.question.answer_type != "scale" or not self.answered:
            return None
        return round(sum((i + 1) * n for i, n in enumerate(self.counts)) / self.answered, 2)


def save_survey(session: Session, raw: dict, survey_id: int | None = None) -> Survey:
    questions = forms.survey_questions(raw.get("questions") or "")
    values = {"code": forms.text(raw, "code", 64, required=True), "title": forms.text(raw, "title", 200, True),
              "intro": forms.text(raw, "intro", 5000), "points": forms.whole(raw, "points", 0),
              "active": str(raw.get("active", "1")) not in ("0", "", "False", "false")}
    survey = get_survey(session, survey_id) if survey_id else None
    if survey is None:
        if session.scalar(select(Survey.id).where(Survey.code == values["code"])):
            raise ConflictError("a survey with this code exists", code="duplicate_code")
        survey = Survey(**values)
        session.add(survey)
    else:
        if session.scalar(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id).limit(1)):
            questions = None  # answered surveys keep their questions, so the results stay readable
        for name, value in values.items():
            setattr(survey, name, value)
        for question in list(survey.questions) if questions is not None else []:
            session.delete(question)
    session.flush()
    for position, question in enumerate(questions or []):
        session.add(SurveyQuestion(survey_id=survey.id, position=position, **question))
    session.flush()
    session.refresh(survey)
    return survey


def get_survey(session: Session, survey_id: int, active_only: bool = False) -> Survey:
    survey = session.get(Survey, survey_id) if 0 < survey_id < 2**31 else None  # an id out of range: none
    if survey is None or (active_only and not survey.active):
        raise NotFoundError("no such survey", code="unknown_survey")
    return survey


def surveys(session: Session, active_only: bool = True) -> list[Survey]:
    query = select(Survey).order_by(Survey.id.desc())
    if active_only:
        query = query.where(Survey.active.is_(True))
    return list(session.scalars(query))


def answered_ids(session: Session, participant_id: int) -> set[int]:
    return set(session.scalars(select(SurveyResponse.survey_id).where(SurveyResponse.participant_id == participant_id)))


def cause(survey_id: int, participant_id: int) -> str:
    return f"survey:{survey_id}:{participant_id}"


def read_answer(question: SurveyQuestion, raw: object) -> object:
    """One question's answer, checked against its type; every question needs one."""
    kind = question.answer_type
    if kind == "text":
        value = str((raw[0] if isinstance(raw, list) and raw else raw) or "").strip()[:MAX_TEXT_ANSWER]
        if not value:
            raise InvalidInputError("every question needs an answer", code="answer_required")
        return value
    if kind == "scale":
        value = forms.whole({"v": raw[0] if isinstance(raw, list) and raw else raw}, "v", None, 1, question.scale_max)
        if value is None:
            raise InvalidInputError("every question needs an answer", code="answer_required")
        return value
    picked = forms.chosen(raw, len(question.choices))
    if not picked:
        raise InvalidInputError("every question needs an answer", code="answer_required")
    if kind == "single" and len(picked) != 1:
        raise InvalidInputError("pick one answer", code="bad_answer")
    return picked


def answer_survey(session: Session, participant: Participant, survey_id: int, answers: dict) -> int:
    """Keep the answers ({question id: value}) and credit the survey once; returns the points credited."""
    survey = get_survey(session, survey_id, active_only=True)
    if survey.id in answered_ids(session, participant.id):
        raise ConflictError("this survey is already completed", code="already_answered")
    kept = {str(q.id): read_answer(q, answers.get(str(q.id), answers.get(q.id))) for q in survey.questions}
    try:
        with session.begin_nested():
            session.add(SurveyResponse(survey_id=survey.id, participant_id=participant.id, answers=kept))
            session.flush()
            if survey.points:
                post(session, LedgerEntry(participant_id=participant.id, kind="survey", points=survey.points,
                                          cause=cause(survey.id, participant.id), reason=survey.title[:500]))
    except IntegrityError as exc:
        raise ConflictError("this survey is already completed", code="already_answered") from exc
    return survey.points


def responses(session: Session, survey_id: int, limit: int = 100_000) -> list[SurveyResponse]:
    return list(session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)
                                .order_by(SurveyResponse.id).limit(limit)))


def results(session: Session, survey: Survey) -> list[QuestionResult]:
    """Per question: how many picked each choice or scale step, or the text answers."""
    summary = {q.id: QuestionResult(q, [0] * (q.scale_max if q.answer_type == "scale" else len(q.choices)))
               for q in survey.questions}
    for response in responses(session, survey.id):
        for key, value in response.answers.items():
            result = summary.get(int(key))
            if result is None:
                continue
            result.answered += 1
            if result.question.answer_type == "text":
                result.texts.append(str(value))
            elif result.question.answer_type == "scale":
                result.counts[int(value) - 1] += 1
            else:
                for index in value:
                    result.counts[index] += 1
    return list(summary.values())


def export_rows(session: Session, survey: Survey) -> tuple[list[str], list[list[object]]]:
    """One row per response (participant, when, each answer in words) for the CSV and XLSX exports."""
    header = ["response", "participant_id", "completed_at"] + [q.text for q in survey.questions]
    rows = []
    for response in responses(session, survey.id):
        row: list[object] = [response.id, response.participant_id, response.created_at.isoformat(timespec="seconds")]
        for question in survey.questions:
            value = response.answers.get(str(question.id))
            if isinstance(value, list):
                value = ", ".join(question.choices[i] for i in value if i < len(question.choices))
            row.append(value if value is not None else "")
        rows.append(row)
    return header, rows
