"""What each report chart shows, as Chart.js configurations (plain JSON the page hands to static/reports.js).

The charts are drawn in the browser by the vendored Chart.js; every chart stands beside its table, which
carries the same figures for screen readers and for copying. Bars get a minimum length so a zero (a partner
that decides within the hour: 0 h) is still visible, and long names sit on the category axis, not in a legend.
"""

from __future__ import annotations

from review_ui.formatting import status_label
from review_ui.i18n import t
from vocabulary.claims import ClaimStatus

#: Colours with at least 3:1 contrast against white (WCAG non-text contrast), one per series.
PALETTE = ("#0b5cad", "#b3261e", "#1f7a3a", "#7a5200", "#5a2d82", "#44546a", "#00707a")


def _bars(title: str, labels: list[str], values: list, unit: str = "", horizontal: bool = True,
          maximum: float | None = None) -> dict:
    return {
        "type": "bar", "title": title, "unit": unit,
        "data": {"labels": labels, "datasets": [{"label": title, "data": values, "backgroundColor": PALETTE[0],
                                                 "minBarLength": 4}]},
        "options": {"indexAxis": "y" if horizontal else "x", "legend": False, "max": maximum},
    }


def _series(kind: str, title: str, labels: list[str], series: dict[str, list], stacked: bool = False) -> dict:
    datasets = [{"label": name, "data": values, "backgroundColor": PALETTE[i % len(PALETTE)],
                 "borderColor": PALETTE[i % len(PALETTE)], "minBarLength": 2}
                for i, (name, values) in enumerate(series.items())]
    return {"type": kind, "title": title, "unit": "", "data": {"labels": labels, "datasets": datasets},
            "options": {"stacked": stacked, "legend": True}}


def chart_specs(tables: dict[str, list[dict]]) -> dict[str, dict]:
    """Every chart of the dashboard from its table's rows."""
    days = sorted({row["day"] for row in tables["claims_per_day"]})
    by_status = {s.value: [0] * len(days) for s in ClaimStatus}
    for row in tables["claims_per_day"]:
        by_status[row["status"]][days.index(row["day"])] += row["claims"]
    shown = {status_label(s): values for s, values in by_status.items() if any(values)}
    partners, sla, points = tables["partners"], tables["sla"], tables["points_per_day"]
    rated = [p for p in partners if p["approval_rate"] is not None]
    timed = [p for p in partners if p["median_hours_to_decision"] is not None]
    within = [r for r in sla if r["sla_share"] is not None]
    return {
        "claims_per_day": _series("bar", t("reports.claims_per_day"), days, shown, stacked=True),
        "approval_rate": _bars(t("partners.approval_rate"), [p["partner"] for p in rated],
                               [round(100 * p["approval_rate"], 1) for p in rated], "%", maximum=100),
        "decision_time": _bars(t("partners.median_hours"), [p["partner"] for p in timed],
                               [p["median_hours_to_decision"] for p in timed], "h"),
        "sla": _bars(t("reports.col.sla_share"), [r["partner"] for r in within],
                     [round(100 * r["sla_share"], 1) for r in within], "%", maximum=100),
        "top_products": _bars(t("reports.top_products"), [r["product"] for r in tables["top_products"]],
                              [r["claims"] for r in tables["top_products"]]),
        "participants": _bars(t("reports.participants"),
                              [r["company"] or r["participant"] for r in tables["participants"]],
                              [r["claims"] for r in tables["participants"]]),
        "points": _series("line", t("reports.points"), [r["day"] for r in points], {
            t("reports.col.issued"): [r["issued"] for r in points],
            t("reports.col.reversed"): [r["reversed"] for r in points],
            t("reports.col.redeemed"): [r.get("redeemed", 0) for r in points]}),
    }
