"""Sliding-window attempt limits kept in Redis, so every web process and machine shares one count.

Each (limit, subject) is a sorted set of attempt times: an attempt older than the window drops out on its own,
so there is no window edge that frees everything at once (a lock lasting seconds) or that an attacker can time
(five tries at every edge keeping an account locked). A refused attempt is not recorded, so a patient caller
gets back in as soon as the oldest counted attempt leaves the window.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from claims.errors import ClaimsError

log = logging.getLogger(__name__)


class TooManyAttemptsError(ClaimsError):
    """The caller tried too often; `retry_after` says how many seconds until an attempt is allowed again."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class Counter(Protocol):
    """The part of a Redis client a limiter uses (redis.Redis satisfies it)."""

    def pipeline(self, transaction: bool = True): ...


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int


class RateLimiter:
    """Counts attempts per (limit, subject) in sliding windows; refuses past the limit."""

    def __init__(self, redis: Counter, prefix: str = "paragon:rl") -> None:
        self.redis = redis
        self.prefix = prefix

    def key(self, limit: Limit, subject: str) -> str:
        """The sorted set of `subject`'s attempt times under `limit`."""
        return f"{self.prefix}:{limit.name}:{subject}"

    def hit(self, limit: Limit, subject: str, cost: int = 1) -> int:
        """Count `cost` attempts for `subject`; TooManyAttemptsError (the attempts not recorded) past the limit."""
        key, now = self.key(limit, subject), time.time()
        members = {f"{now:.6f}-{uuid.uuid4().hex[:12]}": now for _ in range(cost)}
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(key, "-inf", now - limit.window_seconds)
        pipe.zadd(key, members)
        pipe.zcard(key)
        pipe.zrange(key, 0, 0, withscores=True)
        pipe.expire(key, limit.window_seconds + 5)
        results = pipe.execute()
        count = int(results[2])
        if count > limit.attempts:
            undo = self.redis.pipeline(transaction=False)
            undo.zrem(key, *members)
            undo.execute()
            retry_after = _until_free(results[3], limit, now)
            raise TooManyAttemptsError(f"too many attempts; try again in {retry_after} s", retry_after)
        return count

    def times(self, limit: Limit, subject: str) -> list[float]:
        """The times of `subject`'s attempts still inside the window, oldest first."""
        key, now = self.key(limit, subject), time.time()
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(key, "-inf", now - limit.window_seconds)
        pipe.zrange(key, 0, -1, withscores=True)
        return [float(score) for _member, score in pipe.execute()[1]]

    def count(self, limit: Limit, subject: str) -> int:
        """Attempts counted for `subject` inside the window."""
        return len(self.times(limit, subject))

    def retry_after(self, limit: Limit, subject: str) -> int:
        """Seconds until the oldest counted attempt leaves the window (and one more is allowed)."""
        found = self.times(limit, subject)
        return max(1, math.ceil(found[0] + limit.window_seconds - time.time())) if found else 1

    def reset(self, limit: Limit, subject: str) -> None:
        """Forget `subject`'s attempts."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self.key(limit, subject))
        pipe.execute()


def _until_free(oldest: list, limit: Limit, now: float) -> int:
    if not oldest:
        return 1
    return max(1, math.ceil(float(oldest[0][1]) + limit.window_seconds - now))


class TooManyUploadsError(TooManyAttemptsError):
    """The participant (or the address) sent more claims with files than the hourly limit allows."""

    code = "too_many_uploads"


#: Product-code entry: generous for real buyers, useless for guessing a 12-character code.
CODE_ATTEMPTS_PER_PARTICIPANT = Limit("codes-participant", attempts=60, window_seconds=3600)
CODE_ATTEMPTS_PER_IP = Limit("codes-ip", attempts=200, window_seconds=3600)
#: An address may carry this many participants' worth of uploads (an office or a shop behind one NAT).
UPLOAD_IP_FACTOR = 5


def upload_limits(per_hour: int) -> tuple[Limit, Limit]:
    """The hourly limits on claims with files: per participant (`per_hour`) and per address."""
    return (Limit("uploads-participant", per_hour, 3600), Limit("uploads-ip", per_hour * UPLOAD_IP_FACTOR, 3600))


def check_claim_attempts(
    limiter: RateLimiter | None,
    participant_id: int,
    ip: str | None,
    *,
    files: int,
    codes: int,
    uploads_per_hour: int,
) -> None:
    """Count one claim's uploads and product codes against the participant and the address.

    A claim with files counts once against UPLOADS_PER_HOUR (0 switches the upload limit off); each product
    code counts once against the code limits. Refused attempts raise before anything is stored, so nothing
    accepted is lost. No limiter, no limit; Redis away: the claim is accepted (and logged), since the claim
    itself is safe in the database and the product codes' check digits still hold.
    """
    if limiter is None or not (files or codes):
        return
    try:
        if files and uploads_per_hour > 0:
            per_participant, per_ip = upload_limits(uploads_per_hour)
            try:
                limiter.hit(per_participant, str(participant_id))
                if ip:
                    limiter.hit(per_ip, ip)
            except TooManyAttemptsError as error:
                raise TooManyUploadsError(
                    f"too many uploads this hour; try again in {error.retry_after} s", error.retry_after
                ) from None
        if codes:
            limiter.hit(CODE_ATTEMPTS_PER_PARTICIPANT, str(participant_id), codes)
            if ip:
                limiter.hit(CODE_ATTEMPTS_PER_IP, ip, codes)
    except TooManyAttemptsError:
        raise
    except Exception:  # Redis away: accept the claim (nothing accepted may be lost)
        log.warning("attempt limits unavailable; claim accepted without counting", exc_info=True)
