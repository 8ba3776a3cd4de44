"""Redirects after login: `next` is followed only when it is a path on this site, as sent and after decoding."""

from __future__ import annotations

import pytest

from review_ui.access import is_safe_next
from tests.review_ui.helpers import REVIEWER_A, login

HOSTILE = [
    "/\t/evil.example", "/%09/evil.example", "/%0a/evil.example", "/\r\n/evil.example", "//evil.example",
    "///evil.example", "/\\evil.example", "\\\\evil.example", "/%5cevil.example", "/%5Cevil.example",
    "%2f%2fevil.example", "/%2f/evil.example", "/%252f%252fevil.example", "/%25252f%25252fevil.example",
    "https://evil.example", "http:/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,x", " /review", "\x00/review", "/\u3000/evil.example", "/\u2028/evil.example",
    "evil.example", "", None, "/" + "a" * 3000,
]
LOCAL = ["/review", "/review/claims/abc?tab=2", "/me/claims", "/admin/users?role=auditor&q=ann", "/review?q=%C5%BC"]


@pytest.mark.parametrize("target", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_next_is_refused(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", LOCAL)
def test_a_local_path_is_followed(target):
    assert is_safe_next(target)


@pytest.mark.parametrize("target", ["/%09/evil.example", "/\t/evil.example", "/%5Cevil.example", "//evil.example",
                                    "https://evil.example/review"])
def test_the_issue_17_redirect_after_a_genuine_login_stays_on_the_site(client, target):
    answer = login(client, REVIEWER_A, next=target)
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_a_local_next_is_followed_after_login(client):
    answer = login(client, REVIEWER_A, next="/review?status=flagged")
    assert answer.headers["Location"] == "/review?status=flagged"


def test_the_login_page_refuses_a_tab_in_next_outright(client):
    assert client.get("/login?next=/%09/evil.example").status_code == 400
