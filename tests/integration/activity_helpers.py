"""Builders for the activities tests: a training with a two-question quiz, a participant's answers."""

from __future__ import annotations

import threading
import uuid

from claims.db.engine import transaction
from claims.db.models import Participant
from claims.runtime import Runtime
from claims.services.trainings import answer_quiz, save_training

QUIZ = """? Ile punktów daje paragon?
- zero
+ zależy od kampanii
?? Co widać na ekspozycji?
+ produkty
+ ceny
- nic
"""


def training(rt: Runtime, points: int = 50, **extra) -> tuple[int, list[int]]:
    """A training's id and its question ids."""
    raw = {"code": f"T-{uuid.uuid4().hex[:8]}", "title": "Szkolenie produktowe", "lesson": "Treść lekcji",
           "points": str(points), "pass_mark": "100", "questions": QUIZ, **extra}
    with transaction(rt.sessions) as session:
        row = save_training(session, raw)
        return row.id, [q.id for q in row.questions]


def answer(rt: Runtime, participant_id: int, training_id: int, answers: dict):
    with transaction(rt.sessions) as session:
        return answer_quiz(session, session.get(Participant, participant_id), training_id, answers)


def right(questions: list[int]) -> dict:
    return {str(questions[0]): ["1"], str(questions[1]): ["0", "1"]}


def race(count: int, work) -> list[object]:
    """Run `work(i)` in `count` threads released together; returns each result or exception."""
    results: list[object] = [None] * count
    gate = threading.Barrier(count)

    def run(i: int) -> None:
        gate.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the test counts outcomes
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def participants(rt: Runtime, count: int, prefix: str = "sklep") -> list[int]:
    """`count` more participants (no password: they never log in); returns their ids."""
    from claims.db.models import User

    with transaction(rt.sessions) as session:
        ids = []
        for i in range(count):
            person = User(email=f"{prefix}{i}.{uuid.uuid4().hex[:6]}@example.com", name=f"{prefix} {i}",
                          password_hash="!", role="participant")
            session.add(person)
            session.flush()
            row = Participant(user_id=person.id, company_name=f"{prefix.title()} {i}")
            session.add(row)
            session.flush()
            ids.append(row.id)
        return ids
