"""Settings, read from environment variables only, with the embedded single-machine defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claims.errors import ConfigurationError

#: Every variable paragon reads, with its meaning; the README's configuration table mirrors this.
VARIABLES: dict[str, str] = {
    "PARAGON_DATA_DIR": "folder for the embedded defaults (SQLite file, blobs, secret key, outbox); default ./var",
    "DATABASE_URL": "SQLAlchemy URL; default sqlite:///$PARAGON_DATA_DIR/paragon.db",
    "REDIS_URL": "Redis for the job queue; default redis://127.0.0.1:6379/0",
    "BLOB_URL": "file:///path (local folder, default $PARAGON_DATA_DIR/blobs) or db:// (in the database)",
    "SECRET_KEY": "signs sessions and CSRF tokens, keys the duplicate hashes; default generated once "
    "into $PARAGON_DATA_DIR/secret_key",
    "MAX_UPLOAD_MB": "largest accepted file, MB; default 20",
    "MAX_FILES_PER_CLAIM": "files per claim; default 10",
    "OCR_LANGUAGES": "tesseract languages; default pol+eng",
    "OCR_TIMEOUT_SECONDS": "limit for reading one document; default 60",
    "TESSERACT_CMD": "tesseract executable; default tesseract",
    "OCR_ENGINE": "api (tesseract inside the reader process, models loaded once), cli (the tesseract command per "
    "reading) or auto (api when tesserocr is installed); default auto",
    "TESSDATA_PREFIX": "folder with the traineddata files for the api engine; default: where TESSERACT_CMD keeps them",
    "JOB_TIMEOUT_SECONDS": "rq job timeout on the ocr queue; default 1200 (10 documents x (60 s + 10 s) fit)",
    "SESSION_COOKIE_SECURE": "1 to send session cookies over HTTPS only, 0 to allow http; default 1 when "
    "PUBLIC_URL starts with https://, else 0 (the embedded demo on http://127.0.0.1)",
    "UPLOADS_PER_HOUR": "claims with files one participant may send per hour (an address: five times as many); "
    "0 switches the limit off; default 60",
    "PARAGON_LOCALE": "default UI and message language, pl or en; default pl",
    "SMTP_URL": "smtp://user:password@host:port (or smtp+starttls://, smtps://) for e-mails; default: none, "
    "messages are written as .eml files to $PARAGON_DATA_DIR/outbox",
    "MAIL_FROM": "sender of e-mails; default paragon <no-reply@paragon.local>",
    "PUBLIC_URL": "the address participants open the UI at, for links in e-mails; default none (no link)",
    "TRUSTED_PROXIES": "how many reverse proxies in front of the web app set X-Forwarded-For/-Proto (their "
    "client address is used for per-address limits); default 0: trust no forwarded header",
    "RETENTION_DAYS": "documents are deleted this many days after their claim's final state; default 365",
    "SWEEP_INTERVAL_SECONDS": "how often one worker (elected through a Redis lock) queues claims whose job was "
    "lost; 0 switches the periodic sweep off; default 30",
    "WORKER_HEARTBEAT_SECONDS": "how often a worker beats while it works a claim; a claim whose worker stops "
    "beating for three beats (and 10 s) is queued again; default 10",
    "WORKER_NICE": "how much lower a worker's CPU priority is than the web app's (0-19; reading is batch work, "
    "an upload or a page is a person waiting); default 10",
    "SWEEP_RECEIVED_AFTER_SECONDS": "a claim still received (never started) this long is queued again; default 60",
    "ORDER_APPROVAL_POINTS": "reward orders above this many points wait for an auditor's approval; 0 (the "
    "default) for none",
    "POINTS_EXPIRY": "when points expire: never (default), <N>m (N months after the end of the year they were "
    "earned, e.g. 12m) or a date YYYY-MM-DD (the programme's end)",
    "TAX_THRESHOLD_PLN": "reward value per participant and year above which an order asks for tax details; "
    "default 2000",
    "REFERRAL_POINTS": "points a participant gets when someone they invited has a first claim approved; 0 switches "
    "referrals off; default 100",
    "REFERRAL_CAP": "the most invitations a participant is credited for; default 10",
    "MAIL_RATE_PER_MINUTE": "how many campaign e-mails the workers send per minute, all together (batch jobs of "
    "100 are spaced to keep to it); 0: as fast as the workers go; default 600",
}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved to concrete values."""

    data_dir: Path
    database_url: str
    redis_url: str
    blob_url: str
    secret_key: str = field(repr=False)
    max_upload_bytes: int = 20 * 1024 * 1024
    max_files_per_claim: int = 10
    ocr_languages: str = "pol+eng"
    ocr_timeout_seconds: int = 60
    tesseract_cmd: str = "tesseract"
    ocr_engine: str = "auto"
    tessdata_dir: str | None = None
    job_timeout_seconds: int = 1200
    session_cookie_secure: bool = False
    locale: str = "pl"
    retention_days: int = 365
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str | None = None
    public_url: str | None = None
    trusted_proxies: int = 0
    uploads_per_hour: int = 60
    sweep_interval_seconds: int = 30
    worker_heartbeat_seconds: int = 10
    sweep_received_after_seconds: int = 60
    worker_nice: int = 10
    order_approval_points: int = 0
    points_expiry: str = "never"
    tax_threshold_pln: int = 2000
    referral_points: int = 100
    referral_cap: int = 10
    mail_rate_per_minute: int = 600

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("PARAGON_DATA_DIR") or "var").resolve()
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'paragon.db'}",
            redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            blob_url=env.get("BLOB_URL") or (data_dir / "blobs").as_uri(),
            secret_key=env.get("SECRET_KEY") or _embedded_secret(data_dir),
            max_upload_bytes=_int(env, "MAX_UPLOAD_MB", 20) * 1024 * 1024,
            max_files_per_claim=_int(env, "MAX_FILES_PER_CLAIM", 10),
            ocr_languages=env.get("OCR_LANGUAGES") or "pol+eng",
            ocr_timeout_seconds=_int(env, "OCR_TIMEOUT_SECONDS", 60),
            tesseract_cmd=env.get("TESSERACT_CMD") or "tesseract",
            ocr_engine=_choice(env, "OCR_ENGINE", ("auto", "api", "cli")),
            tessdata_dir=env.get("TESSDATA_PREFIX") or None,
            job_timeout_seconds=_int(env, "JOB_TIMEOUT_SECONDS", 1200),
            session_cookie_secure=_secure_cookies(env),
            locale="en" if env.get("PARAGON_LOCALE", "pl").startswith("en") else "pl",
            retention_days=_int(env, "RETENTION_DAYS", 365),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM") or None,
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
            trusted_proxies=_int(env, "TRUSTED_PROXIES", 0),
            uploads_per_hour=max(0, _int(env, "UPLOADS_PER_HOUR", 60)),
            sweep_interval_seconds=max(0, _int(env, "SWEEP_INTERVAL_SECONDS", 30)),
            worker_heartbeat_seconds=max(1, _int(env, "WORKER_HEARTBEAT_SECONDS", 10)),
            sweep_received_after_seconds=max(1, _int(env, "SWEEP_RECEIVED_AFTER_SECONDS", 60)),
            worker_nice=min(19, max(0, _int(env, "WORKER_NICE", 10))),
            order_approval_points=max(0, _int(env, "ORDER_APPROVAL_POINTS", 0)),
            points_expiry=(env.get("POINTS_EXPIRY") or "never").strip().lower(),
            tax_threshold_pln=max(0, _int(env, "TAX_THRESHOLD_PLN", 2000)),
            referral_points=max(0, _int(env, "REFERRAL_POINTS", 100)),
            referral_cap=max(0, _int(env, "REFERRAL_CAP", 10)),
            mail_rate_per_minute=max(0, _int(env, "MAIL_RATE_PER_MINUTE", 600)),
        )


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    """Read a variable that takes one of a few words (the first is the default)."""
    value = (env.get(name) or allowed[0]).strip().lower()
    if value not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _secure_cookies(env: Mapping[str, str]) -> bool:
    """SESSION_COOKIE_SECURE when set; otherwise Secure exactly when the public address is https."""
    raw = env.get("SESSION_COOKIE_SECURE", "").strip().lower()
    if raw:
        return raw in {"1", "true", "yes"}
    return (env.get("PUBLIC_URL") or "").strip().lower().startswith("https://")


def _embedded_secret(data_dir: Path) -> str:
    """The embedded default: a random key generated once and kept in the data folder."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process generated it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
