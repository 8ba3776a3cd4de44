"""Surveys on the real databases: every answer type is checked, completing credits once (also when sent at once
on PostgreSQL), and the results and export rows say what was answered."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from claims.db.activity_models import SurveyResponse
from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant
from claims.errors import ConflictError, InvalidInputError
from claims.ledger import balance
from claims.services.surveys import answer_survey, export_rows, get_survey, results, save_survey
from tests.conftest import make_runtime
from tests.integration.activity_helpers import race
from tests.integration.helpers import seed
from tests.integration.rewards_helpers import participant_id

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"
QUESTIONS = """[single] Jak często zamawiasz?
- co tydzień
- co miesiąc
[multiple] Co sprzedajesz?
- napoje
- słodycze
- kawę
[scale 5] Jak oceniasz program?
[text] Co zmienić?
"""


def survey(rt, points: int = 15) -> tuple[int, list[int]]:
    with transaction(rt.sessions) as session:
        row = save_survey(session, {"code": f"A-{uuid.uuid4().hex[:6]}", "title": "Ankieta sklepu",
                                    "points": str(points), "questions": QUESTIONS})
        return row.id, [q.id for q in row.questions]


def send(rt, pid: int, survey_id: int, answers: dict) -> int:
    with transaction(rt.sessions) as session:
        return answer_survey(session, session.get(Participant, pid), survey_id, answers)


def good(q: list[int]) -> dict:
    return {str(q[0]): ["1"], str(q[1]): ["0", "2"], str(q[2]): ["4"], str(q[3]): ["=SUMA(A1) więcej kawy"]}


def test_completing_a_survey_credits_once_and_the_results_count_the_answers(runtime):
    seed(runtime)
    pid = participant_id(runtime, EMAIL)
    sid, q = survey(runtime)
    assert send(runtime, pid, sid, good(q)) == 15
    with pytest.raises(ConflictError) as again:
        send(runtime, pid, sid, good(q))
    assert again.value.code == "already_answered"
    with runtime.sessions() as session:
        assert balance(session, pid) == 15
        summary = results(session, get_survey(session, sid))
        assert [r.counts for r in summary[:3]] == [[0, 1], [1, 0, 1], [0, 0, 0, 1, 0]]
        assert summary[2].average == 4.0 and summary[3].texts == ["=SUMA(A1) więcej kawy"]
        header, rows = export_rows(session, get_survey(session, sid))
        assert header[3:] == ["Jak często zamawiasz?", "Co sprzedajesz?", "Jak oceniasz program?", "Co zmienić?"]
        assert rows[0][1] == pid and rows[0][3:] == ["co miesiąc", "napoje, kawę", 4, "=SUMA(A1) więcej kawy"]


@pytest.mark.parametrize("change, code", [({0: ["0", "1"]}, "bad_answer"), ({2: ["6"]}, "bad_number"),
                                          ({2: ["0"]}, "bad_number"), ({3: ["  "]}, "answer_required"),
                                          ({1: []}, "answer_required"), ({0: ["9"]}, "bad_answer")])
def test_a_wrong_answer_for_its_type_is_refused_and_credits_nothing(sqlite_runtime, change, code):
    rt = sqlite_runtime
    seed(rt)
    pid = participant_id(rt, EMAIL)
    sid, q = survey(rt)
    answers = {**good(q), **{str(q[i]): v for i, v in change.items()}}
    with pytest.raises(InvalidInputError) as refused:
        send(rt, pid, sid, answers)
    assert refused.value.code == code
    with rt.sessions() as session:
        assert balance(session, pid) == 0 and session.scalars(select(SurveyResponse)).all() == []


def test_a_survey_sent_at_once_credits_once_on_postgresql(postgres_url, tmp_path):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    try:
        seed(rt)
        pid = participant_id(rt, EMAIL)
        sid, q = survey(rt, points=25)
        outcomes = race(6, lambda i: send(rt, pid, sid, good(q)))
        assert outcomes.count(25) == 1
        assert all(getattr(o, "code", "") == "already_answered" for o in outcomes if o != 25)
        with rt.sessions() as session:
            assert balance(session, pid) == 25
            assert len(session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "survey")).all()) == 1
    finally:
        rt.close()
