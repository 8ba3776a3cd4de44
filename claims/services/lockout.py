"""Failed-login, sign-up and password-reset limits over claims.ratelimit (sliding windows in Redis).

Failed logins are throttled per account *and* client address, with growing delays: the first
PAIR_FREE_FAILURES wrong passwords from one address for one e-mail cost nothing, each further one makes that
address wait PAIR_FIRST_DELAY_SECONDS, doubled at every failure up to PAIR_MAX_DELAY_SECONDS. A stranger's
wrong passwords therefore slow only the stranger's own address: the account's owner, from an address that has
not failed, can always log in. A separate per-address limit (FAILED_LOGINS_PER_IP) stops one address spraying
passwords across many accounts. A successful login clears its own pair's failures.

Counts live in Redis (no schema change): `paragon:rl:<limit>:<subject>`, sorted sets of attempt times.
E-mails are counted under a hash, so Redis never holds the addresses. The counts do not depend on whether the
e-mail belongs to an account, so a delay says nothing about who is registered. When Redis cannot be reached
the limits are skipped (logins keep working; the password check still holds), a warning is logged, and this
process leaves Redis alone for REDIS_PAUSE_SECONDS so that every login does not wait for the client's timeouts.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from claims.ratelimit import Limit, RateLimiter, TooManyAttemptsError

log = logging.getLogger(__name__)

#: Failures of one address on one e-mail, kept for an hour (a sliding window).
FAILED_LOGINS_PER_ACCOUNT_AND_IP = Limit("login-pair", attempts=1000, window_seconds=3600)
PAIR_FREE_FAILURES = 4
PAIR_FIRST_DELAY_SECONDS = 30
PAIR_MAX_DELAY_SECONDS = 900
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


def pair_delay(failures: int) -> int:
    """Seconds an address must wait after its latest failure, having failed `failures` times on one e-mail."""
    if failures <= PAIR_FREE_FAILURES:
        return 0
    return min(PAIR_FIRST_DELAY_SECONDS * 2 ** (failures - PAIR_FREE_FAILURES - 1), PAIR_MAX_DELAY_SECONDS)


def _pair(email: str, ip: str | None) -> str:
    return f"{email_subject(email)}:{ip or '-'}"


def _check(limiter: RateLimiter, email: str, ip: str | None) -> None:
    """LoginLockedError while this address waits out its delay on this e-mail, or while it is spraying."""
    failures = limiter.times(FAILED_LOGINS_PER_ACCOUNT_AND_IP, _pair(email, ip))
    wait = pair_delay(len(failures))
    if wait and (left := failures[-1] + wait - time.time()) > 0:
        raise LoginLockedError("email", max(1, math.ceil(left)))
    if ip and limiter.count(FAILED_LOGINS_PER_IP, ip) >= FAILED_LOGINS_PER_IP.attempts:
        raise LoginLockedError("ip", limiter.retry_after(FAILED_LOGINS_PER_IP, ip))


def check_login_allowed(limiter: RateLimiter | None, email: str, ip: str | None) -> None:
    """LoginLockedError when this address must wait before trying this e-mail again, or is spraying."""
    if not _usable(limiter):
        return
    try:
        _check(limiter, email, ip)
    except LoginLockedError:
        raise
    except Exception:  # Redis away: let people log in, the password check still holds
        _redis_failed("login allowed without counting")


def record_login_failure(limiter: RateLimiter | None, email: str, ip: str | None) -> None:
    """Count a wrong password; LoginLockedError when this failure starts a delay (it starts now)."""
    if not _usable(limiter):
        return
    try:
        limiter.hit(FAILED_LOGINS_PER_ACCOUNT_AND_IP, _pair(email, ip))
        if ip:
            try:
                limiter.hit(FAILED_LOGINS_PER_IP, ip)
            except TooManyAttemptsError as error:
                raise LoginLockedError("ip", error.retry_after) from None
        _check(limiter, email, ip)
    except LoginLockedError:
        raise
    except Exception:
        _redis_failed("failure not counted")


def record_login_success(limiter: RateLimiter | None, email: str, ip: str | None = None) -> None:
    """A successful login clears this address's failures on the e-mail (the address's own count stays: it may
    be spraying)."""
    if not _usable(limiter):
        return
    try:
        limiter.reset(FAILED_LOGINS_PER_ACCOUNT_AND_IP, _pair(email, ip))
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
