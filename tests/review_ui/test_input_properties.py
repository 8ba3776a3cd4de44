"""Property: arbitrary strings in every form field and every JSON field never earn a 5xx.

The fields are not listed by hand: every page of the authorisation matrix is opened as a role that may open it,
every <form> on it is read (its action, method and the names of its inputs, selects and text areas), and the
matrix's own request bodies are added. Hypothesis then fills every field of a chosen form, or of a JSON body,
with arbitrary text (control characters, odd Unicode, very long strings) and posts it as that role.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.review_ui.test_matrix import EMAILS, MATRIX, ROLES, callers, web_app  # noqa: F401 — fixtures

API_JSON_FIELDS = {("/api/v1/claims/{claim}/decision", "POST"): ("action", "reason_code", "comment")}
#: Query arguments read by script or API rather than by a form on a page.
QUERIES = [("partner_a", "GET", "/review/products", ("q",), False),
           ("partner_a", "GET", "/api/v1/review/queue", ("limit", "offset", "lang"), False),
           ("participant", "GET", "/api/v1/claims", ("limit", "offset", "status", "lang"), False)]
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.text(st.sampled_from("\x00\x01\t\n\r\x1b\x7f\u202e\u200b\ufeffąż🧾%'\"<>&/\\."), max_size=30),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=300, max_size=3000),
)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.forms.append((values.get("action") or "", (values.get("method") or "get").upper(), set()))
        elif tag in ("input", "select", "textarea") and self.forms and values.get("name"):
            if values.get("type") not in ("file", "submit") and values["name"] != "csrf_token":
                self.forms[-1][2].add(values["name"])


def _role_for(row) -> str | None:
    return next((role for role, status in zip(ROLES, row.expected, strict=True) if status < 400
                 and not (role == "anonymous" and status == 302)), None)


@pytest.fixture
def targets(callers, claims):  # noqa: F811 — the matrix's fixture
    """(role, method, path, fields, json) of every form and JSON body found."""
    claim_id = claims.pending("A-WAW")
    document_id = claims.document_ids(claim_id)[0]
    found: dict[tuple[str, str, str], set[str]] = {}
    for (_endpoint, method), row in MATRIX.items():
        role = _role_for(row)
        if role is None or row.path.startswith("/api/") or role == "anonymous" and "logout" in row.path:
            continue
        path = row.path.format(claim=claim_id, document=document_id)
        if method == "POST" and row.data:
            found.setdefault((role, "POST", urlsplit(path).path), set()).update(row.data)
        if method != "GET" or path.startswith("/static") or "logout" in path:
            continue
        page = callers[role][0].get(path)
        if page.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(page.get_data(as_text=True))
        for action, form_method, names in parser.forms:
            target = urlsplit(action).path or urlsplit(path).path
            if names and "logout" not in target:
                found.setdefault((role, form_method, target), set()).update(names)
    forms = [(role, method, path, tuple(sorted(names)), False) for (role, method, path), names in found.items()]
    jsons = [("partner_a", method, path.format(claim=claim_id), fields, True)
             for (path, method), fields in API_JSON_FIELDS.items()]
    assert len(forms) >= 20, "the pages should carry many forms"
    return forms + jsons + QUERIES


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_arbitrary_strings_in_any_field_never_answer_5xx(targets, callers, data):  # noqa: F811
    role, method, path, fields, is_json = data.draw(st.sampled_from(targets))
    values = {name: data.draw(TEXT, label=name) for name in fields}
    client, token = callers[role]
    if path.startswith("/api/") and not is_json:
        answer = client.get(path, query_string=values, headers={"Authorization": f"Bearer {token}"},
                            environ_base={"HTTP_COOKIE": ""})
    elif is_json:
        answer = client.open(path, method=method, json=values, headers={"Authorization": f"Bearer {token}"},
                             environ_base={"HTTP_COOKIE": ""})
    elif method == "GET":
        answer = client.get(path, query_string=values)
    else:
        answer = client.open(path, method=method, data=values)
    assert answer.status_code < 500, (role, method, path, values, answer.data[:300])
