"""The rewards pages: a participant browses, fills a basket, confirms and orders (points leave the balance),
sees an electronic code once and cancels; the history says what each entry was for; staff ship orders in
bulk and by a tracking CSV, adjust points with a reason, upload a picture (re-encoded) and import codes."""

from __future__ import annotations

import io
import uuid

from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import AuditEvent, Participant, User
from claims.db.reward_models import Reward, RewardOrder
from claims.ledger import adjust_points, balance
from claims.services.rewards import check_reward, import_codes, save_reward
from tests.review_ui.helpers import ADMIN, AUDITOR, PARTICIPANT, PARTICIPANT_2, csrf_token_from, login, png_bytes


def _reward(rt, points: int, name: str, **extra) -> int:
    raw = {"code": f"R-{uuid.uuid4().hex[:6]}", "name": name, "points": str(points), "value_pln": "10",
           "category": extra.pop("category", "Dom"), **extra}
    with transaction(rt.sessions) as session:
        return save_reward(session, check_reward(raw), None)[0].id


def _give(rt, email: str, points: int) -> int:
    with transaction(rt.sessions) as session:
        participant = session.scalar(select(Participant).join(User).where(User.email == email))
        admin = session.scalar(select(User).where(User.email == ADMIN))
        adjust_points(session, participant.id, points, "premia na start", admin, uuid.uuid4().hex)
        return participant.id


def test_a_participant_orders_from_the_phone_catalogue_and_cancels(client, runtime):
    pid = _give(runtime, PARTICIPANT, 300)
    kettle = _reward(runtime, 120, "Czajnik", stock="3")
    _reward(runtime, 900, "Rower", category="Sport")
    login(client, PARTICIPANT)
    page = client.get("/me/rewards").get_data(as_text=True)
    assert "Czajnik" in page and "Rower" in page and 'data-missing="600"' in page
    affordable = client.get("/me/rewards?affordable=1").get_data(as_text=True)
    assert "Czajnik" in affordable and "Rower" not in affordable
    sport = client.get("/me/rewards?category=Sport").get_data(as_text=True)
    assert "Rower" in sport and "Czajnik" not in sport
    client.post("/me/basket", data={"reward_id": kettle, "quantity": 2, "only": "1"})
    confirm = client.post("/me/basket/confirm", data={"address": "ul. Polna 1, 00-001 Warszawa", "save_address": "1"})
    assert confirm.status_code == 200 and "240" in confirm.get_data(as_text=True)
    with runtime.sessions() as session:
        assert balance(session, pid) == 300  # the confirmation step takes nothing
    placed = client.post("/me/orders", data={"address": "ul. Polna 1, 00-001 Warszawa", "save_address": "1"})
    assert placed.status_code == 303
    with runtime.sessions() as session:
        order = session.scalars(select(RewardOrder)).one()
        assert balance(session, pid) == 60 and order.points == 240
        assert session.get(Participant, pid).delivery_address == "ul. Polna 1, 00-001 Warszawa"
    assert 'id="points-notice"' not in client.get("/me").get_data(as_text=True)  # an order is no claim news
    history = client.get("/me/points").get_data(as_text=True)
    assert "2 × Czajnik" in history and "premia na start" in history
    client.post(f"/me/orders/{order.id}/cancel")
    with runtime.sessions() as session:
        assert balance(session, pid) == 300 and session.get(RewardOrder, order.id).status == "cancelled"


def test_another_participants_order_is_404_and_staff_pages_are_refused(client, runtime):
    _give(runtime, PARTICIPANT, 300)
    lamp = _reward(runtime, 100, "Lampa")
    login(client, PARTICIPANT)
    client.post("/me/basket", data={"reward_id": lamp, "quantity": 1, "only": "1"})
    client.post("/me/orders", data={"address": "ul. Polna 1"})
    with runtime.sessions() as session:
        order_id = session.scalars(select(RewardOrder.id)).one()
    assert client.get("/staff/orders").status_code == 403
    client.post("/logout")
    login(client, PARTICIPANT_2)
    assert client.get(f"/me/orders/{order_id}").status_code == 404
    client.post(f"/me/orders/{order_id}/cancel")
    with runtime.sessions() as session:
        assert session.get(RewardOrder, order_id).status == "placed"


def test_an_electronic_code_is_shown_once(client, runtime):
    _give(runtime, PARTICIPANT, 100)
    voucher = _reward(runtime, 50, "Bon", delivery="code")
    with transaction(runtime.sessions) as session:
        import_codes(session, session.get(Reward, voucher), ["BON-1234-5678"], None)
    login(client, PARTICIPANT)
    client.post("/me/basket", data={"reward_id": voucher, "quantity": 1, "only": "1"})
    placed = client.post("/me/orders", data={})
    first = client.get(placed.headers["Location"]).get_data(as_text=True)
    second = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "BON-1234-5678" in first and "BON-1234-5678" not in second and "5678" in second


def test_staff_ship_in_bulk_and_by_tracking_csv_and_adjust_points(client, runtime):
    _give(runtime, PARTICIPANT, 1000)
    drill = _reward(runtime, 100, "Wiertarka")
    login(client, PARTICIPANT)
    for _ in range(2):
        client.post("/me/basket", data={"reward_id": drill, "quantity": 1, "only": "1"})
        client.post("/me/orders", data={"address": "ul. Polna 1"})
    client.post("/logout")
    login(client, AUDITOR)
    with runtime.sessions() as session:
        first, second = session.scalars(select(RewardOrder.id).order_by(RewardOrder.id)).all()
    page = client.get("/staff/orders?status=placed").get_data(as_text=True)
    assert f'data-order="{first}"' in page
    client.post("/staff/orders/bulk", data={"order": [str(first), str(second)], "to": "approved"})
    exported = client.get("/staff/orders.csv").get_data(as_text=True)
    assert "Wiertarka" in exported and "ul. Polna 1" in exported
    csv_file = f"order_id;tracking\n{first};INPOST-1\n{second};\n".encode()
    client.post("/staff/orders/tracking", data={"file": (io.BytesIO(csv_file), "t.csv")},
                content_type="multipart/form-data")
    with runtime.sessions() as session:
        sent = session.get(RewardOrder, first)
        assert (sent.status, sent.tracking) == ("sent", "INPOST-1")
        assert session.get(RewardOrder, second).status == "approved"
    history = client.get(f"/staff/orders/{first}").get_data(as_text=True)
    assert "INPOST-1" in history
    client.post("/staff/points", data={"email": PARTICIPANT, "points": "-50", "reason": "zwrot towaru", "key": "k1"})
    client.post("/staff/points", data={"email": PARTICIPANT, "points": "-50", "reason": "zwrot towaru", "key": "k1"})
    with runtime.sessions() as session:
        pid = session.scalar(select(Participant.id).join(User).where(User.email == PARTICIPANT))
        assert balance(session, pid) == 1000 - 200 - 50
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "points_adjusted")) is not None


def test_bulk_moves_return_only_to_a_list_on_this_site(client, runtime):
    login(client, AUDITOR)
    kept = client.post("/staff/orders/bulk", data={"to": "approved", "back": "/staff/orders?status=placed"})
    assert (kept.status_code, kept.headers["Location"]) == (303, "/staff/orders?status=placed")
    for back in ("https://evil.example/", "//evil.example", "\n", "/\t/evil.example"):
        answer = client.post("/staff/orders/bulk", data={"to": "approved", "back": back})
        assert (answer.status_code, answer.headers["Location"]) == (303, "/staff/orders")


def test_admin_saves_a_reward_with_a_reencoded_picture_and_a_code_pool(client, runtime):
    login(client, ADMIN)
    form = {"code": "BON-50", "name": "Bon 50 zł", "points": "500", "value_pln": "50", "delivery": "code",
            "active": "1"}
    saved = client.post("/admin/rewards/new", data=form)
    assert saved.status_code == 303
    with runtime.sessions() as session:
        reward_id = session.scalar(select(Reward.id).where(Reward.code == "BON-50"))
    bad = client.post("/admin/rewards/new", data={**form, "code": "X", "points": "-1"})
    assert bad.status_code == 422
    client.post(f"/admin/rewards/{reward_id}/image", data={"image": (io.BytesIO(png_bytes()), "a.png")},
                content_type="multipart/form-data")
    client.post(f"/admin/rewards/{reward_id}/image", data={"image": (io.BytesIO(b"<svg onload=x>"), "b.png")},
                content_type="multipart/form-data")
    client.post(f"/admin/rewards/{reward_id}/codes", data={"file": (io.BytesIO(b"code\nA1\nA2\nA1\n"), "c.csv")},
                content_type="multipart/form-data")
    with runtime.sessions() as session:
        reward = session.get(Reward, reward_id)
        assert reward.stock == 2 and reward.image_sha256
        assert runtime.blobs.get(reward.image_sha256)[:3] == b"\xff\xd8\xff"  # stored as a JPEG
    image = client.get(f"/rewards/{reward_id}/image")
    assert image.mimetype == "image/jpeg" and image.headers["X-Content-Type-Options"] == "nosniff"
    exported = client.get("/admin/export/rewards.csv").get_data(as_text=True)
    assert "BON-50" in exported and "Bon 50 zł" in exported


def test_forms_need_the_csrf_token(csrf_app, runtime):
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": PARTICIPANT, "password": "correct horse battery",
                                "csrf_token": csrf_token_from(page)})
    assert client.post("/me/basket", data={"reward_id": 1, "quantity": 1}).status_code == 400


def test_pages_with_ids_beyond_the_database_integers_answer_404(client, runtime):
    huge = 10**20
    login(client, ADMIN)
    assert client.get(f"/admin/rewards/{huge}").status_code == 404
    assert client.get(f"/staff/orders/{huge}").status_code == 404
    assert client.get(f"/rewards/{huge}/image").status_code == 404
    client.post("/logout")
    login(client, PARTICIPANT)
    assert client.get(f"/me/orders/{huge}").status_code == 404
    client.post("/me/basket", data={"reward_id": str(huge), "quantity": "1"})
    assert client.get("/me/basket").status_code == 200
