"""A participant signing up, and the consents they give and withdraw (each with the version of its text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Consent, Participant, User
from claims.errors import InvalidInputError
from claims.roles import Role
from claims.services.accounts import RULES_VERSION, NewParticipant, create_user
from vocabulary.nip import nip_is_valid, normalise_nip

RULES = "rules"
#: Consents a participant may give or not, and withdraw as easily as they gave them.
OPTIONAL_CONSENTS = ("marketing", "profiling")
CONSENT_KINDS = (RULES, *OPTIONAL_CONSENTS)
#: The version of the consent texts shown at sign-up and on the consents page (the rules' version for now).
CONSENT_TEXT_VERSION = RULES_VERSION


@dataclass(frozen=True)
class Registration:
    """What the sign-up form sends."""

    email: str
    password: str
    name: str
    company_name: str
    company_nip: str
    accepts_rules: bool
    optional_consents: tuple[str, ...] = ()


def register_participant(session: Session, form: Registration) -> User:
    """Create a participant with the rules accepted and the chosen optional consents.

    Raises:
        InvalidInputError: codes `name_required`, `company_required`, `nip_required`, `invalid_nip`,
            `rules_not_accepted`, and the account codes of `create_user` (`invalid_email`, `weak_password`,
            `email_taken`).
    """
    name, company = form.name.strip()[:200], form.company_name.strip()[:300]
    if not name:
        raise InvalidInputError("say your name", code="name_required")
    if not company:
        raise InvalidInputError("say your company's name", code="company_required")
    if not form.company_nip.strip():
        raise InvalidInputError("the company NIP is required", code="nip_required")
    if not nip_is_valid(form.company_nip):
        raise InvalidInputError("company NIP is not valid", code="invalid_nip")
    if not form.accepts_rules:
        raise InvalidInputError("the programme rules must be accepted", code="rules_not_accepted")
    consents = (RULES, *[k for k in OPTIONAL_CONSENTS if k in form.optional_consents])
    profile = NewParticipant(company, normalise_nip(form.company_nip), consents, CONSENT_TEXT_VERSION)
    user = create_user(session, email=form.email, password=form.password, role=Role.PARTICIPANT, name=name,
                       participant=profile)
    record_event(session, "participant_registered", actor_user_id=user.id,
                 after={"consents": list(consents), "text_version": CONSENT_TEXT_VERSION})
    return user


@dataclass(frozen=True)
class ConsentState:
    """Where one kind of consent stands now, from its latest record."""

    kind: str
    given: bool
    given_at: datetime | None = None
    withdrawn_at: datetime | None = None
    text_version: str | None = None


def consent_states(session: Session, participant_id: int) -> list[ConsentState]:
    """Each consent kind with its latest record (never given -> not given)."""
    rows = session.scalars(select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.id))
    latest = {row.kind: row for row in rows}
    states = []
    for kind in CONSENT_KINDS:
        row = latest.get(kind)
        if row is None:
            states.append(ConsentState(kind, False))
        else:
            states.append(ConsentState(kind, row.withdrawn_at is None, row.given_at, row.withdrawn_at,
                                       row.text_version))
    return states


def give_consent(session: Session, participant: Participant, kind: str) -> bool:
    """Give an optional consent (a new record with today's text version); False when it is already given."""
    _check_optional(kind)
    if _active(session, participant.id, kind):
        return False
    session.add(Consent(participant_id=participant.id, kind=kind, text_version=CONSENT_TEXT_VERSION))
    record_event(session, "consent_given", actor_user_id=participant.user_id,
                 after={"kind": kind, "text_version": CONSENT_TEXT_VERSION})
    return True


def withdraw_consent(session: Session, participant: Participant, kind: str, via: dict | None = None) -> bool:
    """Withdraw an optional consent (its record keeps the date); False when it was not given. `via` is audited
    too (an e-mail's unsubscribe link names its campaign)."""
    _check_optional(kind)
    active = _active(session, participant.id, kind)
    if not active:
        return False
    now = datetime.now(UTC)
    for row in active:
        row.withdrawn_at = now
    record_event(session, "consent_withdrawn", actor_user_id=participant.user_id, after={"kind": kind, **(via or {})})
    return True


def _active(session: Session, participant_id: int, kind: str) -> list[Consent]:
    query = select(Consent).where(Consent.participant_id == participant_id, Consent.kind == kind,
                                  Consent.withdrawn_at.is_(None))
    return list(session.scalars(query))


def _check_optional(kind: str) -> None:
    if kind not in OPTIONAL_CONSENTS:
        raise InvalidInputError("only optional consents can be changed here", code="bad_consent")
