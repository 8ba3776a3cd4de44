"""Partners compete too: the partner scorecards for the agency (auditors and admins: every partner, the period
filter of the reports, CSV and XLSX through the reports' helpers) with the partner contest "the fastest fair
reviewer"; a partner's reviewer sees their own partner's scorecard only, never another's."""

from __future__ import annotations

from dataclasses import asdict, replace

from flask import Blueprint, abort, render_template, request

from claims.roles import Role
from claims.services.scorecards import FairRules, fair_reviewers, scorecards
from claims.services.worklists import REVIEW_SLA_HOURS
from review_ui.access import acting_user, role_required
from review_ui.db import db
from review_ui.i18n import t
from review_ui.reports import PERCENT_KEYS, PERIODS, XLSX_TYPE, download, filter_args, report_filter, to_csv, to_xlsx

bp = Blueprint("scorecards", __name__)

COLUMNS = (("partner", "claim.partner"), ("code", "reports.col.code"), ("claims", "partners.claims"),
           ("decided", "partners.decided"), ("approval_rate", "partners.approval_rate"),
           ("median_hours", "partners.median_hours"), ("p90_hours", "scorecard.p90_hours"),
           ("sla_share", "reports.col.sla_share"), ("overturned", "partners.overturned"),
           ("overturn_rate", "scorecard.overturn_rate"), ("brought_in", "scorecard.brought_in"))
SHOWN_AS_PERCENT = PERCENT_KEYS | {"overturn_rate"}


def _percent_arg(name: str, default: float) -> float:
    """A fairness bound from the query in per cent (0-100); anything else keeps the default."""
    raw = request.args.get(name, "")
    return int(raw) / 100 if raw.isdigit() and int(raw) <= 100 else default


def _rules() -> FairRules:
    base = FairRules()
    raw = request.args.get("min_decided", "")
    return FairRules(int(raw) if raw.isdigit() and len(raw) < 7 else base.min_decided,
                     _percent_arg("min_approval", base.min_approval), _percent_arg("max_approval", base.max_approval),
                     _percent_arg("max_overturn", base.max_overturn))


@bp.get("/reports/scorecards")
@role_required(Role.AUDITOR, Role.ADMIN)
def agency():
    session = db()
    wanted, days = report_filter(session)
    cards = scorecards(session, wanted)
    rules = _rules()
    return render_template("scorecards/agency.html", cards=cards, contest=fair_reviewers(cards, rules), rules=rules,
                           days=days, periods=PERIODS, args=filter_args(wanted, days), columns=_columns(),
                           percent_keys=SHOWN_AS_PERCENT, sla_hours=REVIEW_SLA_HOURS)


@bp.get("/reports/scorecards.<kind>")
@role_required(Role.AUDITOR, Role.ADMIN)
def export(kind: str):
    if kind not in ("csv", "xlsx"):
        abort(404)
    session = db()
    wanted, days = report_filter(session)
    header = [label + (" (%)" if key in SHOWN_AS_PERCENT else "") for key, label in _columns()]
    rows = [[_cell(key, asdict(card)[key]) for key, _ in COLUMNS] for card in scorecards(session, wanted)]
    stem = f"paragon-scorecards-{days}d"
    if kind == "csv":
        return download(to_csv(header, rows), "text/csv", f"{stem}.csv")
    return download(to_xlsx("scorecards", header, rows), XLSX_TYPE, f"{stem}.xlsx")


@bp.get("/partner/scorecard")
@role_required(Role.PARTNER_REVIEWER)
def own():
    """The reviewer's own partner only: the filter's partner is forced to theirs."""
    session = db()
    wanted, days = report_filter(session)
    wanted = replace(wanted, partner_id=acting_user().partner_id, campaign_id=None)
    cards = scorecards(session, wanted)
    return render_template("scorecards/own.html", card=cards[0] if cards else None, days=days, periods=PERIODS,
                           columns=_columns(), percent_keys=SHOWN_AS_PERCENT, sla_hours=REVIEW_SLA_HOURS)


def _columns() -> list[tuple[str, str]]:
    return [(key, t(label)) for key, label in COLUMNS]


def _cell(key: str, value: object) -> object:
    if key in SHOWN_AS_PERCENT and isinstance(value, int | float):
        return round(100 * value, 1)
    return value
