"""Names the review UI tests import: the seeded programme and its people, test documents, the claim factory
(`Claims`), a fake claim queue, and the login and CSRF helpers. The fixtures live in conftest.py beside it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image
from sqlalchemy import select

from claims.db.engine import transaction
from claims.db.models import Outlet, Participant, User
from claims.runtime import Runtime
from claims.services.intake import Upload, submit_claim
from claims.services.processing import Outcome, finish_processing, start_processing
from vocabulary.claims import ClaimKind, ClaimStatus

PASSWORD = "correct horse battery"

PARTICIPANT = "uczestnik@example.pl"
PARTICIPANT_2 = "drugi.uczestnik@example.pl"
REVIEWER_A = "weryfikator@hurtownia-a.pl"
REVIEWER_B = "weryfikator@hurtownia-b.pl"
AUDITOR = "audytor@agencja.pl"
ADMIN = "admin@agencja.pl"

PROGRAMME = {
    "campaign": {
        "code": "TEST-2026",
        "name": "Program testowy",
        "starts_on": "2025-01-01",
        "ends_on": "2030-12-31",
        "submission_days": 30,
        "points_per_pln": "1",
    },
    "partners": [
        {
            "code": "HURT-A",
            "name": "Hurtownia A",
            "nip": "5260250274",
            "outlets": [
                {"code": "A-WAW", "name": "Hurtownia A Warszawa", "nip": "5260250274",
                 "address": "ul. Prosta 1", "city": "Warszawa"},
                {"code": "A-KRK", "name": "Hurtownia A Kraków", "nip": "6462933516",
                 "address": "ul. Długa 2", "city": "Kraków"},
            ],
        },
        {
            "code": "HURT-B",
            "name": "Skład B",
            "nip": "7251801126",
            "outlets": [
                {"code": "B-LDZ", "name": "Skład B Łódź", "nip": "7251801126",
                 "address": "ul. Piotrkowska 3", "city": "Łódź"},
            ],
        },
    ],
    "products": [],
    "product_codes": [],
    "users": [
        {"email": PARTICIPANT, "password": PASSWORD, "role": "participant", "name": "Jan Kowalski",
         "participant": {"company_name": "Kowalski Instalacje", "company_nip": "5213017228"}},
        {"email": PARTICIPANT_2, "password": PASSWORD, "role": "participant", "name": "Anna Nowak",
         "participant": {"company_name": "Nowak Budownictwo", "company_nip": "1132191233"}},
        {"email": REVIEWER_A, "password": PASSWORD, "role": "partner_reviewer", "name": "Weryfikator A",
         "partner": "HURT-A"},
        {"email": REVIEWER_B, "password": PASSWORD, "role": "partner_reviewer", "name": "Weryfikator B",
         "partner": "HURT-B"},
        {"email": AUDITOR, "password": PASSWORD, "role": "auditor", "name": "Audytor"},
        {"email": ADMIN, "password": PASSWORD, "role": "admin", "name": "Administrator"},
    ],
}


def load_ui_programme(session) -> None:
    """The programme above, loaded into the template database each test's copy starts from."""
    from claims.services.programme import load_programme

    load_programme(session, PROGRAMME)


def png_bytes(color: tuple[int, int, int] = (200, 200, 200), size: tuple[int, int] = (40, 60)) -> bytes:
    """A plain PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(pages: int) -> bytes:
    """A text PDF of `pages` A4 pages, each printing its own number large (so the pages' previews differ)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 96)
        pdf.drawString(60, 700, f"STRONA {number}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()

# ---- claims ------------------------------------------------------------------------------------------


def _participant_by_email(email: str):
    return select(Participant).join(User, User.id == Participant.user_id).where(User.email == email)


@dataclass
class Claims:
    """Creates claims through the claims services, the way ingest and the workers do."""

    runtime: Runtime

    def submit(self, participant_email: str = PARTICIPANT, data: bytes | None = None,
               media_type: str = "image/png", filename: str = "paragon.png") -> str:
        with transaction(self.runtime.sessions) as session:
            participant = session.scalar(_participant_by_email(participant_email))
            upload = Upload(filename=filename, media_type=media_type, data=data or png_bytes())
            claim = submit_claim(session, self.runtime.blobs, participant, [upload], [])
            return claim.id

    def pending(self, outlet_code: str = "A-WAW", participant_email: str = PARTICIPANT, points: int = 120,
                status: ClaimStatus = ClaimStatus.PENDING_REVIEW, reasons: list[dict] | None = None,
                total: str = "120.00", risk_score: float = 0.0, **submit_args) -> str:
        """A claim read and routed to the outlet's partner, waiting in `status`."""
        claim_id = self.submit(participant_email, **submit_args)
        with transaction(self.runtime.sessions) as session:
            outlet = session.scalar(select(Outlet).where(Outlet.code == outlet_code))
            start_processing(session, claim_id)
            fields = {
                "seller_name": outlet.name, "seller_nip": outlet.nip, "date": "2026-03-14", "time": "12:31",
                "document_number": "PAR/123/2026", "total": total, "vat_total": "22.44",
                "payment_method": "karta", "items": [{"name": "Klej do płytek 25 kg", "quantity": 4,
                                                      "amount": "120.00"}],
            }
            outcome = Outcome(status=status, kind=ClaimKind.RECEIPT, fields=fields, points=points,
                              outlet_id=outlet.id, partner_id=outlet.partner_id, total=Decimal(total),
                              reasons=list(reasons or []), risk_score=risk_score)
            assert finish_processing(session, claim_id, outcome)
        return claim_id

    def read(self, claim_id: str, extraction: dict, width: float = 400, height: float = 600,
             pages: int = 1) -> None:
        """Store a reading (`pages` pages of `width` x `height`) and an extraction on the claim's first document."""
        from claims.services.processing import save_reading

        reading = {"media_type": "image/png", "seconds": 0.1, "pages": [
            {"number": number, "width": width, "height": height, "source": "ocr", "mean_confidence": 0.9,
             "steps": [], "lines": []} for number in range(1, pages + 1)]}
        with transaction(self.runtime.sessions) as session:
            save_reading(session, self.document_ids(claim_id)[0], reading, extraction, None)

    def age(self, claim_id: str, hours: float) -> None:
        """Pretend the claim was submitted `hours` ago."""
        from datetime import UTC, datetime, timedelta

        from claims.db.models import Claim

        with transaction(self.runtime.sessions) as session:
            session.get(Claim, claim_id).submitted_at = datetime.now(UTC) - timedelta(hours=hours)

    def document_ids(self, claim_id: str) -> list[int]:
        from claims.db.models import Document

        with self.runtime.sessions() as session:
            return list(session.scalars(select(Document.id).where(Document.claim_id == claim_id)))

    def status(self, claim_id: str) -> str:
        from claims.db.models import Claim

        with self.runtime.sessions() as session:
            return session.get(Claim, claim_id).status

    def balance(self, participant_email: str = PARTICIPANT) -> int:
        from claims.ledger import balance

        with self.runtime.sessions() as session:
            return balance(session, session.scalar(_participant_by_email(participant_email)).id)

# ---- the app -----------------------------------------------------------------------------------------


class RecordingQueue:
    """A hand-written fake of workers' ClaimQueue."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.enqueued: list[str] = []
        self.fail_with = fail_with

    def enqueue_processing(self, claim_id: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.enqueued.append(claim_id)

def login(client, email: str, password: str = PASSWORD, **extra):
    """Post the login form as `email` (every seeded user has PASSWORD); the client keeps the session."""
    return client.post("/login", data={"email": email, "password": password, **extra})


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on the page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)
