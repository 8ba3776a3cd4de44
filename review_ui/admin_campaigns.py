"""Admin pages: campaigns (dates, submission window, points rules, eligible products) and code batches."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for

from claims.db.models import Campaign, Outlet, Partner
from claims.errors import ClaimsError
from claims.services.admin import (
    CampaignData,
    MultiplierRow,
    Problem,
    code_batches,
    get_campaign,
    ids_to_codes,
    list_campaigns,
    save_campaign,
)
from claims.services.campaigns import overlaps
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, READERS, FormReader, bp, failure_problems, form_failed
from review_ui.db import db, write
from review_ui.i18n import t

MAX_MULTIPLIERS = 20
BLANK_MULTIPLIERS = 2
_MULTIPLIER_KEY = re.compile(r"^mult-(\d{1,2})-")


@bp.get("/campaigns")
@role_required(*READERS)
def campaigns():
    return render_template("admin/campaigns.html", campaigns=list_campaigns(db()))


@bp.get("/campaigns/new")
@role_required(*ADMIN)
def campaign_new():
    form = {"submission_days": "30", "points_per_pln": "1", "basis": "gross", "fixed_bonus": "0",
            "minimum_purchase": "0", "active": "1"}
    return _campaign_page(form, None)


@bp.post("/campaigns/new")
@role_required(*ADMIN)
def campaign_create():
    return _save(None)


@bp.get("/campaigns/<int:campaign_id>")
@role_required(*ADMIN)
def campaign_edit(campaign_id: int):
    campaign = get_campaign(db(), campaign_id)
    form = campaign_form(campaign) | {
        "partners": "\n".join(ids_to_codes(db(), Partner, campaign.partner_ids)),
        "outlets": "\n".join(ids_to_codes(db(), Outlet, campaign.outlet_ids))}
    found = overlaps(db(), campaign.starts_on, campaign.ends_on, campaign.partner_ids, campaign.id) \
        if campaign.active else []
    return _campaign_page(form, campaign_id, overlapping=found)


@bp.post("/campaigns/<int:campaign_id>")
@role_required(*ADMIN)
def campaign_update(campaign_id: int):
    get_campaign(db(), campaign_id)  # 404 before reading the form
    return _save(campaign_id)


def _campaign_page(form: Mapping[str, str], campaign_id: int | None, errors: dict | None = None,
                   overlapping: list | None = None):
    return render_template("admin/campaign_form.html", form=form, campaign_id=campaign_id,
                           multipliers=multiplier_rows(form), errors=errors or {}, overlapping=overlapping or [])


def _save(campaign_id: int | None):
    data, problems = read_campaign(request.form)
    if data is not None:
        user = acting_user()
        try:
            saved = write(lambda s: save_campaign(s, user, data, campaign_id))
        except ClaimsError as error:
            problems = failure_problems(error)
        else:
            flash(t("admin.saved"), "success")
            if saved.active and overlaps(db(), saved.starts_on, saved.ends_on, saved.partner_ids, saved.id):
                flash(t("admin.campaign.overlap_warning"), "warning")
            return redirect(url_for("admin.campaign_edit", campaign_id=saved.id), code=303)
    return form_failed("admin/campaign_form.html", problems, form=request.form, campaign_id=campaign_id,
                       multipliers=multiplier_rows(request.form))


def read_campaign(form: Mapping[str, str]) -> tuple[CampaignData | None, dict]:
    """The campaign form as CampaignData, or None and the problems of the fields that could not be read."""
    r = FormReader(form)
    starts_on, ends_on = r.day("starts_on", required=True), r.day("ends_on", required=True)
    values = {
        "code": r.text("code", 50), "name": r.text("name", 300),
        "submission_days": r.whole("submission_days", 30), "points_per_pln": r.decimal("points_per_pln"),
        "basis": r.text("basis", 10) or "gross", "fixed_bonus": r.whole("fixed_bonus", 0),
        "minimum_purchase": r.decimal("minimum_purchase", Decimal(0)),
        "caps": (r.whole("cap_day"), r.whole("cap_month"), r.whole("cap_campaign")),
        "multipliers": _multipliers(r), "eligible_skus": r.words("eligible_skus") or None,
        "require_buyer_nip": r.flag("require_buyer_nip"), "auto_approve": r.flag("auto_approve"),
        "active": r.flag("active"), "partners": r.words("partners") or None, "outlets": r.words("outlets") or None,
    }
    if values["points_per_pln"] is None:
        r.problems.setdefault("points_per_pln", Problem("required"))
    if r.problems or starts_on is None or ends_on is None:
        return None, r.problems
    return CampaignData(starts_on=starts_on, ends_on=ends_on, **values), {}


def _multipliers(r: FormReader) -> tuple[MultiplierRow, ...]:
    rows = []
    for index in range(_multiplier_count(r.form)):
        prefix = f"mult-{index}-"
        if not any(r.text(prefix + part) for part in ("factor", "skus", "from", "to")):
            continue  # an empty row
        factor = r.decimal(prefix + "factor")
        if factor is None:
            r.problems.setdefault(prefix + "factor", Problem("required"))
            continue
        rows.append(MultiplierRow(factor, r.words(prefix + "skus"), r.day(prefix + "from"), r.day(prefix + "to")))
    return tuple(rows)


def _multiplier_count(form: Mapping[str, str]) -> int:
    indexes = [int(m.group(1)) for key in form.keys() if (m := _MULTIPLIER_KEY.match(key))]
    return min(MAX_MULTIPLIERS, max(indexes, default=-1) + 1)


def multiplier_rows(form: Mapping[str, str]) -> list[dict]:
    """The multiplier rows to show: the ones in `form` up to the last filled one, then a few blank ones."""
    rows = [{part: form.get(f"mult-{i}-{part}", "") for part in ("factor", "skus", "from", "to")}
            for i in range(_multiplier_count(form))]
    while rows and not any(str(v).strip() for v in rows[-1].values()):
        rows.pop()
    count = len(rows)
    blanks = min(BLANK_MULTIPLIERS, MAX_MULTIPLIERS - count)
    return rows + [{"factor": "", "skus": "", "from": "", "to": ""} for _ in range(blanks)]


def campaign_form(campaign: Campaign) -> dict[str, str]:
    """A campaign's values as the form's text."""
    rules = campaign.rules or {}
    caps = rules.get("caps") or {}
    form = {
        "code": campaign.code, "name": campaign.name, "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(), "submission_days": str(campaign.submission_days),
        "points_per_pln": _plain(rules.get("per_pln", campaign.points_per_pln)),
        "basis": str(rules.get("basis", "gross")), "fixed_bonus": str(rules.get("fixed_bonus", 0)),
        "minimum_purchase": _plain(rules.get("minimum_purchase", "0")),
        "cap_day": _optional(caps.get("per_day")), "cap_month": _optional(caps.get("per_month")),
        "cap_campaign": _optional(caps.get("per_campaign")),
        "eligible_skus": "\n".join(campaign.eligible_skus or []),
        "require_buyer_nip": _on(campaign.require_buyer_nip), "auto_approve": _on(campaign.auto_approve),
        "active": _on(campaign.active),
    }
    for index, row in enumerate((rules.get("multipliers") or [])[:MAX_MULTIPLIERS]):
        form |= {f"mult-{index}-factor": _plain(row.get("factor", "")), f"mult-{index}-skus": ", ".join(
            row.get("skus") or []), f"mult-{index}-from": row.get("from_date") or "",
                 f"mult-{index}-to": row.get("to_date") or ""}
    return form


def _plain(value: object) -> str:
    """A number without trailing zeros ('1.0000' -> '1', '0.50' -> '0.5')."""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _optional(value: object) -> str:
    return "" if value is None else str(value)


def _on(value: bool) -> str:
    return "1" if value else ""


@bp.get("/codes")
@role_required(*READERS)
def codes():
    return render_template("admin/codes.html", batches=code_batches(db()))
