"""Programme set-up by an admin: the shared checks, campaigns and product-code batches.

Values come in typed (the web form parses text); these modules check them with the rules the CSV import uses
(NIP and EAN check digits, positive pack sizes, known SKUs), raise InvalidFormError naming every wrong field,
and record each change as an audit event with the values before and after. The catalogue, partners and
outlets are in admin_catalogue, staff accounts in admin_users.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.audit import record_event
from claims.db.models import Campaign, Outlet, Partner, Product, ProductCode, ProductCodeBatch, User
from claims.errors import InvalidInputError, NotFoundError


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a code the UI translates, and a detail to show (e.g. unknown SKUs)."""

    code: str
    detail: str = ""


class InvalidFormError(InvalidInputError):
    """Some fields are wrong; `problems` maps each field name to its Problem. Nothing was saved."""

    code = "invalid_form"

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__("invalid fields: " + ", ".join(sorted(problems)))
        self.problems = problems


def raise_if(problems: dict[str, Problem]) -> None:
    if problems:
        raise InvalidFormError(problems)


def _json_safe(value: object) -> object:
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def snapshot(row: object, names: tuple[str, ...]) -> dict:
    """The named attributes of `row`, JSON-safe (audit events keep them as before/after)."""
    return {name: _json_safe(getattr(row, name)) for name in names}


def get_row(session: Session, model: type, key: int):
    """The row of `model` with primary key `key`, or NotFoundError."""
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"no {model.__name__.lower()} {key}")
    return row


def check_text(problems: dict[str, Problem], name: str, value: str, limit: int, required: bool = True) -> None:
    if required and not value:
        problems[name] = Problem("required")
    elif len(value) > limit:
        problems[name] = Problem("too_long", str(limit))


def taken(session: Session, column, value: str, own_id: int | None) -> bool:
    model = column.class_
    query = select(model.id).where(column == value)
    if own_id is not None:
        query = query.where(model.id != own_id)
    return session.scalar(query.limit(1)) is not None


def like_pattern(query: str) -> str:
    """`query` as an ILIKE pattern matching it anywhere, its wildcards escaped (use escape="\\")."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def record_saved(session: Session, actor: User, row: object, names: tuple[str, ...], noun: str,
                 before: dict | None) -> None:
    """Flush the saved row and record `<noun>_created` or `<noun>_updated` with before and after."""
    session.flush()
    after = snapshot(row, names)
    action = f"{noun}_created" if before is None else f"{noun}_updated"
    record_event(session, action, actor_user_id=actor.id, before=before, after={"id": row.id, **after})


# ---- campaigns -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MultiplierRow:
    factor: Decimal
    skus: tuple[str, ...] = ()
    from_date: date | None = None
    to_date: date | None = None

    def to_json(self) -> dict:
        return {"factor": str(self.factor), "skus": list(self.skus) or None,
                "from_date": self.from_date.isoformat() if self.from_date else None,
                "to_date": self.to_date.isoformat() if self.to_date else None}


@dataclass(frozen=True)
class CampaignData:
    code: str
    name: str
    starts_on: date
    ends_on: date
    submission_days: int = 30
    points_per_pln: Decimal = Decimal(1)
    basis: str = "gross"
    fixed_bonus: int = 0
    minimum_purchase: Decimal = Decimal(0)
    caps: tuple[int | None, int | None, int | None] = (None, None, None)  # per day, month, campaign
    multipliers: tuple[MultiplierRow, ...] = ()
    eligible_skus: tuple[str, ...] | None = None  # None: every catalogue product
    require_buyer_nip: bool = False
    auto_approve: bool = False
    active: bool = True
    partners: tuple[str, ...] | None = None  # partner codes the campaign runs at (None: every partner)
    outlets: tuple[str, ...] | None = None  # outlet codes (None: every outlet of those partners)

    def rules_json(self) -> dict:
        day, month, campaign = self.caps
        return {"basis": self.basis, "fixed_bonus": self.fixed_bonus,
                "minimum_purchase": str(self.minimum_purchase),
                "caps": {"per_day": day, "per_month": month, "per_campaign": campaign},
                "multipliers": [m.to_json() for m in self.multipliers]}


CAMPAIGN_FIELDS = ("code", "name", "starts_on", "ends_on", "submission_days", "points_per_pln", "rules",
                   "eligible_skus", "require_buyer_nip", "auto_approve", "active", "partner_ids", "outlet_ids")
#: Rule keys the form edits; others (per_unit) are kept. per_pln is dropped: points_per_pln is the one rate.
EDITED_RULES = ("basis", "fixed_bonus", "minimum_purchase", "caps", "multipliers", "per_pln")


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    return get_row(session, Campaign, campaign_id)


def save_campaign(session: Session, actor: User, data: CampaignData, campaign_id: int | None = None) -> Campaign:
    """Create a campaign, or update campaign `campaign_id`; InvalidFormError names the wrong fields."""
    campaign = get_campaign(session, campaign_id) if campaign_id is not None else Campaign()
    raise_if(_campaign_problems(session, data, campaign_id))
    before = snapshot(campaign, CAMPAIGN_FIELDS) if campaign_id is not None else None
    kept = {k: v for k, v in (campaign.rules or {}).items() if k not in EDITED_RULES}
    campaign.code, campaign.name = data.code, data.name
    campaign.starts_on, campaign.ends_on = data.starts_on, data.ends_on
    campaign.submission_days, campaign.points_per_pln = data.submission_days, data.points_per_pln
    campaign.rules = {**kept, **data.rules_json()}
    campaign.eligible_skus = list(data.eligible_skus) if data.eligible_skus is not None else None
    campaign.require_buyer_nip, campaign.auto_approve = data.require_buyer_nip, data.auto_approve
    campaign.active = data.active
    campaign.partner_ids = codes_to_ids(session, Partner, data.partners)
    campaign.outlet_ids = codes_to_ids(session, Outlet, data.outlets)
    session.add(campaign)
    record_saved(session, actor, campaign, CAMPAIGN_FIELDS, "campaign", before)
    return campaign


def _campaign_problems(session: Session, data: CampaignData, own_id: int | None) -> dict[str, Problem]:
    problems: dict[str, Problem] = {}
    check_text(problems, "code", data.code, 50)
    check_text(problems, "name", data.name, 300)
    if "code" not in problems and taken(session, Campaign.code, data.code, own_id):
        problems["code"] = Problem("taken")
    if data.ends_on < data.starts_on:
        problems["ends_on"] = Problem("dates_order")
    if not 0 <= data.submission_days <= 3650:
        problems["submission_days"] = Problem("out_of_range", "0–3650")
    if data.basis not in ("gross", "net"):
        problems["basis"] = Problem("invalid")
    for name, value in (("points_per_pln", data.points_per_pln), ("fixed_bonus", data.fixed_bonus),
                        ("minimum_purchase", data.minimum_purchase), *zip(("cap_day", "cap_month", "cap_campaign"),
                                                                          data.caps, strict=True)):
        if value is not None and value < 0:
            problems[name] = Problem("negative")
    for index, row in enumerate(data.multipliers):
        if row.factor <= 0:
            problems[f"mult-{index}-factor"] = Problem("not_positive")
        if row.from_date and row.to_date and row.to_date < row.from_date:
            problems[f"mult-{index}-to"] = Problem("dates_order")
        _unknown_skus(session, problems, f"mult-{index}-skus", row.skus)
    _unknown_skus(session, problems, "eligible_skus", data.eligible_skus or ())
    for name, model, codes in (("partners", Partner, data.partners), ("outlets", Outlet, data.outlets)):
        missing = [c for c in codes or () if c not in dict(_code_ids(session, model, codes or ()))]
        if missing:
            problems[name] = Problem("unknown_codes", ", ".join(missing[:20]))
    return problems


def _code_ids(session: Session, model: type[Partner] | type[Outlet], codes: tuple[str, ...]) -> list:
    return session.execute(select(model.code, model.id).where(model.code.in_(codes))).all() if codes else []


def codes_to_ids(session: Session, model: type[Partner] | type[Outlet], codes: tuple[str, ...] | None
                 ) -> list[int] | None:
    """The ids of partners or outlets named by code, in the given order (None: all)."""
    if codes is None:
        return None
    found = dict(_code_ids(session, model, codes))
    return [found[code] for code in codes if code in found]


def ids_to_codes(session: Session, model: type[Partner] | type[Outlet], ids: list[int] | None) -> tuple[str, ...]:
    """The codes of the partners or outlets with these ids (empty: all)."""
    if not ids:
        return ()
    return tuple(session.scalars(select(model.code).where(model.id.in_(ids)).order_by(model.code)))


def _unknown_skus(session: Session, problems: dict[str, Problem], name: str, skus: tuple[str, ...]) -> None:
    if not skus:
        return
    known = set(session.scalars(select(Product.sku).where(Product.sku.in_(set(skus)))))
    missing = [sku for sku in skus if sku not in known]
    if missing:
        problems[name] = Problem("unknown_skus", ", ".join(missing[:20]))


# ---- product codes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchSummary:
    id: int | None  # None: codes loaded without a batch
    name: str
    campaign: str | None
    points: int | None
    total: int
    used: int

    @property
    def unused(self) -> int:
        return self.total - self.used


def code_batches(session: Session) -> list[BatchSummary]:
    """Every batch of product codes with how many codes it has and how many claims used."""
    counts = {batch_id: (total, used) for batch_id, total, used in session.execute(
        select(ProductCode.batch_id, func.count(), func.count(ProductCode.claim_id)).group_by(ProductCode.batch_id))}
    query = (select(ProductCodeBatch, Campaign.code).outerjoin(Campaign, Campaign.id == ProductCodeBatch.campaign_id)
             .order_by(ProductCodeBatch.created_at.desc(), ProductCodeBatch.id.desc()))
    found = [BatchSummary(b.id, b.name, code, b.points, *counts.get(b.id, (0, 0)))
             for b, code in session.execute(query)]
    if None in counts:
        found.append(BatchSummary(None, "", None, None, *counts[None]))
    return found
