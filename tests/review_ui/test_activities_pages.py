"""The activities pages: an admin writes a training with its quiz, a participant reads it on the phone and
passes (points credited once), the answers report shows what was answered; each page checks the role."""

from __future__ import annotations

import re

from sqlalchemy import select

from claims.db.activity_models import Training
from claims.db.models import Participant, User
from claims.ledger import balance
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT, REVIEWER_A, login

QUIZ = "? Stolica Polski?\n- Kraków\n+ Warszawa\n?? Które to owoce?\n+ jabłko\n+ gruszka\n- marchew\n"


def _new_training(client, **extra) -> int:
    login(client, ADMIN)
    form = {"code": "SZK-1", "title": "Szkolenie z ekspozycji", "lesson": "Akapit pierwszy\n\nAkapit drugi",
            "video_url": "https://video.example/1", "points": "40", "pass_mark": "100", "max_attempts": "",
            "questions": QUIZ, "active": "1", **extra}
    saved = client.post("/admin/trainings/new", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:500]
    client.post("/logout")
    return int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _question_ids(page: str) -> list[str]:
    return re.findall(r'data-question="(\d+)"', page)


def test_an_admin_writes_a_training_and_a_participant_passes_it_once(client, runtime):
    training_id = _new_training(client)
    login(client, PARTICIPANT)
    listing = client.get("/me/activities").get_data(as_text=True)
    assert f'data-training="{training_id}"' in listing and "Szkolenie z ekspozycji" in listing
    page = client.get(f"/me/trainings/{training_id}").get_data(as_text=True)
    assert "Akapit drugi" in page and 'href="https://video.example/1"' in page and 'type="checkbox"' in page
    first, second = _question_ids(page)
    wrong = client.post(f"/me/trainings/{training_id}", data={f"q{first}": "0", f"q{second}": ["0", "1"]},
                        follow_redirects=True).get_data(as_text=True)
    assert "50%" in wrong
    right = {f"q{first}": "1", f"q{second}": ["0", "1"]}
    passed = client.post(f"/me/trainings/{training_id}", data=right, follow_redirects=True).get_data(as_text=True)
    assert "100%" in passed and "40" in passed and 'data-passed="1"' in passed
    client.post(f"/me/trainings/{training_id}", data=right)
    with runtime.sessions() as session:
        pid = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        assert balance(session, pid) == 40
    points = client.get("/me/points").get_data(as_text=True)
    assert "Szkolenie z ekspozycji" in points
    client.post("/logout")
    login(client, AUDITOR)
    report = client.get(f"/admin/trainings/{training_id}/answers").get_data(as_text=True)
    assert report.count("data-attempt=") == 2 and "Warszawa" in report and "Kraków" in report


def test_a_badly_written_quiz_comes_back_with_the_reason(client, runtime):
    login(client, ADMIN)
    refused = client.post("/admin/trainings/new", data={"code": "Z", "title": "Zły", "points": "5",
                                                        "questions": "? bez dobrej\n- a\n- b"})
    assert refused.status_code == 422 and "poprawnej odpowiedzi" in refused.get_data(as_text=True)
    with runtime.sessions() as session:
        assert session.scalars(select(Training)).all() == []


def test_each_activities_page_checks_the_role(client, runtime):
    training_id = _new_training(client)
    login(client, REVIEWER_A)
    assert client.get("/me/activities").status_code == 403
    assert client.get(f"/me/trainings/{training_id}").status_code == 403
    assert client.get("/admin/trainings").status_code == 403
    client.post("/logout")
    login(client, PARTICIPANT)
    assert client.get("/admin/trainings").status_code == 403
    assert client.post("/admin/trainings/new", data={"code": "X"}).status_code == 403
    assert client.get(f"/admin/trainings/{training_id}/answers").status_code == 403
    assert client.get("/me/trainings/999999").status_code == 404
    client.post("/logout")
    login(client, AUDITOR)
    assert client.get("/admin/trainings").status_code == 200
    assert client.get(f"/admin/trainings/{training_id}").status_code == 403


SURVEY = "[single] Gdzie kupujesz?\n- hurtownia\n- sieć\n[scale 5] Ocena\n[text] Uwagi\n"


def test_a_participant_completes_a_survey_and_staff_export_the_results(client, runtime):
    import io

    from openpyxl import load_workbook

    login(client, ADMIN)
    saved = client.post("/admin/surveys/new", data={"code": "ANK-1", "title": "Ankieta", "points": "10",
                                                    "questions": SURVEY, "active": "1"})
    assert saved.status_code == 303
    survey_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    client.post("/logout")
    login(client, PARTICIPANT)
    page = client.get(f"/me/surveys/{survey_id}").get_data(as_text=True)
    first, scale, text = _question_ids(page)
    answers = {f"q{first}": "1", f"q{scale}": "5", f"q{text}": "=1+1 więcej promocji"}
    done = client.post(f"/me/surveys/{survey_id}", data=answers, follow_redirects=True).get_data(as_text=True)
    assert 'data-answered="1"' in done
    again = client.post(f"/me/surveys/{survey_id}", data=answers, follow_redirects=True).get_data(as_text=True)
    assert "już wypełniona" in again
    with runtime.sessions() as session:
        pid = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        assert balance(session, pid) == 10
    assert client.get(f"/admin/surveys/{survey_id}/results.csv").status_code == 403
    client.post("/logout")
    login(client, AUDITOR)
    assert "więcej promocji" in client.get(f"/admin/surveys/{survey_id}/results").get_data(as_text=True)
    csv_body = client.get(f"/admin/surveys/{survey_id}/results.csv").get_data(as_text=True)
    assert csv_body.startswith("\ufeffresponse;participant_id;completed_at;Gdzie kupujesz?;Ocena;Uwagi")
    assert csv_body.rstrip().endswith(";sieć;5;'=1+1 więcej promocji")
    book = load_workbook(io.BytesIO(client.get(f"/admin/surveys/{survey_id}/results.xlsx").data))
    assert [c.value for c in book.active[2]][3:] == ["sieć", 5, "'=1+1 więcej promocji"]


def test_an_admin_sets_the_ladder_and_the_participant_sees_what_is_missing(client, runtime):
    import uuid

    from claims.db.engine import transaction
    from claims.ledger import adjust_points

    login(client, ADMIN)
    refused = client.post("/admin/tiers", data={"ladder": "Srebrny; 100; 1"})
    assert refused.status_code == 422
    saved = client.post("/admin/tiers", data={"ladder": "Brązowy; 0; 1\nSrebrny; 1000; 1,25\nZłoty; 3000; 1,5"})
    assert saved.status_code == 303
    client.post("/logout")
    with transaction(runtime.sessions) as session:
        pid = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        admin = session.scalar(select(User).where(User.email == ADMIN))
        adjust_points(session, pid, 5000, "premia", admin, uuid.uuid4().hex)  # an adjustment earns no level
    login(client, PARTICIPANT)
    page = client.get("/me/activities").get_data(as_text=True)
    assert 'data-tier="Brązowy"' in page and 'data-missing="1000"' in page and "Srebrny" in page
    assert client.post("/admin/tiers", data={"ladder": "A; 0; 1"}).status_code == 403


def test_an_admin_runs_a_contest_participants_see_pseudonyms_and_staff_the_full_board(client, runtime):
    import uuid
    from datetime import UTC, datetime, timedelta

    from claims.db.engine import transaction
    from claims.db.models import LedgerEntry
    from claims.ledger import post
    from tests.review_ui.helpers import PARTICIPANT_2

    today = datetime.now(UTC).date()
    with transaction(runtime.sessions) as session:
        ids = {email: session.scalar(select(Participant.id).join(User).where(User.email == email))
               for email in (PARTICIPANT, PARTICIPANT_2)}
        for email, points in ((PARTICIPANT, 100), (PARTICIPANT_2, 300)):
            post(session, LedgerEntry(participant_id=ids[email], kind="training", points=points,
                                      cause=f"test:{uuid.uuid4().hex}"))
    login(client, ADMIN)
    form = {"code": "K-1", "title": "Najaktywniejszy miesiąca", "metric": "points", "prizes": "50, 20",
            "starts_on": (today - timedelta(days=3)).isoformat(), "ends_on": (today + timedelta(days=3)).isoformat()}
    assert client.post("/admin/contests/new", data={**form, "metric": "likes"}).status_code == 422
    saved = client.post("/admin/contests/new", data=form)
    contest_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    staff = client.get(f"/admin/contests/{contest_id}").get_data(as_text=True)
    assert staff.count("data-place=") == 2 and f"(#{ids[PARTICIPANT_2]})" in staff
    refused = client.post(f"/admin/contests/{contest_id}/close", follow_redirects=True).get_data(as_text=True)
    assert "jeszcze trwa" in refused
    client.post("/logout")
    login(client, PARTICIPANT)
    page = client.get(f"/me/contests/{contest_id}").get_data(as_text=True)
    assert 'data-my-place="2"' in page and 'class="me"' in page
    other_name = session_name(runtime, PARTICIPANT_2)
    assert other_name not in page and PARTICIPANT_2 not in page and "*** #" in page
    assert client.post(f"/admin/contests/{contest_id}/close").status_code == 403
    assert client.get(f"/admin/contests/{contest_id}").status_code == 403


def session_name(runtime, email: str) -> str:
    with runtime.sessions() as session:
        participant = session.scalar(select(Participant).join(User).where(User.email == email))
        return participant.company_name or email


def test_an_invitation_link_records_the_new_participant_and_waits_for_a_first_approval(client, runtime):
    from claims.db.activity_models import Referral
    from tests.review_ui.test_register import VALID

    login(client, PARTICIPANT)
    page = client.get("/me/activities").get_data(as_text=True)
    assert page.count("data-invite=") == 1 and "<title>Aktywności" in page
    link = re.search(r'data-invite="([^"]+)"', page).group(1)
    assert "/register?ref=" in link
    client.post("/logout")
    form = client.get(link.split("localhost", 1)[1]).get_data(as_text=True)
    code = link.rsplit("=", 1)[1]
    assert f'name="ref" value="{code}"' in form
    assert client.post("/register", data={**VALID, "ref": code}).status_code == 303
    with runtime.sessions() as session:
        referrer = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        [referral] = session.scalars(select(Referral)).all()
        assert (referral.referrer_id, referral.status, referral.points) == (referrer, "waiting", 100)
        assert balance(session, referrer) == 0


def test_the_most_active_of_the_month_template_fills_the_form_for_this_month(client, runtime):
    from datetime import UTC, datetime

    login(client, ADMIN)
    listing = client.get("/admin/contests").get_data(as_text=True)
    assert "template=most_active" in listing
    form = client.get("/admin/contests/new?template=most_active").get_data(as_text=True)
    today = datetime.now(UTC).date()
    assert f'value="{today.replace(day=1).isoformat()}"' in form and 'value="500, 300, 100"' in form
    assert "Najaktywniejszy miesiąca" in form and '<option value="points" selected' in form
    import calendar

    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    assert f'value="{last.isoformat()}"' in form


def test_an_id_out_of_the_databases_range_is_a_404_not_a_500(client, runtime):
    big = 99_999_999_999_999
    login(client, PARTICIPANT)
    for path in (f"/me/trainings/{big}", f"/me/surveys/{big}", f"/me/contests/{big}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/me/trainings/{big}", data={}).status_code in (303, 404)
    client.post("/logout")
    login(client, ADMIN)
    assert client.get(f"/admin/contests/{big}").status_code == 404
    assert client.post(f"/admin/contests/{big}/close").status_code == 303
