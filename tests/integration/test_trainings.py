"""Trainings with a quiz on the real databases: a pass credits once, retries are limited, answers are kept,
and (on PostgreSQL) the same quiz passed at once in several requests credits once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.activity_models import TrainingAttempt
from claims.db.models import LedgerEntry
from claims.errors import ConflictError, InvalidInputError
from claims.ledger import balance
from claims.services.trainings import QuizResult, answers_report
from tests.conftest import make_runtime
from tests.integration.activity_helpers import answer, race, right, training
from tests.integration.helpers import seed
from tests.integration.rewards_helpers import participant_id

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"


def test_a_failed_attempt_credits_nothing_and_a_pass_credits_once(runtime):
    seed(runtime)
    pid = participant_id(runtime, EMAIL)
    tid, questions = training(runtime, points=50)
    failed = answer(runtime, pid, tid, {str(questions[0]): ["0"], str(questions[1]): ["0", "1"]})
    assert (failed.score, failed.passed, failed.credited) == (50, False, 0)
    passed = answer(runtime, pid, tid, right(questions))
    assert (passed.score, passed.passed, passed.credited) == (100, True, 50)
    with pytest.raises(ConflictError) as again:
        answer(runtime, pid, tid, right(questions))
    assert again.value.code == "already_passed"
    with runtime.sessions() as session:
        assert balance(session, pid) == 50
        entries = session.scalars(select(LedgerEntry).where(LedgerEntry.participant_id == pid)).all()
        assert [(e.kind, e.cause) for e in entries] == [("training", f"quiz:{tid}:{pid}")]
        kept = answers_report(session, tid)
        assert [a.answers for a in kept] == [{str(questions[0]): [0], str(questions[1]): [0, 1]},
                                             right_ints(questions)]


def right_ints(questions: list[int]) -> dict:
    return {str(questions[0]): [1], str(questions[1]): [0, 1]}


def test_the_retry_rule_stops_attempts_and_a_partial_multiple_choice_is_wrong(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    pid = participant_id(rt, EMAIL)
    tid, questions = training(rt, max_attempts="2")
    first = answer(rt, pid, tid, {str(questions[0]): ["1"], str(questions[1]): ["0"]})
    assert (first.score, first.passed, first.attempts_left) == (50, False, 1)
    answer(rt, pid, tid, {str(questions[0]): ["0"], str(questions[1]): ["0"]})
    with pytest.raises(ConflictError) as stopped:
        answer(rt, pid, tid, right(questions))
    assert stopped.value.code == "no_attempts_left"
    with rt.sessions() as session:
        assert balance(session, pid) == 0


@pytest.mark.parametrize("answers, code", [({}, "answer_required"), ({"Q0": ["7"], "Q1": ["0"]}, "bad_answer"),
                                           ({"Q0": ["x"], "Q1": ["0"]}, "bad_answer")])
def test_bad_answers_are_refused_and_keep_nothing(sqlite_runtime, answers, code):
    rt = sqlite_runtime
    seed(rt)
    pid = participant_id(rt, EMAIL)
    tid, questions = training(rt)
    named = {str(questions[int(k[1])]): v for k, v in answers.items()}
    with pytest.raises(InvalidInputError) as refused:
        answer(rt, pid, tid, named)
    assert refused.value.code == code
    with rt.sessions() as session:
        assert session.scalars(select(TrainingAttempt)).all() == []


@pytest.mark.parametrize("questions, code", [("? bez odpowiedzi\n- a\n- b", "no_right_answer"),
                                             ("? jedna\n+ a", "bad_question"),
                                             ("? dwie dobre\n+ a\n+ b", "no_right_answer"),
                                             ("bez znaku", "bad_question"), ("", "bad_question_count")])
def test_a_badly_written_quiz_is_refused(sqlite_runtime, questions, code):
    with pytest.raises(InvalidInputError) as refused:
        training(sqlite_runtime, questions=questions)
    assert refused.value.code == code


def test_the_same_quiz_passed_at_once_credits_once_on_postgresql(postgres_url, tmp_path):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    try:
        seed(rt)
        pid = participant_id(rt, EMAIL)
        tid, questions = training(rt, points=70)
        results = race(8, lambda i: answer(rt, pid, tid, right(questions)))
        credited = [r.credited for r in results if isinstance(r, QuizResult)]
        assert sum(credited) == 70 and credited.count(70) == 1
        assert all(isinstance(r, QuizResult) or getattr(r, "code", "") == "already_passed" for r in results)
        with rt.sessions() as session:
            assert balance(session, pid) == 70
            causes = session.scalars(select(LedgerEntry.cause).where(LedgerEntry.kind == "training")).all()
            assert causes == [f"quiz:{tid}:{pid}"]
    finally:
        rt.close()
