"""The display side of the API through Flask's test client: the participant's activities (trainings, surveys,
displays) and a display photo sent as a claim, with the same upload rules and errors as POST /claims."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.integration.activity_helpers import training
from tests.integration.display_helpers import activity, outlet_id, photo
from tests.integration.test_rewards_api import bearer, client  # noqa: F401 — the shared fixture

pytestmark = pytest.mark.integration


def _post(client, rt, activity_id: int, outlet: int, data: bytes, name: str = "polka.jpg", **headers):  # noqa: F811
    return client.post(f"/api/v1/activities/{activity_id}/claims", headers={**bearer(rt), **headers},
                       content_type="multipart/form-data",
                       data={"outlet_id": str(outlet), "files": (BytesIO(data), name)})


def test_the_activities_list_and_a_display_claim_with_its_refusals(client, sqlite_runtime):  # noqa: F811
    rt = sqlite_runtime
    tid, _ = training(rt, points=50)
    aid = activity(rt, outlets="PA-1")
    listed = client.get("/api/v1/activities", headers=bearer(rt)).get_json()["activities"]
    assert [(a["kind"], a["id"], a["points"]) for a in listed] == [("training", tid, 50), ("display", aid, 150)]
    display = listed[1]
    assert display["frequency"] == "month" and display["starts_on"] and display["ends_on"]
    assert [o["id"] for o in display["outlets"]] == [outlet_id(rt, "PA-1")]
    assert display["claims_url"] == f"/api/v1/activities/{aid}/claims"

    sent = _post(client, rt, aid, outlet_id(rt, "PA-1"), photo(1))
    assert sent.status_code == 202, sent.get_json()
    body = sent.get_json()
    assert body["status"] == "received" and sent.headers["Location"] == body["url"]
    own = client.get(body["url"], headers=bearer(rt)).get_json()
    assert own["kind"] == "display" and own["status"] == "received"

    again = _post(client, rt, aid, outlet_id(rt, "PA-1"), photo(2))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "display_slot_used"
    wrong_outlet = _post(client, rt, aid, outlet_id(rt, "PB-1"), photo(3))
    assert wrong_outlet.status_code == 422 and wrong_outlet.get_json()["error"]["code"] == "outlet_not_in_activity"
    not_a_photo = _post(client, rt, aid, outlet_id(rt, "PA-1"), b"GIF89a" + b"\0" * 40, "a.gif")
    assert not_a_photo.status_code == 415 and not_a_photo.get_json()["error"]["code"] == "unsupported_type"
    unknown = _post(client, rt, 999, outlet_id(rt, "PA-1"), photo(4))
    assert unknown.status_code == 404
    staff = client.get("/api/v1/activities", headers=bearer(rt, "partner.a@example.com"))
    assert staff.status_code == 403 and staff.get_json()["error"]["code"] == "not_participant"


def test_a_reviewer_approves_a_display_through_the_api_with_the_checklist(client, sqlite_runtime):  # noqa: F811
    from tests.integration.display_helpers import CHECKLIST, claim_display, process

    rt = sqlite_runtime
    claim_id = claim_display(rt, activity(rt), "PA-1")
    process(rt, claim_id)
    url, reviewer = f"/api/v1/claims/{claim_id}/decision", bearer(rt, "partner.a@example.com")
    bare = client.post(url, headers=reviewer, json={"action": "approve"})
    assert bare.status_code == 422 and bare.get_json()["error"]["code"] == "checklist_incomplete"
    other = client.post(url, headers=bearer(rt, "partner.b@example.com"), json={"action": "approve",
                                                                                "checklist": CHECKLIST})
    assert other.status_code == 404
    done = client.post(url, headers=reviewer, json={"action": "approve", "checklist": CHECKLIST})
    assert done.status_code == 200 and done.get_json()["status"] == "approved"
    mine = client.get(f"/api/v1/claims/{claim_id}", headers=bearer(rt)).get_json()
    assert (mine["status"], mine["points"], mine["points_kind"]) == ("approved", 150, "credited")
