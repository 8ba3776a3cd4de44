"""Failed-login, sign-up and password-reset limits over claims.ratelimit: a temporary lock per e-mail and per
address.

Counts live in Redis (no schema change): `paragon:rl:<limit>:<subject>:<window>`, the key format of
RateLimiter. E-mails are counted under a hash, so Redis never holds the addresses. The counts do not depend
on whether the e-mail belongs to an account, so the lock says nothing about who is registered. When Redis
cannot be reached the limits are skipped (logins keep working), a warning is logged, and this process leaves
Redis alone for REDIS_PAUSE_SECONDS so that every login does not wait for the client's timeouts and retries.
"""

from __future__ import annotations

import hashlib
import logging
import time

from claims.ratelimit import Limit, RateLimiter, TooManyAttemptsError

log = logging.getLogger(__name__)

#: Five wrong passwords for one e-mail lock it for the rest of a 15-minute window.
FAILED_LOGINS_PER_EMAIL = Limit("login-email", attempts=5, window_seconds=900)
#: One address trying many e-mails (password spraying) is stopped after 30 failures in 15 minutes.
FAILED_LOGINS_PER_IP = Limit("login-ip", attempts=30, window_seconds=900)
#: Sign-ups (every attempt counts) per address and hour: enough for an office behind one NAT.
REGISTRATIONS_PER_IP = Limit("register-ip", attempts=20, window_seconds=3600)
#: Password reset e-mails: a few per address an hour (no mail bombing), more per network address.
RESETS_PER_EMAIL = Limit("reset-email", attempts=3, window_seconds=3600)
RESETS_PER_IP = Limit("reset-ip", attempts=20, window_seconds=3600)
REDIS_PAUSE_SECONDS = 30.0
_paused_until = 0.0


def _usable(limiter: RateLimiter | None) -> bool:
    return limiter is not None and time.monotonic() >= _paused_until


def _redis_failed(what: str) -> None:
    global _paused_until
    _paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
    log.warning("login limits unavailable; %s (Redis skipped for %.0f s)", what, REDIS_PAUSE_SECONDS, exc_info=True)


class LoginLockedError(TooManyAttemptsError):
    """Logins are refused for a while; `scope` is "email" or "ip"."""

    code = "login_locked"

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"too many failed logins ({scope}); try again in {retry_after} s", retry_after)
        self.scope = scope
        self.details["scope"] = scope


def email_subject(email: str) -> str:
    """The counter subject of an e-mail: a hash of its normalised form."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _subjects(email: str, ip: str | None) -> list[tuple[str, Limit, str]]:
    found = [("email", FAILED_LOGINS_PER_EMAIL, email_subject(email))]
    if ip:
        found.append(("ip", FAILED_LOGINS_PER_IP, ip))
    return found


def check_login_allowed(limiter: RateLimiter | None, email: str, ip: str | None) -> None:
    """LoginLockedError when the e-mail or the address has used up its failures in this window."""
    if not _usable(limiter):
        return
    try:
        for scope, limit, subject in _subjects(email, ip):
            if limiter.count(limit, subject) >= limit.attempts:
                raise LoginLockedError(scope, limiter.retry_after(limit))
    except LoginLockedError:
        raise
    except Exception:  # Redis away: let people log in, the password check still holds
        _redis_failed("login allowed without counting")


def record_login_failure(limiter: RateLimiter | None, email: str, ip: str | None) -> None:
    """Count a wrong password; LoginLockedError when this failure used up a limit (the lock starts now)."""
    if not _usable(limiter):
        return
    try:
        locked = _count_failure(limiter, email, ip)
    except Exception:
        _redis_failed("failure not counted")
        return
    if locked is not None:
        raise locked


def _count_failure(limiter: RateLimiter, email: str, ip: str | None) -> LoginLockedError | None:
    """Count the failure against every subject; the first limit it used up, if any."""
    locked = None
    for scope, limit, subject in _subjects(email, ip):
        try:
            count = limiter.hit(limit, subject)
        except TooManyAttemptsError as error:
            locked = locked or LoginLockedError(scope, error.retry_after)
            continue
        if count >= limit.attempts and locked is None:
            locked = LoginLockedError(scope, limiter.retry_after(limit))
    return locked


def record_login_success(limiter: RateLimiter | None, email: str) -> None:
    """A successful login clears the e-mail's failures (the address's count stays: it may be spraying)."""
    if not _usable(limiter):
        return
    try:
        limiter.reset(FAILED_LOGINS_PER_EMAIL, email_subject(email))
    except Exception:
        _redis_failed("failures not cleared")


def count_registration(limiter: RateLimiter | None, ip: str | None) -> None:
    """Count a sign-up attempt from `ip`; TooManyAttemptsError past REGISTRATIONS_PER_IP."""
    if not _usable(limiter) or not ip:
        return
    try:
        limiter.hit(REGISTRATIONS_PER_IP, ip)
    except TooManyAttemptsError:
        raise
    except Exception:
        _redis_failed("sign-up attempt not counted")


def count_password_reset(limiter: RateLimiter | None, email: str, ip: str | None) -> None:
    """Count a reset request for `email` from `ip`, whether or not the address has an account (so the limit
    tells nothing); TooManyAttemptsError past RESETS_PER_EMAIL or RESETS_PER_IP."""
    if not _usable(limiter):
        return
    try:
        limiter.hit(RESETS_PER_EMAIL, email_subject(email))
        if ip:
            limiter.hit(RESETS_PER_IP, ip)
    except TooManyAttemptsError:
        raise
    except Exception:
        _redis_failed("password reset not counted")
