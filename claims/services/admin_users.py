"""Admin work on accounts: staff users with a random first password, deactivation, password resets, API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import ApiToken, Partner, User
from claims.errors import InvalidInputError
from claims.roles import Role
from claims.security import hash_password
from claims.services.accounts import create_user, issue_api_token, revoke_api_tokens
from claims.services.admin import InvalidFormError, Problem, check_text, get_row, like_pattern, raise_if, snapshot

#: Roles an admin creates; participants sign up themselves (they accept the rules).
STAFF_ACCOUNT_ROLES = (Role.PARTNER_REVIEWER, Role.AUDITOR, Role.ADMIN)
USER_FIELDS = ("email", "name", "role", "partner_id", "active")
_ACCOUNT_FIELDS = {"invalid_email": "email", "email_taken": "email", "partner_required": "partner_id"}


@dataclass(frozen=True)
class NewStaffUser:
    email: str
    name: str
    role: str
    partner_id: int | None = None


def user_page(session: Session, query: str, role: str, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of accounts (e-mail or name containing `query`, of `role` when given) and the total."""
    found = select(User)
    if query:
        pattern = like_pattern(query)
        found = found.where(or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\")))
    if role:
        found = found.where(User.role == role)
    total = session.scalar(select(func.count()).select_from(found.subquery())) or 0
    return list(session.scalars(found.order_by(User.email).limit(limit).offset(offset))), total


def get_user(session: Session, user_id: int) -> User:
    return get_row(session, User, user_id)


def new_password() -> str:
    """A random first or reset password, shown to the admin once."""
    return secrets.token_urlsafe(12)


def create_staff_user(session: Session, actor: User, data: NewStaffUser) -> tuple[User, str]:
    """A reviewer, auditor or admin with a random password; returns the user and the password (show it once)."""
    problems: dict[str, Problem] = {}
    check_text(problems, "name", data.name, 200)
    check_text(problems, "email", data.email, 254)
    if data.role not in STAFF_ACCOUNT_ROLES:
        problems["role"] = Problem("invalid")
    partner_id = data.partner_id if data.role == Role.PARTNER_REVIEWER else None
    if data.role == Role.PARTNER_REVIEWER and (partner_id is None or session.get(Partner, partner_id) is None):
        problems["partner_id"] = Problem("required")
    raise_if(problems)
    password = new_password()
    try:
        user = create_user(session, email=data.email, password=password, role=data.role, name=data.name,
                           partner_id=partner_id)
    except InvalidInputError as error:
        raise InvalidFormError({_ACCOUNT_FIELDS.get(error.code, "email"): Problem(error.code)}) from error
    record_event(session, "user_created", actor_user_id=actor.id, after={"id": user.id, **snapshot(user, USER_FIELDS)})
    return user, password


def set_user_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (no login, no API) or reactivate an account; an admin cannot lock themselves out."""
    user = get_user(session, user_id)
    if user.id == actor.id and not active:
        raise InvalidInputError("you cannot deactivate your own account", code="own_account")
    before = {"active": user.active}
    user.active = active
    record_event(session, "user_activated" if active else "user_deactivated", actor_user_id=actor.id,
                 before={"id": user.id, **before}, after={"id": user.id, "active": active})
    return user


def reset_password(session: Session, actor: User, user_id: int) -> str:
    """Give the account a new random password (its web sessions end: they are tied to the old one)."""
    user = get_user(session, user_id)
    password = new_password()
    user.password_hash = hash_password(password)
    record_event(session, "user_password_reset", actor_user_id=actor.id, after={"id": user.id})
    return password


def revoke_tokens(session: Session, actor: User, user_id: int) -> int:
    user = get_user(session, user_id)
    count = revoke_api_tokens(session, user)
    record_event(session, "api_tokens_revoked", actor_user_id=actor.id, after={"id": user.id, "revoked": count})
    return count


def issue_token(session: Session, actor: User, user_id: int, label: str) -> str:
    """A new API token for the account; only its hash is kept, so the caller shows it once."""
    user = get_user(session, user_id)
    if not user.active:
        raise InvalidInputError("the account is deactivated", code="inactive_account")
    token = issue_api_token(session, user, label[:100])
    record_event(session, "api_token_issued", actor_user_id=actor.id, after={"id": user.id, "label": label[:100]})
    return token


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())))
