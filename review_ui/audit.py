"""The auditor's side: the flagged queue by risk, the full search, the daily re-check sample, the audit log and
each partner's figures. Auditors and admins only; decisions themselves go through the review blueprint."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from claims.roles import Role
from claims.services.audit import DECISION_ACTIONS, audit_actions, audit_log
from claims.services.participant_claims import appealed_claims
from claims.services.reports import partner_figures, since_days
from claims.services.worklists import ClaimSearch, daily_sample, flagged_by_risk, search_claims, warning_count
from review_ui.access import acting_user, role_required
from review_ui.db import db
from review_ui.formatting import LOCAL_ZONE
from vocabulary.claims import ClaimStatus

bp = Blueprint("audit", __name__, url_prefix="/audit")

STAFF = (Role.AUDITOR, Role.ADMIN)
PAGE_SIZE = 50
SAMPLE_SIZE = 20
FLAGGED_SHOWN = 100
PERIODS = (7, 30, 90, 365)


@bp.app_template_global("appealed_in")
def appealed_in(claims) -> set[str]:
    """The ids among these claims whose participant appealed (queues mark them)."""
    return appealed_claims(db(), [c.id for c in claims])


@bp.get("/flagged")
@role_required(*STAFF)
def flagged():
    rows = flagged_by_risk(db(), limit=FLAGGED_SHOWN)
    return render_template("audit/flagged.html", claims=[c for c, _ in rows], warnings={c.id: n for c, n in rows})


@bp.get("/search")
@role_required(*STAFF)
def search():
    wanted = search_from(request.args)
    page = page_arg()
    found = [] if wanted.empty else search_claims(db(), acting_user(), wanted, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render_template(
        "audit/search.html", wanted=wanted, claims=found[:PAGE_SIZE], has_next=len(found) > PAGE_SIZE, page=page,
        statuses=list(ClaimStatus), warnings={c.id: warning_count(c) for c in found},
        args={k: v for k, v in request.args.items() if k != "page" and v},
    )


def search_from(args: MultiDict) -> ClaimSearch:
    """The search form's values, trimmed and bounded; malformed dates and statuses are ignored."""
    status = args.get("status", "").strip()
    return ClaimSearch(
        claim_id=args.get("claim_id", "").strip()[:36],
        email=args.get("email", "").strip()[:254],
        nip=args.get("nip", "").strip()[:13],
        document_number=args.get("document_number", "").strip()[:100],
        status=status if status in {s.value for s in ClaimStatus} else "",
        date_from=_date(args.get("date_from")),
        date_to=_date(args.get("date_to")),
    )


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw else None
    except ValueError:
        return None


def page_arg() -> int:
    try:
        return max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        return 1


def today() -> date:
    return datetime.now(UTC).astimezone(LOCAL_ZONE).date()


@bp.get("/sample")
@role_required(*STAFF)
def sample():
    day = _date(request.args.get("day")) or today()
    claims = daily_sample(db(), day, SAMPLE_SIZE)
    return render_template("audit/sample.html", day=day, claims=claims, size=SAMPLE_SIZE)


@bp.get("/log")
@role_required(*STAFF)
def log():
    session, page = db(), page_arg()
    known = audit_actions(session)
    action = request.args.get("action", "")
    chosen = (action,) if action in known else DECISION_ACTIONS if action == "decisions" else ()
    events = audit_log(session, actions=chosen, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("audit/log.html", events=events[:PAGE_SIZE], has_next=len(events) > PAGE_SIZE,
                           page=page, actions=known, action=action if chosen else "")


@bp.get("/partners")
@role_required(*STAFF)
def partners():
    days = period_arg()
    return render_template("audit/partners.html", figures=partner_figures(db(), since_days(days)), days=days,
                           periods=PERIODS)


def period_arg() -> int:
    try:
        days = int(request.args.get("days", "30"))
    except ValueError:
        return 30
    return days if days in PERIODS else 30
