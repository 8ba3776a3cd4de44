"""Jinja filters: dates in Polish time, money with a decimal comma, waiting time, labels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask import Flask

from claims.reasons import reason_text
from review_ui.i18n import current_locale, has_key, t
from vocabulary.claims import ClaimStatus

LOCAL_ZONE = ZoneInfo("Europe/Warsaw")


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_datetime(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return aware(moment).astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def format_date(value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def format_money(value: object) -> str:
    """'1234.5' -> '1 234,50 zł' in Polish, '1,234.50 PLN' in English; '—' when missing or not a number."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    if current_locale() == "en":
        return f"{text} PLN"
    return text.replace(",", "\u00a0").replace(".", ",") + "\u00a0zł"


def format_waiting(since: datetime | None, now: datetime | None = None) -> str:
    """How long a claim has waited: '2 d 3 h', '5 h 10 min', '12 min'."""
    if since is None:
        return "—"
    seconds = max(0, int(((now or datetime.now(UTC)) - aware(since)).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{t('time.days', n=days)} {t('time.hours', n=hours)}"
    if hours:
        return f"{t('time.hours', n=hours)} {t('time.minutes', n=minutes)}"
    return t("time.minutes", n=minutes)


def status_label(status: str) -> str:
    key = f"status.{status}"
    return t(key) if has_key(key) else str(status)


def kind_label(kind: str) -> str:
    key = f"kind.{kind}"
    return t(key) if has_key(key) else str(kind)


def reason_label(code: str) -> str:
    return reason_text(code, current_locale())


def status_class(status: str) -> str:
    """A CSS class per status family, for the coloured badges."""
    families = {
        ClaimStatus.APPROVED: "ok",
        ClaimStatus.REJECTED: "bad",
        ClaimStatus.REVERSED: "bad",
        ClaimStatus.NEEDS_RETAKE: "warn",
        ClaimStatus.FLAGGED: "warn",
    }
    try:
        return "status-" + families.get(ClaimStatus(status), "wait")
    except ValueError:
        return "status-wait"


def format_percent(value: float | None) -> str:
    """0.875 -> '87,5%' in Polish, '87.5%' in English; '—' when there is nothing to divide."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}%"
    return text.replace(".", ",") if current_locale() == "pl" else text


def format_hours(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return (text.replace(".", ",") if current_locale() == "pl" else text) + " h"


def format_number(value: object) -> str:
    """A whole or decimal number in the viewer's language (1 234,5 in Polish, 1,234.5 in English)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_decimal(number, locale=current_locale())


def event_label(action: str) -> str:
    key = f"event.{action}"
    return t(key) if has_key(key) else str(action)


def init_app(app: Flask) -> None:
    from review_ui.audit_words import audit_values

    app.jinja_env.filters.update(
        audit_values=audit_values,
        dt=format_datetime, day=format_date, money=format_money, waiting=format_waiting,
        status_label=status_label, kind_label=kind_label, reason_label=reason_label,
        status_class=status_class, percent=format_percent, hours=format_hours, event_label=event_label,
        number=format_number,
    )
