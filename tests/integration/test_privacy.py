"""RODO/GDPR on the real databases: export, erasure that keeps points, retention of documents."""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from claims.db.engine import transaction
from claims.db.models import Claim, User
from claims.ledger import balance
from claims.services.accounts import authenticate, participant_of
from claims.services.privacy import apply_retention, erase_participant, export_participant
from claims.services.review import decide_claim
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user

pytestmark = pytest.mark.integration


def test_export_has_profile_consents_claims_points_and_the_documents(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime, points=60)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    with runtime.sessions() as session:
        archive = zipfile.ZipFile(io.BytesIO(export_participant(session, runtime.blobs,
                                                                user(runtime, "uczestnik@example.com"))))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == "uczestnik@example.com"
    assert [c["kind"] for c in data["consents"]] == ["rules"]
    assert data["claims"][0]["id"] == claim_id and data["claims"][0]["decisions"][0]["action"] == "approve"
    assert data["points"] == [{"claim_id": claim_id, "order_id": None, "kind": "credit", "points": 60,
                               "reason": "", "at": data["points"][0]["at"]}]
    documents = [n for n in archive.namelist() if n.startswith("documents/")]
    assert len(documents) == 1 and archive.read(documents[0]) == PNG_1PX


def test_erasure_removes_personal_data_and_files_but_keeps_the_points(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime, points=60)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    with runtime.sessions() as session:
        participant_id = participant_of(session, user(runtime, "uczestnik@example.com")).id
        sha = session.get(Claim, claim_id).documents[0].sha256
    with transaction(runtime.sessions) as session:
        erase_participant(session, runtime.blobs, session.get(User, user(runtime, "uczestnik@example.com").id),
                          actor_user_id=None)
    with runtime.sessions() as session:
        assert user(runtime, "uczestnik@example.com") is None
        with pytest.raises(Exception, match="wrong e-mail or password"):
            authenticate(session, "uczestnik@example.com", "haslo-uczestnika")
        claim = session.get(Claim, claim_id)
        assert set(claim.fields) <= {"total", "date", "currency"} and claim.documents[0].reading is None
        assert balance(session, participant_id) == 60  # pseudonymised ledger totals stay
    assert not runtime.blobs.exists(sha)


def test_retention_deletes_documents_of_long_final_claims_only(runtime):
    seed(runtime)
    old = pending_claim(runtime, points=10)
    waiting = pending_claim(runtime, points=20, data=PNG_1PX + b"\0")  # another file, still under review
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), old, "reject", "not_our_sale")
    later = datetime.now(UTC) + timedelta(days=400)
    with transaction(runtime.sessions) as session:
        assert apply_retention(session, runtime.blobs, days=365, now=later) == 1
    with transaction(runtime.sessions) as session:
        assert apply_retention(session, runtime.blobs, days=365, now=later) == 0  # idempotent
    with runtime.sessions() as session:
        assert session.get(Claim, old).documents[0].error_code == "retention_deleted"
        assert runtime.blobs.exists(session.get(Claim, waiting).documents[0].sha256)
        assert not runtime.blobs.exists(session.get(Claim, old).documents[0].sha256)
