"""No 500 from input: the attacks of issue 17 (NUL bytes, control characters, over-long values, wrong types, odd
Unicode in form fields, JSON fields, URL segments and query arguments), each answered with a 4xx and a code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import User
from claims.services.accounts import issue_api_token
from paragon.web import create_app as create_web_app
from tests.review_ui.helpers import ADMIN, REVIEWER_A, RecordingQueue, login

NUL_ID = "a%00b"


@pytest.fixture
def web_app(runtime):
    return create_web_app(runtime, RecordingQueue(), testing=True)


@pytest.fixture
def reviewer(web_app):
    client = web_app.test_client()
    assert login(client, REVIEWER_A).status_code == 303
    return client


@pytest.fixture
def token(runtime):
    with transaction(runtime.sessions) as session:
        return issue_api_token(session, session.scalar(select(User).where(User.email == REVIEWER_A)))


def _api(client, token, method, path, **kwargs):
    return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def _refused_with_code(answer, statuses=(400, 404, 422)) -> None:
    assert answer.status_code in statuses, (answer.status_code, answer.data[:200])
    if answer.is_json:
        assert answer.get_json()["error"]["code"]


def test_login_with_a_nul_byte_in_the_email_is_a_400(web_app):
    answer = web_app.test_client().post("/login", data={"email": "a\x00b@example.pl", "password": "x"})
    assert answer.status_code == 400
    assert "niedozwolone znaki" in answer.get_data(as_text=True)


@pytest.mark.parametrize("field", ["email", "password"])
@pytest.mark.parametrize("value", ["\x01", "a\x1bb", "\x7f", "\uffff"])
def test_login_with_control_characters_or_surrogates_is_a_400(web_app, field, value):
    data = {"email": REVIEWER_A, "password": "x", field: value}
    assert web_app.test_client().post("/login", data=data).status_code == 400


def test_api_claim_id_with_a_nul_byte_is_a_400_with_a_code(web_app, token):
    client = web_app.test_client()
    for method, path in (("GET", f"/api/v1/claims/{NUL_ID}"), ("POST", f"/api/v1/claims/{NUL_ID}/decision")):
        answer = _api(client, token, method, path, json={"action": "approve"} if method == "POST" else None)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_characters"


def test_an_over_long_claim_id_is_a_404(web_app, token, reviewer):
    answer = _api(web_app.test_client(), token, "GET", "/api/v1/claims/" + "a" * 5000)
    assert answer.status_code == 404 and answer.get_json()["error"]["code"]
    assert reviewer.get("/review/claims/" + "ą" * 300).status_code == 404


def test_review_page_and_product_search_with_nul_bytes_are_4xx(reviewer):
    assert reviewer.get(f"/review/claims/{NUL_ID}").status_code == 400
    assert reviewer.get("/review/products?q=a%00b").status_code == 400
    assert reviewer.get("/review?q=%0d%0aSet-Cookie:x").status_code == 400


def test_decision_with_an_over_long_reason_code_is_a_422(web_app, token, claims):
    claim_id = claims.pending("A-WAW")
    client = web_app.test_client()
    for action in ("approve", "reject"):
        answer = _api(client, token, "POST", f"/api/v1/claims/{claim_id}/decision",
                      json={"action": action, "reason_code": "x" * 100})
        _refused_with_code(answer, (422,))
        assert answer.get_json()["error"]["code"] == "bad_reason_code"
    assert claims.status(claim_id) == "pending_review"


def test_decision_with_a_nul_in_the_comment_is_a_400(web_app, token, claims):
    claim_id = claims.pending("A-WAW")
    answer = _api(web_app.test_client(), token, "POST", f"/api/v1/claims/{claim_id}/decision",
                  json={"action": "reject", "reason_code": "other", "comment": "a\u0000b"})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_characters"
    assert claims.status(claim_id) == "pending_review"


@pytest.mark.parametrize("body", [{"action": "approve", "reason_code": 5}, {"action": "reject", "comment": []},
                                  {"action": ["approve"]}, {"action": "approve", "reason_code": {"a": 1}}, [1, 2]])
def test_decision_with_wrong_types_is_a_422(web_app, token, claims, body):
    claim_id = claims.pending("A-WAW")
    _refused_with_code(_api(web_app.test_client(), token, "POST", f"/api/v1/claims/{claim_id}/decision",
                            json=body), (422,))
    assert claims.status(claim_id) == "pending_review"


def test_form_reject_with_a_nul_in_the_comment_is_a_400(reviewer, claims):
    claim_id = claims.pending("A-WAW")
    answer = reviewer.post(f"/review/claims/{claim_id}/reject", data={"reason_code": "other", "comment": "x\x00"})
    assert answer.status_code == 400
    assert claims.status(claim_id) == "pending_review"


def test_a_comment_over_several_lines_with_odd_unicode_is_still_accepted(reviewer, claims):
    claim_id = claims.pending("A-WAW")
    comment = "pierwsza linia\r\n\tdruga: \u202egnp.exe 🧾 ẞ"
    answer = reviewer.post(f"/review/claims/{claim_id}/reject", data={"reason_code": "other", "comment": comment})
    assert answer.status_code == 303
    assert claims.status(claim_id) == "rejected"


def test_a_lone_surrogate_in_json_is_a_400(web_app, token, claims):
    claim_id = claims.pending("A-WAW")
    raw = '{"action": "reject", "reason_code": "other", "comment": "\\ud800"}'
    answer = _api(web_app.test_client(), token, "POST", f"/api/v1/claims/{claim_id}/decision", data=raw,
                  content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_characters"


def test_deeply_nested_json_is_a_400(web_app, token, claims):
    body: dict = {"action": "approve"}
    for _ in range(50):
        body = {"x": body}
    answer = _api(web_app.test_client(), token, "POST", f"/api/v1/claims/{claims.pending('A-WAW')}/decision",
                  json=body)
    assert answer.status_code == 400


def test_admin_form_with_a_nul_is_a_400(web_app):
    client = web_app.test_client()
    assert login(client, ADMIN).status_code == 303
    answer = client.post("/admin/users", data={"email": "x\x00@example.pl", "name": "X", "role": "auditor"})
    assert answer.status_code == 400
