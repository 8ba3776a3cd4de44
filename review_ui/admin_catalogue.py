"""Admin pages: the catalogue (paged, searchable), a product's form and its partners' learned printed names."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for

from claims.db.models import Product
from claims.errors import ClaimsError
from claims.services.admin_catalogue import (
    ProductData,
    delete_partner_name,
    get_product,
    partner_names_of,
    product_page,
    save_product,
)
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, PAGE_SIZE, READERS, FormReader, bp, failure_problems, form_failed, page_arg
from review_ui.db import db, write
from review_ui.i18n import t

MAX_QUERY = 100


@bp.get("/catalogue")
@role_required(*READERS)
def catalogue():
    query, page = request.args.get("q", "").strip()[:MAX_QUERY], page_arg()
    products, total = product_page(db(), query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("admin/catalogue.html", products=products, total=total, query=query, page=page,
                           has_next=page * PAGE_SIZE < total)


@bp.get("/catalogue/new")
@role_required(*ADMIN)
def product_new():
    return _product_page({"unit": "szt", "pack_size": "1", "points_per_unit": "0", "active": "1"}, None)


@bp.post("/catalogue/new")
@role_required(*ADMIN)
def product_create():
    return _save(None)


@bp.get("/catalogue/<int:product_id>")
@role_required(*ADMIN)
def product_edit(product_id: int):
    product = get_product(db(), product_id)
    return _product_page(product_form(product), product)


@bp.post("/catalogue/<int:product_id>")
@role_required(*ADMIN)
def product_update(product_id: int):
    return _save(get_product(db(), product_id))


@bp.post("/catalogue/<int:product_id>/names/<int:name_id>/delete")
@role_required(*ADMIN)
def product_name_delete(product_id: int, name_id: int):
    user = acting_user()
    get_product(db(), product_id)
    deleted = write(lambda s: delete_partner_name(s, user, product_id, name_id))
    flash(t("admin.name_deleted") if deleted else t("admin.name_gone"), "success" if deleted else "info")
    return redirect(url_for("admin.product_edit", product_id=product_id), code=303)


def _product_page(form: Mapping[str, str], product: Product | None):
    names = partner_names_of(db(), product.id) if product is not None else []
    return render_template("admin/product_form.html", form=form, product=product, names=names, errors={})


def _save(product: Product | None):
    product_id = product.id if product is not None else None
    data, problems = read_product(request.form, product.sku if product is not None else None)
    if data is not None:
        user = acting_user()
        try:
            saved = write(lambda s: save_product(s, user, data, product_id))
        except ClaimsError as error:
            problems = failure_problems(error)
        else:
            flash(t("admin.saved"), "success")
            return redirect(url_for("admin.product_edit", product_id=saved.id), code=303)
    names = partner_names_of(db(), product_id) if product_id is not None else []
    return form_failed("admin/product_form.html", problems, form=request.form, product=product, names=names)


def read_product(form: Mapping[str, str], sku: str | None) -> tuple[ProductData | None, dict]:
    """The product form as ProductData (`sku` is fixed once the product exists), or None and the problems."""
    r = FormReader(form)
    data = ProductData(
        sku=sku if sku is not None else r.text("sku", 64), name=r.text("name", 300),
        ean=r.text("ean", 20).replace(" ", "") or None, unit=r.text("unit", 16),
        pack_size=r.decimal("pack_size", Decimal(1)), points_per_unit=r.whole("points_per_unit", 0),
        aliases=r.names("aliases"), active=r.flag("active"),
    )
    return (None, r.problems) if r.problems else (data, {})


def product_form(product: Product) -> dict[str, str]:
    pack = str(product.pack_size)
    return {"sku": product.sku, "name": product.name, "ean": product.ean or "", "unit": product.unit,
            "pack_size": pack.rstrip("0").rstrip(".") if "." in pack else pack,
            "points_per_unit": str(product.points_per_unit), "aliases": "\n".join(product.aliases or []),
            "active": "1" if product.active else ""}
