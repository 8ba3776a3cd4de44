"""Display-photo claims on the real databases: the photo goes through the intake path and the worker to the
outlet's partner with its evidence, the frequency rule refuses a second claim of the same slot (at submission
and again in the pipeline), the checklist rule guards the approval, and the points are credited once, also
when two reviewers approve at the same moment (PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claims.db.display_models import DisplayActivity, DisplayClaim
from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry
from claims.errors import ConflictError, InvalidInputError, NotFoundError
from claims.ledger import balance
from claims.services.evidence import evidence_sentences
from claims.services.intake import Upload, submit_claim
from claims.services.review import decide_claim, get_visible_claim, reverse_claim
from tests.conftest import make_runtime
from tests.integration.activity_helpers import race
from tests.integration.display_helpers import CHECKLIST, activity, claim_display, outlet_id, photo, process
from tests.integration.helpers import seed, user
from tests.integration.rewards_helpers import participant_id
from vocabulary.claims import ClaimKind, ClaimStatus

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"


def test_a_display_photo_reaches_the_outlets_partner_with_evidence_and_credits_once(runtime):
    seed(runtime)
    aid = activity(runtime)
    claim_id = claim_display(runtime, aid, "PA-1")
    done = process(runtime, claim_id)
    assert (done.status, done.kind, done.points_proposed) == (ClaimStatus.PENDING_REVIEW, ClaimKind.DISPLAY, 150)
    assert done.outlet_id == outlet_id(runtime, "PA-1") and done.fields == {}
    facts = next(r for r in done.reasons if r["code"] == "display_photo_facts")
    assert facts["evidence"] == {"taken": "2026:12:01 10:00:00", "place": "52.229778, 21.011778"}
    assert not any(r["code"] == "display_near_duplicate" for r in done.reasons)
    with runtime.sessions() as session:
        with pytest.raises(NotFoundError):  # partner B's reviewer does not see partner A's outlet's claim
            get_visible_claim(session, user(runtime, "partner.b@example.com"), claim_id)
    with pytest.raises(InvalidInputError) as incomplete, transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "", "",
                     CHECKLIST[:2])
    assert incomplete.value.code == "checklist_incomplete" and incomplete.value.details["needed"] == 3
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "", "", CHECKLIST)
    with pytest.raises(ConflictError), transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "audytor@example.com"), claim_id, "approve", "", "", CHECKLIST)
    assert process(runtime, claim_id).status == ClaimStatus.APPROVED  # a re-run job changes nothing
    with runtime.sessions() as session:
        entries = session.scalars(select(LedgerEntry).where(LedgerEntry.claim_id == claim_id)).all()
        assert [(e.kind, e.points, e.cause) for e in entries] == [("display", 150, f"display:{claim_id}")]
        assert entries[0].reason == "Półka marki — Sklep PA-1, 00-001 Warszawa"
        assert session.get(DisplayClaim, claim_id).checked == CHECKLIST
        assert balance(session, participant_id(runtime, EMAIL)) == 150


def test_the_frequency_rule_refuses_a_second_claim_of_the_outlets_month_until_the_first_is_rejected(runtime):
    seed(runtime)
    aid = activity(runtime, frequency="month")
    first = claim_display(runtime, aid, "PA-1", photo(1))
    with pytest.raises(ConflictError) as taken:
        claim_display(runtime, aid, "PA-1", photo(2), email="drugi@example.com")  # the outlet's slot, anyone's
    assert taken.value.code == "display_slot_used"
    claim_display(runtime, aid, "PB-1", photo(3))  # another outlet has its own slot
    process(runtime, first)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), first, "reject", "other", "nieczytelne")
    again = claim_display(runtime, aid, "PA-1", photo(4))  # a rejected claim frees the slot
    assert process(runtime, again).status == ClaimStatus.PENDING_REVIEW
    with pytest.raises(InvalidInputError) as elsewhere:
        claim_display(runtime, activity(runtime, outlets="PB-1"), "PA-1")
    assert elsewhere.value.code == "outlet_not_in_activity"


def test_two_claims_of_one_slot_sent_at_once_the_pipeline_keeps_the_first_submitted(runtime):
    seed(runtime)
    aid = activity(runtime, frequency="once")
    first = claim_display(runtime, aid, "PA-1", photo(1))
    with transaction(runtime.sessions) as session:  # a second claim that passed the check before the first committed
        row = session.get(DisplayClaim, first)
        participant = session.get(Claim, first).participant
        second = submit_claim(session, runtime.blobs, participant, [Upload("b.jpg", "image/jpeg", photo(2))], [],
                              kind=ClaimKind.DISPLAY).id
        session.add(DisplayClaim(claim_id=second, activity_id=aid, outlet_id=row.outlet_id, slot=row.slot,
                                 checked=[]))
    late = process(runtime, second)  # processed first, submitted second: it loses the slot
    assert late.status == ClaimStatus.REJECTED
    assert [r["code"] for r in late.reasons] == ["display_slot_used"]
    assert late.reasons[0]["evidence"]["prior_claim"] == first
    assert process(runtime, first).status == ClaimStatus.PENDING_REVIEW


def test_an_earlier_display_photo_shot_again_is_shown_as_a_near_duplicate(runtime):
    seed(runtime)
    aid = activity(runtime, frequency="week")
    original = claim_display(runtime, aid, "PA-1", photo(7))
    process(runtime, original)
    copy = claim_display(runtime, aid, "PB-1", photo(7, gps=False), email="drugi@example.com")
    other = claim_display(runtime, activity(runtime), "PA-1", photo(8))
    done = process(runtime, copy)
    near = [r for r in done.reasons if r["code"] == "display_near_duplicate"]
    assert [r["evidence"]["prior_claim"] for r in near] == [original] and near[0]["severity"] == "warning"
    assert original[:8] in evidence_sentences(near[0], "pl")[0]
    facts = next(r for r in done.reasons if r["code"] == "display_photo_facts")
    assert facts["evidence"]["place"] == "—"
    assert not any(r["code"] == "display_near_duplicate" for r in process(runtime, other).reasons)


def test_approvals_at_the_same_moment_credit_once_on_postgresql(tmp_path, postgres_url):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    seed(rt)
    aid = activity(rt)
    claim_id = claim_display(rt, aid, "PA-1")
    process(rt, claim_id)
    reviewers = [user(rt, "partner.a@example.com"), user(rt, "audytor@example.com")] * 2

    def approve(i: int):
        with transaction(rt.sessions) as session:
            return decide_claim(session, reviewers[i], claim_id, "approve", "", "", CHECKLIST).to_status

    results = race(4, approve)
    assert sum(r == ClaimStatus.APPROVED for r in results) == 1
    assert all(isinstance(r, ConflictError) for r in results if r != ClaimStatus.APPROVED)
    with rt.sessions() as session:
        kinds = session.scalars(select(LedgerEntry.kind).where(LedgerEntry.claim_id == claim_id)).all()
        assert kinds == ["display"] and balance(session, participant_id(rt, EMAIL)) == 150
    rt.close()


def test_two_claims_of_one_outlets_slot_approved_at_once_credit_one_on_postgresql(tmp_path, postgres_url):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    seed(rt)
    aid = activity(rt, frequency="once")
    ids = [claim_display(rt, aid, "PA-1", photo(1))]
    with transaction(rt.sessions) as session:  # a second pending claim of the same slot (made by hand)
        row = session.get(DisplayClaim, ids[0])
        participant = session.get(Claim, ids[0]).participant
        ids.append(submit_claim(session, rt.blobs, participant, [Upload("b.jpg", "image/jpeg", photo(2))], [],
                                kind=ClaimKind.DISPLAY).id)
        session.add(DisplayClaim(claim_id=ids[1], activity_id=aid, outlet_id=row.outlet_id, slot="period",
                                 checked=[]))
    for claim_id in ids:
        with transaction(rt.sessions) as session:
            from claims.services.processing import Outcome, finish_processing, start_processing

            start_processing(session, claim_id)
            finish_processing(session, claim_id, Outcome(status=ClaimStatus.PENDING_REVIEW, kind="display",
                                                         points=150, outlet_id=row.outlet_id,
                                                         partner_id=session.get(DisplayClaim, claim_id).outlet
                                                         .partner_id))
    staff = user(rt, "audytor@example.com")

    def approve(i: int):
        with transaction(rt.sessions) as session:
            return decide_claim(session, staff, ids[i], "approve", "", "", CHECKLIST).to_status

    results = race(2, approve)
    assert sorted(str(r if isinstance(r, str) else r.code) for r in results) == ["approved", "display_slot_used"]
    with rt.sessions() as session:
        assert balance(session, participant_id(rt, EMAIL)) == 150
    rt.close()


def test_a_reversed_display_gives_its_points_and_its_slot_back(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    aid = activity(rt, frequency="once")
    first = claim_display(rt, aid, "PA-1", photo(1))
    process(rt, first)
    with transaction(rt.sessions) as session:
        decide_claim(session, user(rt, "partner.a@example.com"), first, "approve", "", "", CHECKLIST)
    with transaction(rt.sessions) as session:
        reverse_claim(session, user(rt, "audytor@example.com"), first, "zdjęcie z innego sklepu")
    second = claim_display(rt, aid, "PA-1", photo(2))
    process(rt, second)
    with transaction(rt.sessions) as session:
        decide_claim(session, user(rt, "partner.a@example.com"), second, "approve", "", "", CHECKLIST)
    with rt.sessions() as session:
        kinds = session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)).all()
        assert kinds == ["display", "reversal", "display"] and balance(session, participant_id(rt, EMAIL)) == 150


def test_an_activitys_code_is_its_own_and_a_bad_definition_says_which_field(sqlite_runtime):
    from claims.services.displays import save_activity

    rt = sqlite_runtime
    seed(rt)
    first, second = activity(rt), activity(rt)
    with rt.sessions() as session:
        code = session.get(DisplayActivity, first).code
    base = {"title": "Półka", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "points": "10",
            "outlets": "PA-1", "checklist": "cenówki"}
    for raw, field, reason in [({**base, "code": code}, "code", "duplicate_code"),
                               ({**base, "code": "X", "ends_on": "2026-11-30"}, "ends_on", "bad_period"),
                               ({**base, "code": "X", "outlets": "NOPE"}, "outlets", "bad_outlets"),
                               ({**base, "code": "X", "checklist": ""}, "checklist", "bad_checklist"),
                               ({**base, "code": "X", "frequency": "daily"}, "frequency", "bad_frequency")]:
        with pytest.raises((ConflictError, InvalidInputError)) as refused, transaction(rt.sessions) as session:
            save_activity(session, raw, second if reason == "duplicate_code" else None)
        assert (refused.value.code, refused.value.details.get("field")) == (reason, field)
    with transaction(rt.sessions) as session:  # saving an activity under its own code is fine
        assert save_activity(session, {**base, "code": code}, first).id == first
