"""Builders for the display-activity tests: an activity over the test programme's outlets, a phone photo with
EXIF date and GPS, a display claim taken in through the intake path, and its processing by the worker job."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import numpy as np
from PIL import Image
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Claim, Outlet, Participant, User
from claims.runtime import Runtime
from claims.services.displays import DisplayTarget, save_activity, take_display_claim
from claims.services.intake import IntakeLimits, Submission, Upload
from workers import runtime as worker_runtime
from workers.jobs import process_claim

CHECKLIST = ["produkty widoczne", "cenówki", "materiały POS"]
LIMITS = IntakeLimits(max_bytes=10 * 1024 * 1024, max_files=10, uploads_per_hour=0)


def activity(rt: Runtime, frequency: str = "month", outlets: str = "PA-1 PB-1", **extra) -> int:
    today = date.today()
    raw = {"code": f"D-{uuid.uuid4().hex[:8]}", "title": "Półka marki", "description": "Cała półka",
           "starts_on": (today - timedelta(days=40)).isoformat(), "ends_on": (today + timedelta(days=40)).isoformat(),
           "points": "150", "outlets": outlets, "checklist": "\n".join(CHECKLIST), "frequency": frequency, **extra}
    with transaction(rt.sessions) as session:
        return save_activity(session, raw).id


def photo(seed: int = 1, gps: bool = True) -> bytes:
    """A 320x240 JPEG of noise (`seed` picks it: another seed is another photo) with EXIF date and GPS."""
    pixels = np.random.default_rng(seed).integers(0, 255, (30, 40, 3), dtype=np.uint8)
    image = Image.fromarray(pixels).resize((320, 240), Image.Resampling.NEAREST)
    exif = Image.Exif()
    exif[0x0132] = "2026:12:01 10:00:00"
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 13.0, 47.2), 3: "E", 4: (21.0, 0.0, 42.4)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def outlet_id(rt: Runtime, code: str) -> int:
    with rt.sessions() as session:
        return session.scalar(select(Outlet.id).where(Outlet.code == code))


def claim_display(rt: Runtime, activity_id: int, outlet: str = "PA-1", data: bytes | None = None,
                  email: str = "uczestnik@example.com") -> str:
    """A display claim through the intake path (the same checks as the web form and the API)."""
    upload = Upload("polka.jpg", "image/jpeg", data or photo())
    target = DisplayTarget(activity_id, outlet_id(rt, outlet))
    with transaction(rt.sessions) as session:
        participant = session.scalar(select(Participant).join(User).where(User.email == email))
        return take_display_claim(session, rt.blobs, participant, target, Submission((upload,), ()), LIMITS).id


def process(rt: Runtime, claim_id: str) -> Claim:
    worker_runtime.install(rt)
    process_claim(claim_id)
    with rt.sessions() as session:
        return session.get(Claim, claim_id)
