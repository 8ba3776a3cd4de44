"""A forgotten password set again through a link sent by e-mail, and a password changed by its owner.

The reset link carries a signed token: the user's number, when it expires (one hour after it is made) and an
HMAC, keyed with the app's secret, over those and a fingerprint of the user's current password hash and session
version. It is checked without any stored state, and it works once: setting the password changes the hash, so
the same link no longer matches. Asking for a link answers the same whether the address has an account or not;
the e-mail is built and sent by a worker after the request commits (`RESET_TOPIC`, see `reset_message`), so the
token is never put on the queue.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.after_commit import after_commit
from claims.db.models import User
from claims.errors import AuthenticationError, InvalidInputError
from claims.i18n import normalise_locale, translate
from claims.security import hash_password, verify_password
from claims.services.accounts import check_new_password, end_other_sessions
from claims.services.notifications import Message

#: How long a reset link works, in seconds.
RESET_LINK_SECONDS = 3600
#: The after-commit topic whose handler queues the reset e-mail (installed by the composition root).
RESET_TOPIC = "password_reset_requested"
RESET_PATH = "/password/reset/"


def _key(secret_key: str) -> bytes:
    """A key for reset links only, derived from the app's secret (no other signature can be reused as one)."""
    return hmac.new(secret_key.encode(), b"paragon.password-reset", hashlib.sha256).digest()


def _state(user: User) -> str:
    """What a link is bound to: the password as it is now and the session version."""
    return hashlib.sha256(f"{user.password_hash}:{user.session_version or 0}".encode()).hexdigest()


def _signature(secret_key: str, user: User, expires: int) -> str:
    digest = hmac.new(_key(secret_key), f"{user.id}.{expires}.{_state(user)}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def reset_token(secret_key: str, user: User, now: float | None = None) -> str:
    """A reset token for `user`, valid RESET_LINK_SECONDS from `now`."""
    expires = int(now if now is not None else time.time()) + RESET_LINK_SECONDS
    return f"{user.id}.{expires}.{_signature(secret_key, user, expires)}"


def user_for_reset_token(session: Session, secret_key: str, token: str, now: float | None = None) -> User:
    """The active user a valid, unused, unexpired token was made for.

    Raises:
        InvalidInputError: `reset_link_expired` past its hour; `reset_link_invalid` for anything else (forged,
            already used, an inactive account) — the two are told apart only for a genuine link.
    """
    invalid = InvalidInputError("this password link is not valid", code="reset_link_invalid")
    user_id, _, rest = token.partition(".")
    expires, _, signature = rest.partition(".")
    if not (user_id.isdigit() and expires.isdigit() and signature) or len(token) > 200:
        raise invalid
    user = session.get(User, int(user_id))
    if user is None or not user.active:
        raise invalid
    if not hmac.compare_digest(signature, _signature(secret_key, user, int(expires))):
        raise invalid
    if int(expires) < (now if now is not None else time.time()):
        raise InvalidInputError("this password link has expired", code="reset_link_expired")
    return user


def request_password_reset(session: Session, email: str) -> None:
    """Queue a reset e-mail for the active account with this address (after commit); nothing for any other.

    The caller answers the same either way, so the answer does not tell whether an address is registered.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()[:254]))
    if user is None or not user.active:
        return
    record_event(session, "password_reset_requested", actor_user_id=user.id)
    after_commit(session, RESET_TOPIC, user.id)


def reset_password(session: Session, secret_key: str, token: str, password: str) -> User:
    """Set a new password through a reset link; the link is used up and every session of the user ends.

    Raises:
        InvalidInputError: `reset_link_invalid`, `reset_link_expired`, `weak_password`.
    """
    user = user_for_reset_token(session, secret_key, token)
    check_new_password(password)
    _set_password(session, user, password, "password_reset")
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The owner's own change: the current password is asked again, and every other session ends.

    Raises:
        AuthenticationError: `wrong_password` when `current` is not the password.
        InvalidInputError: `weak_password`, `same_password`.
    """
    if not verify_password(current, user.password_hash):
        raise AuthenticationError("the current password is not right", code="wrong_password")
    check_new_password(new)
    if new == current:
        raise InvalidInputError("the new password is the current one", code="same_password")
    _set_password(session, user, new, "password_changed")


def _set_password(session: Session, user: User, password: str, action: str) -> None:
    user.password_hash = hash_password(password)
    end_other_sessions(session, user)
    record_event(session, action, actor_user_id=user.id)


@dataclass(frozen=True)
class ResetMail:
    """Where the reset e-mail points: the site's public address, when there is one."""

    secret_key: str
    public_url: str | None = None


def reset_message(session: Session, user_id: int, mail: ResetMail, now: float | None = None) -> Message | None:
    """The reset e-mail, in the user's language, with a fresh link; None for an unknown or inactive account."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    locale = normalise_locale(user.locale) or "pl"
    path = RESET_PATH + reset_token(mail.secret_key, user, now)
    link = f"{mail.public_url.rstrip('/')}{path}" if mail.public_url else path
    lines = [translate("email.greeting", locale, name=user.name or user.email), "",
             translate("email.reset.asked", locale), "", link, "",
             translate("email.reset.once", locale, minutes=RESET_LINK_SECONDS // 60), "",
             translate("email.reset.not_you", locale), "", "--", translate("email.footer", locale)]
    stamp = int(now if now is not None else time.time())
    return Message(user.email, translate("email.reset.subject", locale), "\n".join(lines), locale,
                   f"user-{user.id}", f"password-reset-{stamp}")
