"""Admin pages for reaching participants: e-mail campaigns (draft, preview with the recipient count, send, the
deliveries report with CSV) and the news feed. Admins write and send; auditors read campaigns and the report."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for

from claims.errors import ClaimsError
from claims.services import mail_campaigns as mail
from claims.services import news as news_service
from claims.services.mail_delivery import delivery_counts, report_rows
from claims.services.segments import Segment, count_recipients, parse_segment, segment_choices
from review_ui.access import acting_user, role_required
from review_ui.admin_base import ADMIN, READERS, bp
from review_ui.db import db, write
from review_ui.errors import claims_error_message
from review_ui.i18n import t
from review_ui.reports import to_csv

SEGMENT_FIELDS = ("cities", "inactive_days")


def _segment_form(segment: Segment) -> dict:
    return {"tier": list(segment.tiers), "partner": [str(p) for p in segment.partner_ids],
            "cities": ", ".join(segment.cities), "inactive_days": str(segment.inactive_days or ""),
            "region": list(segment.regions)}


def _posted_form(*names: str) -> dict:
    form = {name: request.form.get(name, "")[:20_000] for name in (*names, *SEGMENT_FIELDS)}
    form.update(tier=request.form.getlist("tier")[:50], partner=request.form.getlist("partner")[:50],
                region=request.form.getlist("region")[:50])
    return form


def _posted_segment(form: dict) -> Segment:
    return parse_segment(form["tier"], form["cities"], form["partner"], form["inactive_days"], form["region"])


def _page(template: str, status: int = 200, **context):
    return render_template(template, choices=segment_choices(db()), **context), status


@bp.get("/mail")
@role_required(*READERS)
def mail_campaigns():
    rows = mail.campaigns(db())
    return render_template("admin/mail_campaigns.html", campaigns=rows,
                           counts=delivery_counts(db(), [c.id for c in rows]))


@bp.get("/mail/new")
@role_required(*ADMIN)
def mail_campaign_form():
    return _page("admin/mail_campaign.html", campaign=None, form=_segment_form(Segment()), errors={})


@bp.get("/mail/<int:campaign_id>")
@role_required(*READERS)
def mail_campaign(campaign_id: int):
    campaign = mail.get_campaign(db(), campaign_id)
    segment = Segment.from_json(campaign.segment)
    form = {"subject": campaign.subject, "body": campaign.body, "track_opens": "1" if campaign.track_opens else "",
            **_segment_form(segment)}
    count = count_recipients(db(), segment) if campaign.status == "draft" else None
    report = delivery_counts(db(), [campaign_id]).get(campaign_id)
    return _page("admin/mail_campaign.html", campaign=campaign, form=form, errors={}, recipients=count,
                 preview=campaign.body, report=report)


@bp.post("/mail/new")
@bp.post("/mail/<int:campaign_id>")
@role_required(*ADMIN)
def save_mail_campaign(campaign_id: int | None = None):
    """Save the draft; "Preview" shows the text as participants will read it and the count, saving nothing."""
    form = _posted_form("subject", "body", "track_opens")
    campaign = mail.get_campaign(db(), campaign_id) if campaign_id else None
    try:
        segment = _posted_segment(form)
        if request.form.get("action") == "preview":
            subject, body = mail.check_text(form["subject"], form["body"])
            return _page("admin/mail_campaign.html", campaign=campaign, form=form, errors={}, preview=body,
                         recipients=count_recipients(db(), segment))
        saved = write(lambda s: mail.save_campaign(s, form["subject"], form["body"], segment,
                                                   bool(form["track_opens"]), acting_user(), campaign_id).id)
    except ClaimsError as error:
        field = str(error.details.get("field") or "subject")
        return _page("admin/mail_campaign.html", 422, campaign=campaign, form=form,
                     errors={field: claims_error_message(error)})
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.mail_campaign", campaign_id=saved), code=303)


@bp.post("/mail/<int:campaign_id>/send")
@role_required(*ADMIN)
def send_mail_campaign(campaign_id: int):
    mail.get_campaign(db(), campaign_id)  # 404 for an unknown one
    back = url_for("admin.mail_campaign", campaign_id=campaign_id)
    try:
        write(lambda s: mail.queue_campaign(s, campaign_id, acting_user()))
    except ClaimsError as error:
        flash(claims_error_message(error), "error")
        return redirect(back, code=303)
    flash(t("mail.queued"), "success")
    return redirect(back, code=303)


@bp.get("/mail/report.csv")
@role_required(*READERS)
def mail_report():
    header, rows = report_rows(db())
    return Response(to_csv(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="mail-campaigns.csv"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


@bp.get("/news")
@role_required(*READERS)
def news():
    return render_template("admin/news.html", posts=news_service.all_news(db()))


@bp.get("/news/new")
@bp.get("/news/<int:news_id>")
@role_required(*ADMIN)
def news_form(news_id: int | None = None):
    post = news_service.get_news(db(), news_id) if news_id else None
    form = _segment_form(Segment.from_json(post.segment if post else None))
    form.update(title=post.title if post else "", body=post.body if post else "",
                publish_at=(post.publish_at if post else datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M"))
    return _page("admin/news_form.html", post=post, form=form, errors={})


def _publish_at(raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ClaimsError("not a time", code="bad_publish_at", field="publish_at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.post("/news/new")
@bp.post("/news/<int:news_id>")
@role_required(*ADMIN)
def save_news_form(news_id: int | None = None):
    form = _posted_form("title", "body", "publish_at")
    post = news_service.get_news(db(), news_id) if news_id else None
    try:
        segment, when = _posted_segment(form), _publish_at(form["publish_at"])
        saved = write(lambda s: news_service.save_news(s, form["title"], form["body"], when, segment,
                                                       acting_user(), news_id).id)
    except ClaimsError as error:
        field = str(error.details.get("field") or "title")
        return _page("admin/news_form.html", 422, post=post, form=form, errors={field: claims_error_message(error)})
    flash(t("admin.saved"), "success")
    return redirect(url_for("admin.news_form", news_id=saved), code=303)
