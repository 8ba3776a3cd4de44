"""`paragon expire` and `paragon tax` as an operator runs them, the rewards e-mails' words, the catalogue CSV
import with its row-by-row report, and an order that needs the participant's tax details."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from claims.db.engine import transaction
from claims.db.models import LedgerEntry, Participant
from claims.db.reward_models import Reward, RewardOrder
from claims.errors import InvalidInputError
from claims.ledger import post
from claims.services.imports import ImportRejectedError, export_csv, import_csv
from claims.services.orders import OrderLine, OrderRules, move_order, place_order
from claims.services.reward_mail import expiry_message, order_message
from paragon.cli import main
from tests.integration.helpers import seed, user
from tests.integration.rewards_helpers import add_codes, give_points, participant_id, reward

pytestmark = pytest.mark.integration
EMAIL = "uczestnik@example.com"


def test_paragon_expire_writes_once_and_tax_prints_the_year(sqlite_runtime, monkeypatch, capsys):
    rt = sqlite_runtime
    seed(rt)
    pid = participant_id(rt, EMAIL)
    with transaction(rt.sessions) as session:
        post(session, LedgerEntry(participant_id=pid, kind="adjustment", points=70, reason="stare", cause="old:1",
                                  created_at=datetime(2023, 5, 1, tzinfo=UTC)))
    monkeypatch.setenv("PARAGON_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setenv("POINTS_EXPIRY", "12m")
    assert main(["expire", "--today", "2025-01-05"]) == 0
    assert main(["expire", "--today", "2025-01-05"]) == 0
    out = capsys.readouterr().out
    assert "expired 70 points of 1 participants" in out and "expired 0 points of 0 participants" in out
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).where(LedgerEntry.kind == "expiry")) == 1
    assert main(["tax", str(datetime.now(UTC).year)]) == 0
    assert capsys.readouterr().out.startswith("participant_id,name,email")


def test_the_emails_name_the_order_its_codes_tracking_and_what_expires(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 500)
    voucher, lamp = reward(rt, 50, delivery="code", name="E-bon"), reward(rt, 100, name="Lampa")
    add_codes(rt, voucher, ["BON-9999"])
    with transaction(rt.sessions) as session:
        participant = session.get(Participant, pid)
        coded = place_order(session, participant, [OrderLine(voucher, 1)], "", OrderRules()).id
        shipped = place_order(session, participant, [OrderLine(lamp, 1)], "ul. Polna 1", OrderRules()).id
        admin = user(rt, "admin@example.com")
        move_order(session, shipped, admin, "approved")
        move_order(session, shipped, admin, "sent", tracking="PP123")
    with rt.sessions() as session:
        code_mail = order_message(session, coded, "new", "delivered")
        sent_mail = order_message(session, shipped, "approved", "sent")
        warning = expiry_message(session, pid, "2027-01-01", 40)
    assert "BON-9999" in code_mail.body and "E-bon" in code_mail.body and code_mail.to == EMAIL
    assert "PP123" in sent_mail.body and "Lampa" in sent_mail.body and "wysłane" in sent_mail.subject
    assert "40" in warning.subject and "2027-01-01" in warning.body


def test_the_reward_catalogue_imports_by_csv_with_a_row_report_and_exports_back(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    bad = "code;name;points;delivery\nK1;Kubek;90;physical\nK2;Bon;-5;code\nK3;Karta;100;topup\n"
    with pytest.raises(ImportRejectedError) as rejected, transaction(rt.sessions) as session:
        import_csv(session, "rewards", bad)
    assert [(e.line, e.column) for e in rejected.value.report.errors] == [(3, "points"), (4, "topup_pln")]
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Reward)) == 0  # all rows or none
    good = "code;name;points;delivery;topup_pln;stock\nK1;Kubek;90;physical;;5\nK3;Karta;100;topup;50;\n"
    with transaction(rt.sessions) as session:
        report = import_csv(session, "rewards", good)
        text = export_csv(session, "rewards")
    assert (report.created, report.updated) == (2, 0)
    assert "K1,Kubek" in text and "K3,Karta" in text


def test_an_order_over_the_tax_threshold_asks_for_tax_details(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 5000)
    tv = reward(rt, 3000, value_pln="2500.00")
    rules = OrderRules(tax_threshold_pln=Decimal("2000"))
    with pytest.raises(InvalidInputError) as refused, transaction(rt.sessions) as session:
        place_order(session, session.get(Participant, pid), [OrderLine(tv, 1)], "ul. Polna 1", rules)
    assert refused.value.code == "tax_details_required"
    with transaction(rt.sessions) as session:
        order = place_order(session, session.get(Participant, pid), [OrderLine(tv, 1)], "ul. Polna 1", rules,
                            {"name": "Jan Testowy", "tax_id": "80010112345", "tax_office": str(uuid.uuid4())[:8]})
        assert order.tax_details["tax_id"] == "80010112345"
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RewardOrder)) == 1


def test_the_order_email_job_writes_one_eml_to_the_outbox(sqlite_runtime):
    from workers import runtime as worker_runtime
    from workers.reward_notify import send_order_notification

    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 300)
    mug = reward(rt, 90, name="Kubek")
    with transaction(rt.sessions) as session:
        order_id = place_order(session, session.get(Participant, pid), [OrderLine(mug, 1)], "ul. Polna 1",
                               OrderRules()).id
    worker_runtime.install(rt)
    assert send_order_notification(order_id, "new", "placed") == "sent by outbox"
    assert send_order_notification(order_id, "new", "placed") == "already sent"
    files = list((rt.settings.data_dir / "outbox").glob("*.eml"))
    assert [f.name for f in files] == [f"order-{order_id}-new-to-placed.eml"]
    assert "Kubek" in files[0].read_text(encoding="utf-8", errors="replace")


def test_the_data_export_lists_orders_and_erasure_unnames_them(sqlite_runtime):
    import io
    import json
    import zipfile

    from claims.services.privacy import erase_participant, export_participant

    rt = sqlite_runtime
    seed(rt)
    pid = give_points(rt, EMAIL, 300)
    mug = reward(rt, 90, name="Kubek")
    with transaction(rt.sessions) as session:
        order_id = place_order(session, session.get(Participant, pid), [OrderLine(mug, 1)], "ul. Polna 1, Kraków",
                               OrderRules()).id
    with rt.sessions() as session:
        data = json.loads(zipfile.ZipFile(io.BytesIO(export_participant(session, rt.blobs, user(rt, EMAIL))))
                          .read("data.json"))
    assert data["orders"][0]["delivery_address"] == "ul. Polna 1, Kraków"
    assert data["orders"][0]["items"] == [{"reward": "Kubek", "quantity": 1}]
    assert {p["kind"] for p in data["points"]} == {"adjustment", "order_debit"}
    with transaction(rt.sessions) as session:
        erase_participant(session, rt.blobs, session.get(type(user(rt, EMAIL)), user(rt, EMAIL).id), None)
    with rt.sessions() as session:
        order = session.get(RewardOrder, order_id)
        assert order.delivery_address == "" and order.points == 90
