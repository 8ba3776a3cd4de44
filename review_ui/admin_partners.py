"""Admin pages: partners and their outlets (the NIP on a document routes a claim to its outlet's partner)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import flash, redirect, render_template, request, url_for

from claims.db.models import Outlet, Partner
from claims.errors import ClaimsError
from claims.services.admin_catalogue import (
    OutletData,
    PartnerData,
    get_outlet,
    get_partner,
    list_partners,
    save_outlet,
    save_partner,
)
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, READERS, FormReader, bp, failure_problems, form_failed
from review_ui.db import db, write
from review_ui.i18n import t


@bp.get("/partners")
@role_required(*READERS)
def partners():
    return render_template("admin/partners.html", partners=list_partners(db()))


@bp.get("/partners/new")
@role_required(*ADMIN)
def partner_new():
    return render_template("admin/partner_form.html", form={}, partner=None, errors={})


@bp.post("/partners/new")
@role_required(*ADMIN)
def partner_create():
    return _save_partner(None)


@bp.get("/partners/<int:partner_id>")
@role_required(*ADMIN)
def partner_edit(partner_id: int):
    partner = get_partner(db(), partner_id)
    form = {"code": partner.code, "name": partner.name, "nip": partner.nip or ""}
    return render_template("admin/partner_form.html", form=form, partner=partner, errors={})


@bp.post("/partners/<int:partner_id>")
@role_required(*ADMIN)
def partner_update(partner_id: int):
    return _save_partner(get_partner(db(), partner_id))


def _save_partner(partner: Partner | None):
    r = FormReader(request.form)
    data = PartnerData(code=r.text("code", 50), name=r.text("name", 300), nip=r.text("nip", 20) or None)
    partner_id = partner.id if partner is not None else None
    return _saved_or_form(lambda s, user: save_partner(s, user, data, partner_id), "admin/partner_form.html",
                          partner=partner)


@bp.get("/outlets/new")
@role_required(*ADMIN)
def outlet_new():
    form = {"partner_id": request.args.get("partner_id", "")[:12], "active": "1"}
    return _outlet_page(form, None)


@bp.post("/outlets/new")
@role_required(*ADMIN)
def outlet_create():
    return _save_outlet(None)


@bp.get("/outlets/<int:outlet_id>")
@role_required(*ADMIN)
def outlet_edit(outlet_id: int):
    outlet = get_outlet(db(), outlet_id)
    form = {"partner_id": str(outlet.partner_id), "code": outlet.code, "name": outlet.name, "nip": outlet.nip,
            "address": outlet.address, "city": outlet.city, "aliases": "\n".join(outlet.aliases or []),
            "active": "1" if outlet.active else ""}
    return _outlet_page(form, outlet)


@bp.post("/outlets/<int:outlet_id>")
@role_required(*ADMIN)
def outlet_update(outlet_id: int):
    return _save_outlet(get_outlet(db(), outlet_id))


def _outlet_page(form: Mapping[str, str], outlet: Outlet | None):
    return render_template("admin/outlet_form.html", form=form, outlet=outlet, partners=list_partners(db()),
                           errors={})


def _save_outlet(outlet: Outlet | None):
    data, problems = read_outlet(request.form)
    outlet_id = outlet.id if outlet is not None else None
    if data is None:
        return form_failed("admin/outlet_form.html", problems, form=request.form, outlet=outlet,
                           partners=list_partners(db()))
    return _saved_or_form(lambda s, user: save_outlet(s, user, data, outlet_id), "admin/outlet_form.html",
                          outlet=outlet, partners=list_partners(db()))


def read_outlet(form: Mapping[str, str]) -> tuple[OutletData | None, dict]:
    r = FormReader(form)
    partner_id = r.whole("partner_id")
    data = OutletData(partner_id=partner_id or 0, code=r.text("code", 50), name=r.text("name", 300),
                      nip=r.text("nip", 20), address=r.text("address", 300), city=r.text("city", 100),
                      aliases=r.names("aliases"), active=r.flag("active"))
    return (None, r.problems) if r.problems else (data, {})


def _saved_or_form(save: Callable, template: str, **context):
    """Save with the acting user, back to the partners list; on errors the form with every problem marked."""
    user = acting_user()
    try:
        write(lambda s: save(s, user))
    except ClaimsError as error:
        return form_failed(template, failure_problems(error), form=request.form, **context)
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.partners"), code=303)
