"""Admin pages of the display activities (beside trainings, surveys, tiers and contests): title, description,
period, points, the programme outlets where the display is photographed, the checklist the reviewer ticks with
its rule, and how often an outlet may claim it. Admins change them; auditors read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from claims.db.display_models import DisplayActivity
from claims.db.models import Outlet
from claims.errors import ClaimsError
from claims.services import displays as display_service
from review_ui.access import role_required
from review_ui.admin_base import ADMIN, READERS, bp
from review_ui.db import db, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t
from verification.displays import FREQUENCIES

DISPLAY_FIELDS = ("code", "title", "description", "starts_on", "ends_on", "points", "min_ticked", "frequency",
                  "checklist")
MAX_OUTLETS = 500


def _outlet_choices() -> list[Outlet]:
    return list(db().scalars(select(Outlet).where(Outlet.active.is_(True)).order_by(Outlet.name).limit(2000)))


@bp.get("/displays")
@role_required(*READERS)
def displays():
    rows = display_service.activities(db())
    names = {o.id: o.name for o in _outlet_choices()}
    return render_template("admin/displays.html", activities=rows, names=names)


def _display_form(activity: DisplayActivity | None) -> dict:
    if activity is None:
        return {"frequency": "month", "active": "1", "outlets": []}
    form = {name: "" if getattr(activity, name) is None else str(getattr(activity, name))
            for name in DISPLAY_FIELDS[:-1]}
    form.update(checklist="\n".join(activity.checklist), active="1" if activity.active else "",
                outlets=[str(i) for i in activity.outlet_ids])
    return form


def _render(activity: DisplayActivity | None, form: dict, errors: dict, status: int = 200):
    return render_template("admin/display_form.html", activity=activity, form=form, errors=errors,
                           outlets=_outlet_choices(), frequencies=FREQUENCIES), status


@bp.get("/displays/new")
@bp.get("/displays/<int:activity_id>")
@role_required(*ADMIN)
def display_form(activity_id: int | None = None):
    activity = display_service.get_activity(db(), activity_id) if activity_id else None
    return _render(activity, _display_form(activity), {})


@bp.post("/displays/new")
@bp.post("/displays/<int:activity_id>")
@role_required(*ADMIN)
def save_display_form(activity_id: int | None = None):
    form: dict = {name: request.form.get(name, "")[:20000] for name in DISPLAY_FIELDS}
    form["outlets"] = [value[:20] for value in request.form.getlist("outlets")[:MAX_OUTLETS]]
    form["active"] = "1" if request.form.get("active") else "0"
    try:
        saved = write(lambda s: display_service.save_activity(s, form, activity_id).id)
    except ClaimsError as error:
        field = str(error.details.get("field") or "code")
        activity = db().get(DisplayActivity, activity_id) if activity_id else None
        return _render(activity, form, {field: claims_error_message(error)}, 422)
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.display_form", activity_id=saved), code=303)
