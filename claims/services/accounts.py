"""Users, participants, consents and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claims.db.models import ApiToken, Consent, Participant, User
from claims.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
from claims.roles import Role
from claims.security import hash_password, new_api_token, token_digest, verify_password
from vocabulary.nip import nip_is_valid, normalise_nip

RULES_VERSION = "2026-01"
# Checked against when the e-mail is unknown, so a login costs the same time either way.
_DUMMY_HASH = hash_password("paragon-timing-equaliser")


@dataclass(frozen=True)
class NewParticipant:
    company_name: str
    company_nip: str | None
    consents: tuple[str, ...] = ("rules",)
    rules_version: str = RULES_VERSION


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role | str,
    name: str,
    partner_id: int | None = None,
    participant: NewParticipant | None = None,
) -> User:
    """Create a user (and its participant profile for the participant role)."""
    role = Role(role)
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInputError("e-mail address is not valid", code="invalid_email")
    check_new_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInputError("this e-mail address is already registered", code="email_taken")
    if role is Role.PARTNER_REVIEWER and partner_id is None:
        raise InvalidInputError("a partner reviewer must belong to a partner", code="partner_required")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role, partner_id=partner_id)
    session.add(user)
    if role is Role.PARTICIPANT:
        _attach_participant(session, user, participant or NewParticipant(company_name="", company_nip=None))
    session.flush()
    return user


def _attach_participant(session: Session, user: User, data: NewParticipant) -> None:
    nip = normalise_nip(data.company_nip) if data.company_nip else None
    if nip is not None and not nip_is_valid(nip):
        raise InvalidInputError("company NIP is not valid", code="invalid_nip")
    if "rules" not in data.consents:
        raise InvalidInputError("the programme rules must be accepted", code="rules_not_accepted")
    profile = Participant(user=user, company_name=data.company_name, company_nip=nip)
    session.add(profile)
    for kind in data.consents:
        session.add(Consent(participant=profile, kind=kind, text_version=data.rules_version))


def authenticate(session: Session, email: str, password: str) -> User:
    """The active user with this e-mail and password, or AuthenticationError."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_password(password, _DUMMY_HASH)
        raise AuthenticationError("wrong e-mail or password", code="bad_credentials")
    if not verify_password(password, user.password_hash) or not user.active:
        raise AuthenticationError("wrong e-mail or password", code="bad_credentials")
    return user


def issue_api_token(session: Session, user: User, label: str = "") -> str:
    """A new bearer token for `user`; only its hash is stored, so show it once."""
    token = new_api_token()
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User:
    """The active user owning an unrevoked token, or AuthenticationError."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        raise AuthenticationError("unknown or revoked API token", code="bad_token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise AuthenticationError("unknown or revoked API token", code="bad_token")
    row.last_used_at = datetime.now(UTC)
    return user


def revoke_api_tokens(session: Session, user: User) -> int:
    """Revoke every token of `user`; returns how many were live."""
    now = datetime.now(UTC)
    live = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    count = 0
    for row in live:
        row.revoked_at = now
        count += 1
    return count


def participant_of(session: Session, user: User) -> Participant:
    """The participant profile of a participant user."""
    profile = session.scalar(select(Participant).where(Participant.user_id == user.id))
    if profile is None:
        raise PermissionDeniedError("this account is not a participant", code="not_participant")
    return profile


MIN_PASSWORD = 8


def check_new_password(password: str) -> None:
    """Refuse a password too short to keep an account (InvalidInputError `weak_password`)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"password must have at least {MIN_PASSWORD} characters", code="weak_password")


def end_other_sessions(session: Session, user: User) -> int:
    """End every session of `user` except the one that is about to renew itself; returns the new version.

    Today's sessions are signed cookies, so there is nothing on the server to delete: each session carries a
    keyed fingerprint of the user's password hash and `session_version` (review_ui.auth), and a request whose
    fingerprint no longer matches is logged out. Raising the version here (atomically, so two calls at once both
    count) ends them all; the caller then renews its own session's fingerprint.
    """
    session.execute(update(User).where(User.id == user.id)
                    .values(session_version=User.session_version + 1).execution_options(synchronize_session=False))
    session.refresh(user, ["session_version"])
    return user.session_version
