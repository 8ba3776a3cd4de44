"""Fixed-window attempt limits kept in Redis, so every web process and machine shares one count."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

from claims.errors import ClaimsError

log = logging.getLogger(__name__)


class TooManyAttemptsError(ClaimsError):
    """The caller tried too often; `retry_after` says how many seconds until the window ends."""

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
    """Counts attempts per (limit, subject) in fixed windows; refuses past the limit."""

    def __init__(self, redis: Counter, prefix: str = "paragon:rl") -> None:
        self.redis = redis
        self.prefix = prefix

    def key(self, limit: Limit, subject: str) -> str:
        """The counter of `subject` in the current window of `limit`."""
        return f"{self.prefix}:{limit.name}:{subject}:{int(time.time()) // limit.window_seconds}"

    @staticmethod
    def retry_after(limit: Limit) -> int:
        """Seconds until the current window of `limit` ends."""
        return limit.window_seconds - int(time.time()) % limit.window_seconds

    def hit(self, limit: Limit, subject: str, cost: int = 1) -> int:
        """Count `cost` attempts for `subject`; TooManyAttemptsError once the window's limit is passed."""
        key = self.key(limit, subject)
        pipe = self.redis.pipeline(transaction=True)
        pipe.incrby(key, cost)
        pipe.expire(key, limit.window_seconds + 5)
        count = int(pipe.execute()[0])
        if count > limit.attempts:
            retry_after = self.retry_after(limit)
            raise TooManyAttemptsError(f"too many attempts; try again in {retry_after} s", retry_after)
        return count

    def count(self, limit: Limit, subject: str) -> int:
        """Attempts counted for `subject` in the current window."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(self.key(limit, subject))
        return int(pipe.execute()[0] or 0)

    def reset(self, limit: Limit, subject: str) -> None:
        """Forget `subject`'s attempts in the current window."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(self.key(limit, subject))
        pipe.execute()


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
