"""Who may open what: every registered route of the web app (HTML pages and /api/v1) against every role.

The table below is the specification. A route added to the app without a row here fails
`test_every_route_has_a_row`, so nobody ships a page without deciding who may see it.
Partner A's claim (submitted by PARTICIPANT) is the object under test: partner B must get 404 on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import User
from claims.services.accounts import issue_api_token
from paragon.web import create_app as create_web_app
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT, REVIEWER_A, REVIEWER_B, RecordingQueue, login

ROLES = ("anonymous", "participant", "partner_a", "partner_b", "auditor", "admin")
EMAILS = {"participant": PARTICIPANT, "partner_a": REVIEWER_A, "partner_b": REVIEWER_B, "auditor": AUDITOR,
          "admin": ADMIN}


@dataclass(frozen=True)
class Row:
    path: str  # {claim} and {document}: partner A's claim and its document
    expected: tuple[int, int, int, int, int, int]  # in the order of ROLES
    data: dict | None = None
    json: dict | None = None
    fresh_claim: bool = False  # POSTs that change the claim get a new one per request


LOGIN = 302  # anonymous visitors are sent to /login
STAFF_ONLY = (LOGIN, 403, 403, 403, 200, 200)
PARTICIPANT_ONLY = (LOGIN, 200, 403, 403, 403, 403)
ON_CLAIM_PAGE = (LOGIN, 403, 200, 404, 200, 200)
ON_CLAIM_POST = (LOGIN, 403, 303, 404, 303, 303)
READERS = STAFF_ONLY  # admin lists: auditors read them
ADMIN_ONLY = (LOGIN, 403, 403, 403, 403, 200)
ADMIN_FORM_REFUSED = (LOGIN, 403, 403, 403, 403, 422)  # the admin's incomplete form comes back marked
ADMIN_POST = (LOGIN, 403, 403, 403, 403, 303)

MATRIX: dict[tuple[str, str], Row] = {
    ("index", "GET"): Row("/", (302, 302, 302, 302, 302, 302)),
    ("static", "GET"): Row("/static/app.css", (200,) * 6),
    ("auth.login", "GET"): Row("/login", (200, 302, 302, 302, 302, 302)),
    ("auth.login_submit", "POST"): Row("/login", (401,) * 6, data={"email": "x@example.pl", "password": "nope"}),
    ("auth.logout", "POST"): Row("/logout", (303,) * 6),
    ("auth.register", "GET"): Row("/register", (200, 302, 302, 302, 302, 302)),
    ("auth.register_submit", "POST"): Row("/register", (422, 303, 303, 303, 303, 303), data={"email": "x"}),
    ("auth.rules", "GET"): Row("/rules", (200,) * 6),
    ("participant.home", "GET"): Row("/me", PARTICIPANT_ONLY),
    ("participant.submit", "POST"): Row("/me/claims", (LOGIN, 303, 403, 403, 403, 403), data={"codes": ""}),
    ("participant.claim", "GET"): Row("/me/claims/{claim}", PARTICIPANT_ONLY),
    ("participant.appeal", "POST"): Row("/me/claims/{claim}/appeal", (LOGIN, 303, 403, 403, 403, 403),
                                        data={"comment": "x"}, fresh_claim=True),
    ("participant.points", "GET"): Row("/me/points", PARTICIPANT_ONLY),
    ("participant.consents", "GET"): Row("/me/consents", PARTICIPANT_ONLY),
    ("participant.change_consent", "POST"): Row("/me/consents", (LOGIN, 303, 403, 403, 403, 403),
                                                data={"kind": "marketing", "action": "give"}),
    ("participant.add_photos", "POST"): Row("/me/claims/{claim}/documents", (LOGIN, 303, 403, 403, 403, 403)),
    ("participant.live_list", "GET"): Row("/me/live", PARTICIPANT_ONLY),
    ("participant.live_claim", "GET"): Row("/me/claims/{claim}/live", PARTICIPANT_ONLY),
    ("account.profile", "GET"): Row("/me/account", PARTICIPANT_ONLY),
    ("account.save_profile", "POST"): Row("/me/account", (LOGIN, 422, 403, 403, 403, 403), data={"name": ""}),
    ("account.password", "GET"): Row("/me/password", PARTICIPANT_ONLY),
    ("account.change", "POST"): Row("/me/password", (LOGIN, 422, 403, 403, 403, 403),
                                    data={"current": "wrong", "password": "nowe-haslo-1",
                                          "password_again": "nowe-haslo-1"}),
    ("account.my_data", "GET"): Row("/me/data.zip", PARTICIPANT_ONLY),
    ("account.delete", "GET"): Row("/me/delete", PARTICIPANT_ONLY),
    ("account.delete_confirmed", "POST"): Row("/me/delete", (LOGIN, 422, 403, 403, 403, 403), data={"password": "x"}),
    ("password.forgot", "GET"): Row("/password/forgot", (200,) * 6),
    ("password.send_link", "POST"): Row("/password/forgot", (200,) * 6, data={"email": "nikt@example.pl"}),
    ("password.reset", "GET"): Row("/password/reset/1.1.forged", (400,) * 6),
    ("password.set_password", "POST"): Row("/password/reset/1.1.forged", (400,) * 6,
                                           data={"password": "nowe-haslo-1", "password_again": "nowe-haslo-1"}),
    ("pwa.manifest", "GET"): Row("/manifest.webmanifest", (200,) * 6),
    ("pwa.service_worker", "GET"): Row("/sw.js", (200,) * 6),
    ("pwa.offline", "GET"): Row("/offline", (200,) * 6),
    ("documents.preview", "GET"): Row("/documents/{document}/preview", (LOGIN, 200, 200, 404, 200, 200)),
    ("documents.original", "GET"): Row("/documents/{document}/original", (LOGIN, 200, 200, 404, 200, 200)),
    ("review.queue", "GET"): Row("/review", (LOGIN, 403, 200, 200, 200, 200)),
    ("review.bulk_approve", "POST"): Row("/review/bulk-approve", (LOGIN, 403, 303, 303, 303, 303),
                                         data={"claim_id": "{claim}"}, fresh_claim=True),
    ("review.claim", "GET"): Row("/review/claims/{claim}", ON_CLAIM_PAGE),
    ("review.approve", "POST"): Row("/review/claims/{claim}/approve", ON_CLAIM_POST, fresh_claim=True),
    ("review.reject", "POST"): Row("/review/claims/{claim}/reject", ON_CLAIM_POST,
                                   data={"reason_code": "not_our_sale"}, fresh_claim=True),
    ("review.correct", "POST"): Row("/review/claims/{claim}/fields", ON_CLAIM_POST, data={"total": "99.00"},
                                    fresh_claim=True),
    ("review.reverse", "POST"): Row("/review/claims/{claim}/reverse", (LOGIN, 403, 403, 403, 303, 303),
                                    data={"comment": "x"}, fresh_claim=True),
    ("audit.flagged", "GET"): Row("/audit/flagged", STAFF_ONLY),
    ("audit.search", "GET"): Row("/audit/search?claim_id=0", STAFF_ONLY),
    ("audit.sample", "GET"): Row("/audit/sample", STAFF_ONLY),
    ("audit.log", "GET"): Row("/audit/log", STAFF_ONLY),
    ("audit.partners", "GET"): Row("/audit/partners", STAFF_ONLY),
    ("reports.dashboard", "GET"): Row("/reports", STAFF_ONLY),
    ("reports.export", "GET"): Row("/reports/partners.csv", STAFF_ONLY),
    ("reports.export_xlsx", "GET"): Row("/reports/partners.xlsx", STAFF_ONLY),
    ("scorecards.agency", "GET"): Row("/reports/scorecards", STAFF_ONLY),
    ("scorecards.export", "GET"): Row("/reports/scorecards.csv", STAFF_ONLY),
    ("scorecards.own", "GET"): Row("/partner/scorecard", (LOGIN, 403, 200, 200, 403, 403)),  # their own only
    ("review.save_lines", "POST"): Row("/review/claims/{claim}/lines", ON_CLAIM_POST, data={"q-0": ""},
                                       fresh_claim=True),
    ("review.compare", "GET"): Row("/review/claims/{claim}/compare/{claim}", ON_CLAIM_PAGE),
    ("review.preview", "POST"): Row("/review/claims/{claim}/fields/preview", ON_CLAIM_PAGE,
                                    data={"date": "2026-03-20"}),
    ("review.product_search", "GET"): Row("/review/products?q=kl", (LOGIN, 403, 200, 200, 200, 200)),
    ("review.correct_line", "POST"): Row("/review/claims/{claim}/lines/0", ON_CLAIM_POST,
                                         data={"product_id": "none"}, fresh_claim=True),
    # admin pages (ids of the seeded programme: campaign 1, partner 1, outlet 1, user 2 = PARTICIPANT_2)
    ("admin.index", "GET"): Row("/admin", READERS),
    ("admin.campaigns", "GET"): Row("/admin/campaigns", READERS),
    ("admin.campaign_new", "GET"): Row("/admin/campaigns/new", ADMIN_ONLY),
    ("admin.campaign_create", "POST"): Row("/admin/campaigns/new", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.campaign_edit", "GET"): Row("/admin/campaigns/1", ADMIN_ONLY),
    ("admin.campaign_update", "POST"): Row("/admin/campaigns/1", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.codes", "GET"): Row("/admin/codes", READERS),
    ("admin.catalogue", "GET"): Row("/admin/catalogue?q=kl", READERS),
    ("admin.product_new", "GET"): Row("/admin/catalogue/new", ADMIN_ONLY),
    # creates product 1, which the rows below open (rows run in this order)
    ("admin.product_create", "POST"): Row("/admin/catalogue/new", ADMIN_POST,
                                          data={"sku": "MATRIX-1", "name": "Produkt testowy", "unit": "szt"}),
    ("admin.product_edit", "GET"): Row("/admin/catalogue/1", ADMIN_ONLY),
    ("admin.product_update", "POST"): Row("/admin/catalogue/1", ADMIN_FORM_REFUSED, data={"name": ""}),
    ("admin.product_name_delete", "POST"): Row("/admin/catalogue/1/names/1/delete", ADMIN_POST),
    ("admin.partners", "GET"): Row("/admin/partners", READERS),
    ("admin.partner_new", "GET"): Row("/admin/partners/new", ADMIN_ONLY),
    ("admin.partner_create", "POST"): Row("/admin/partners/new", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.partner_edit", "GET"): Row("/admin/partners/1", ADMIN_ONLY),
    ("admin.partner_update", "POST"): Row("/admin/partners/1", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.outlet_new", "GET"): Row("/admin/outlets/new?partner_id=1", ADMIN_ONLY),
    ("admin.outlet_create", "POST"): Row("/admin/outlets/new", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.outlet_edit", "GET"): Row("/admin/outlets/1", ADMIN_ONLY),
    ("admin.outlet_update", "POST"): Row("/admin/outlets/1", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.users", "GET"): Row("/admin/users?role=participant", ADMIN_ONLY),
    ("admin.user_new", "GET"): Row("/admin/users/new", ADMIN_ONLY),
    ("admin.user_create", "POST"): Row("/admin/users/new", ADMIN_FORM_REFUSED, data={"email": ""}),
    ("admin.user_detail", "GET"): Row("/admin/users/2", ADMIN_ONLY),
    ("admin.user_active", "POST"): Row("/admin/users/2/active", ADMIN_POST, data={"active": "1"}),
    ("admin.user_password", "POST"): Row("/admin/users/2/password", ADMIN_ONLY),
    ("admin.user_revoke_tokens", "POST"): Row("/admin/users/2/tokens/revoke", ADMIN_POST),
    ("admin.user_issue_token", "POST"): Row("/admin/users/2/tokens", ADMIN_ONLY, data={"label": "matrix"}),
    ("admin.import_page", "GET"): Row("/admin/import", ADMIN_ONLY),
    ("admin.import_upload", "POST"): Row("/admin/import/catalogue", ADMIN_FORM_REFUSED, data={}),
    ("admin.export", "GET"): Row("/admin/export/catalogue.csv", ADMIN_ONLY),
    # the JSON API: bearer tokens, no cookies; anonymous means no Authorization header
    ("api.openapi", "GET"): Row("/api/v1/openapi.json", (200,) * 6),
    ("api.create_claim", "POST"): Row("/api/v1/claims", (401, 422, 403, 403, 403, 403), data={}),
    ("api.list_claims", "GET"): Row("/api/v1/claims", (401, 200, 403, 403, 403, 403)),
    ("api.get_claim", "GET"): Row("/api/v1/claims/{claim}", (401, 200, 200, 404, 200, 200)),
    ("api.my_balance", "GET"): Row("/api/v1/participants/me/balance", (401, 200, 403, 403, 403, 403)),
    ("api.my_data", "GET"): Row("/api/v1/participants/me/export", (401, 200, 403, 403, 403, 403)),
    ("api.queue", "GET"): Row("/api/v1/review/queue", (401, 403, 200, 200, 200, 200)),
    ("api.decide", "POST"): Row("/api/v1/claims/{claim}/decision", (401, 403, 200, 404, 200, 200),
                                json={"action": "approve"}, fresh_claim=True),
    # rewards: the shop (participants), fulfilment and adjustments (staff), the reward catalogue (admin), the API;
    # the seeded programme has no rewards or orders, so ids 1 are unknown: 404, or a flashed error and 303
    ("shop.rewards", "GET"): Row("/me/rewards", PARTICIPANT_ONLY),
    ("shop.image", "GET"): Row("/rewards/1/image", (LOGIN, 404, 404, 404, 404, 404)),
    ("shop.add_to_basket", "POST"): Row("/me/basket", (LOGIN, 303, 403, 403, 403, 403),
                                        data={"reward_id": "1", "quantity": "1"}),
    ("shop.remove_from_basket", "POST"): Row("/me/basket/remove", (LOGIN, 303, 403, 403, 403, 403),
                                             data={"reward_id": "1"}),
    ("shop.basket", "GET"): Row("/me/basket", PARTICIPANT_ONLY),
    ("shop.confirm", "POST"): Row("/me/basket/confirm", (LOGIN, 303, 403, 403, 403, 403), data={"address": "x"}),
    ("shop.place", "POST"): Row("/me/orders", (LOGIN, 303, 403, 403, 403, 403), data={"address": "x"}),
    ("shop.orders", "GET"): Row("/me/orders", PARTICIPANT_ONLY),
    ("shop.order", "GET"): Row("/me/orders/1", (LOGIN, 404, 403, 403, 403, 403)),
    ("shop.cancel", "POST"): Row("/me/orders/1/cancel", (LOGIN, 303, 403, 403, 403, 403)),
    ("rewards_staff.orders", "GET"): Row("/staff/orders?status=placed", STAFF_ONLY),
    ("rewards_staff.export", "GET"): Row("/staff/orders.csv", STAFF_ONLY),
    ("rewards_staff.bulk", "POST"): Row("/staff/orders/bulk", (LOGIN, 403, 403, 403, 303, 303),
                                        data={"order": "1", "to": "approved"}),
    ("rewards_staff.tracking", "POST"): Row("/staff/orders/tracking", (LOGIN, 403, 403, 403, 303, 303), data={}),
    ("rewards_staff.order", "GET"): Row("/staff/orders/1", (LOGIN, 403, 403, 403, 404, 404)),
    ("rewards_staff.move", "POST"): Row("/staff/orders/1/move", (LOGIN, 403, 403, 403, 303, 303),
                                        data={"to": "approved"}),
    ("rewards_staff.adjust_page", "GET"): Row("/staff/points", STAFF_ONLY),
    ("rewards_staff.adjust", "POST"): Row("/staff/points", (LOGIN, 403, 403, 403, 422, 422),
                                          data={"email": "nikt@example.pl", "points": "5", "reason": "x"}),
    ("rewards_staff.report", "GET"): Row("/staff/rewards/report", STAFF_ONLY),
    ("rewards_staff.tax", "GET"): Row("/staff/rewards/tax/2026.csv", STAFF_ONLY),
    ("admin.rewards", "GET"): Row("/admin/rewards", READERS),
    ("admin.reward_form", "GET"): Row("/admin/rewards/new", ADMIN_ONLY),
    ("admin.save_reward_form", "POST"): Row("/admin/rewards/new", ADMIN_FORM_REFUSED, data={"code": ""}),
    ("admin.reward_image", "POST"): Row("/admin/rewards/1/image", ADMIN_POST, data={}),
    ("admin.reward_codes", "POST"): Row("/admin/rewards/1/codes", ADMIN_POST, data={}),
    ("rewards_api.rewards", "GET"): Row("/api/v1/rewards", (401, 200, 200, 200, 200, 200)),
    ("rewards_api.create_order", "POST"): Row("/api/v1/orders", (401, 422, 403, 403, 403, 403),
                                              json={"items": [{"reward_id": 1, "quantity": 1}]}),
    ("rewards_api.list_orders", "GET"): Row("/api/v1/orders", (401, 200, 403, 403, 403, 403)),
    ("rewards_api.get_order", "GET"): Row("/api/v1/orders/1", (401, 404, 403, 403, 403, 403)),
    ("rewards_api.cancel", "POST"): Row("/api/v1/orders/1/cancel", (401, 404, 403, 403, 403, 403)),
    ("review.sales_page", "GET"): Row("/review/sales", (LOGIN, 403, 200, 200, 403, 200)),
    ("review.sales_upload", "POST"): Row("/review/sales", (LOGIN, 403, 422, 422, 403, 422), data={}),
    ("api.post_sales", "POST"): Row("/api/v1/partner/sales", (401, 403, 422, 422, 403, 422), json={"records": []}),
    # activities: trainings, surveys and contests (participants), their admin, tiers, the API; the seeded programme
    # has none, so ids 1 are unknown
    ("activities.index", "GET"): Row("/me/activities", PARTICIPANT_ONLY),
    ("activities.training", "GET"): Row("/me/trainings/1", (LOGIN, 404, 403, 403, 403, 403)),
    ("activities.answer_training", "POST"): Row("/me/trainings/1", (LOGIN, 303, 403, 403, 403, 403), data={}),
    ("activities.survey", "GET"): Row("/me/surveys/1", (LOGIN, 404, 403, 403, 403, 403)),
    ("activities.answer_survey", "POST"): Row("/me/surveys/1", (LOGIN, 303, 403, 403, 403, 403), data={}),
    ("activities.contest", "GET"): Row("/me/contests/1", (LOGIN, 404, 403, 403, 403, 403)),
    ("admin.trainings", "GET"): Row("/admin/trainings", READERS),
    ("admin.training_form", "GET"): Row("/admin/trainings/new", ADMIN_ONLY),
    ("admin.save_training_form", "POST"): Row("/admin/trainings/new", ADMIN_FORM_REFUSED, data={}),
    ("admin.training_answers", "GET"): Row("/admin/trainings/1/answers", (LOGIN, 403, 403, 403, 404, 404)),
    ("admin.surveys", "GET"): Row("/admin/surveys", READERS),
    ("admin.survey_form", "GET"): Row("/admin/surveys/new", ADMIN_ONLY),
    ("admin.save_survey_form", "POST"): Row("/admin/surveys/new", ADMIN_FORM_REFUSED, data={}),
    ("admin.survey_results", "GET"): Row("/admin/surveys/1/results", (LOGIN, 403, 403, 403, 404, 404)),
    ("admin.survey_export", "GET"): Row("/admin/surveys/1/results.csv", (LOGIN, 403, 403, 403, 404, 404)),
    ("admin.tiers", "GET"): Row("/admin/tiers", READERS),
    ("admin.save_tiers", "POST"): Row("/admin/tiers", ADMIN_FORM_REFUSED, data={}),
    ("admin.contests", "GET"): Row("/admin/contests", READERS),
    ("admin.contest_page", "GET"): Row("/admin/contests/new", READERS),
    ("admin.save_contest_form", "POST"): Row("/admin/contests/new", ADMIN_FORM_REFUSED, data={}),
    ("admin.close_contest", "POST"): Row("/admin/contests/1/close", ADMIN_POST),
    ("activities_api.list_contests", "GET"): Row("/api/v1/contests", (401, 200, 403, 403, 403, 403)),
    ("activities_api.contest_leaderboard", "GET"): Row("/api/v1/contests/1/leaderboard",
                                                       (401, 404, 403, 403, 403, 403)),
    ("activities_api.my_tier", "GET"): Row("/api/v1/participants/me/tier", (401, 200, 403, 403, 403, 403)),
    # reaching participants: e-mail campaigns and news (admins write, auditors read the campaigns and the report),
    # the unsubscribe link and the open image (no login: a forged token is a 400 page, the image always a GIF)
    ("admin.mail_campaigns", "GET"): Row("/admin/mail", READERS),
    ("admin.mail_campaign_form", "GET"): Row("/admin/mail/new", ADMIN_ONLY),
    ("admin.mail_campaign", "GET"): Row("/admin/mail/1", (LOGIN, 403, 403, 403, 404, 404)),
    ("admin.save_mail_campaign", "POST"): Row("/admin/mail/new", ADMIN_FORM_REFUSED, data={}),
    ("admin.send_mail_campaign", "POST"): Row("/admin/mail/1/send", (LOGIN, 403, 403, 403, 403, 404)),
    ("admin.mail_report", "GET"): Row("/admin/mail/report.csv", READERS),
    ("admin.news", "GET"): Row("/admin/news", READERS),
    ("admin.news_form", "GET"): Row("/admin/news/new", ADMIN_ONLY),
    ("admin.save_news_form", "POST"): Row("/admin/news/new", ADMIN_FORM_REFUSED, data={}),
    ("reach.news", "GET"): Row("/me/news", PARTICIPANT_ONLY),
    ("reach.unsubscribe_page", "GET"): Row("/unsubscribe/forged", (400,) * 6),
    ("reach.unsubscribe_confirmed", "POST"): Row("/unsubscribe/forged", (400,) * 6,
                                                 data={"List-Unsubscribe": "One-Click"}),
    ("reach.open_pixel", "GET"): Row("/mail/open/forged.gif", (200,) * 6),
    # display activities: the participant's page and photo form, the admin pages, the API (none seeded: id 1 unknown)
    ("activities.display", "GET"): Row("/me/displays/1", (LOGIN, 404, 403, 403, 403, 403)),
    ("activities.claim_display", "POST"): Row("/me/displays/1", (LOGIN, 404, 403, 403, 403, 403), data={}),
    ("admin.displays", "GET"): Row("/admin/displays", READERS),
    ("admin.display_form", "GET"): Row("/admin/displays/new", ADMIN_ONLY),
    ("admin.save_display_form", "POST"): Row("/admin/displays/new", ADMIN_FORM_REFUSED, data={}),
    ("activities_api.list_activities", "GET"): Row("/api/v1/activities", (401, 200, 403, 403, 403, 403)),
    ("activities_api.claim_display", "POST"): Row("/api/v1/activities/1/claims", (401, 404, 403, 403, 403, 403),
                                                  data={}),
}


@pytest.fixture
def web_app(runtime):
    return create_web_app(runtime, RecordingQueue(), testing=True)


@pytest.fixture
def callers(web_app, runtime) -> dict[str, tuple]:
    """Per role: a cookie client logged in through the form, and an API bearer token."""
    tokens = {}
    with transaction(runtime.sessions) as session:
        for role, email in EMAILS.items():
            tokens[role] = issue_api_token(session, session.scalar(select(User).where(User.email == email)))
    found = {"anonymous": (web_app.test_client(), None)}
    for role, email in EMAILS.items():
        client = web_app.test_client()
        assert login(client, email).status_code == 303
        found[role] = (client, tokens[role])
    return found


def test_every_route_has_a_row(web_app):
    registered = {(rule.endpoint, method) for rule in web_app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert registered - set(MATRIX) == set(), "a route without a row in MATRIX: decide who may open it"
    assert set(MATRIX) - registered == set(), "a row for a route that no longer exists"


def _request(client, token, row: Row, method: str, claim_id: str, document_id: int):
    path = row.path.format(claim=claim_id, document=document_id)
    data = {k: v.format(claim=claim_id) for k, v in (row.data or {}).items()} if row.data is not None else None
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(path, method=method, json=row.json, data=data, headers=headers,
                           environ_base={"HTTP_COOKIE": ""})
    return client.open(path, method=method, data=data)


def test_authorisation_matrix(web_app, callers, claims):
    shared = claims.pending("A-WAW")
    document_id = claims.document_ids(shared)[0]
    failures = []
    rows = sorted(MATRIX.items(), key=lambda item: item[0] == ("auth.logout", "POST"))  # log out last
    for (endpoint, method), row in rows:
        for role, expected in zip(ROLES, row.expected, strict=True):
            client, token = callers[role]
            claim_id = claims.pending("A-WAW") if row.fresh_claim else shared
            if row.fresh_claim and endpoint == "participant.appeal":
                _reject(web_app, claim_id)
            if row.fresh_claim and endpoint == "review.reverse":
                _approve(web_app, claim_id)
            got = _request(client, token, row, method, claim_id, document_id).status_code
            if got != expected:
                failures.append(f"{method} {row.path} as {role}: {got}, expected {expected}")
    assert failures == []


def _reviewer(web_app):
    client = web_app.test_client()
    login(client, REVIEWER_A)
    return client


def _reject(web_app, claim_id: str) -> None:
    _reviewer(web_app).post(f"/review/claims/{claim_id}/reject", data={"reason_code": "not_our_sale"})


def _approve(web_app, claim_id: str) -> None:
    _reviewer(web_app).post(f"/review/claims/{claim_id}/approve")
