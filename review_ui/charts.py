"""Charts drawn on the server as inline SVG: no script, no CDN, nothing the CSP has to allow.

Colours come from CSS classes (`series-0` … and `status-<name>`) in app.css; every chart has a title for screen
readers, and the pages show the same figures as a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH = 640
ROW_HEIGHT = 26
LABEL_WIDTH = 220
PLOT_HEIGHT = 200
MARGIN = 28


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def bar_chart(rows: Sequence[tuple[str, float]], title: str, unit: str = "", max_value: float | None = None
              ) -> Markup:
    """Horizontal bars, one per (label, value), labelled with their values."""
    if not rows:
        return _svg(WIDTH, 40, title, ['<text x="0" y="24" class="chart-empty">—</text>'])
    top = max_value or max((value for _, value in rows), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - 70
    body = []
    for index, (label, value) in enumerate(rows):
        y = index * ROW_HEIGHT + 4
        length = max(0.0, plot * float(value) / float(top))
        short = label if len(label) <= 32 else label[:31] + "…"
        body += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" class="chart-label" text-anchor="end">{escape(short)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{ROW_HEIGHT - 8}" class="series-0">'
            f'<title>{escape(label)}: {_number(value)}{escape(unit)}</title></rect>',
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" class="chart-value">'
            f'{_number(value)}{escape(unit)}</text>',
        ]
    return _svg(WIDTH, len(rows) * ROW_HEIGHT + 8, title, body)


def stacked_columns(days: Sequence[str], series: dict[str, Sequence[int]], title: str,
                    labels: dict[str, str] | None = None, class_prefix: str = "status-") -> Markup:
    """One column per day, stacked by series (e.g. claims by status), with a small legend."""
    if not days:
        return _svg(WIDTH, 40, title, ['<text x="0" y="24" class="chart-empty">—</text>'])
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top = max(totals) or 1
    step = (WIDTH - 2 * MARGIN) / len(days)
    bar = max(min(step - 2, 48), 1)
    body = _axis(top)
    labels = labels or {}
    for i, day in enumerate(days):
        base = PLOT_HEIGHT
        for name, values in series.items():
            height = PLOT_HEIGHT * values[i] / top
            if values[i]:
                body.append(f'<rect x="{MARGIN + i * step + (step - bar) / 2:.1f}" y="{base - height:.1f}" '
                            f'width="{bar:.1f}" height="{height:.1f}" class="{class_prefix}{name}">'
                            f'<title>{escape(day)} · {escape(labels.get(name, name))}: {values[i]}</title></rect>')
            base -= height
    body += _day_labels(days, step, offset=step / 2)
    body += _legend(list(series), class_prefix, PLOT_HEIGHT + 40, labels=labels)
    return _svg(WIDTH, PLOT_HEIGHT + 40 + 18 * ((len(series) + 3) // 4) + 6, title, body)


def line_chart(days: Sequence[str], series: dict[str, Sequence[int]], title: str) -> Markup:
    """One line per series over the days (e.g. points issued and reversed)."""
    if not days:
        return _svg(WIDTH, 40, title, ['<text x="0" y="24" class="chart-empty">—</text>'])
    top = max((v for values in series.values() for v in values), default=0) or 1
    step = (WIDTH - 2 * MARGIN) / max(len(days) - 1, 1)
    body = _axis(top)
    for index, (name, values) in enumerate(series.items()):
        points = " ".join(f"{MARGIN + i * step:.1f},{PLOT_HEIGHT - PLOT_HEIGHT * v / top:.1f}"
                          for i, v in enumerate(values))
        body.append(f'<polyline points="{points}" class="line series-{index}"><title>{escape(name)}</title>'
                    f'</polyline>')
        body += [f'<circle cx="{MARGIN + i * step:.1f}" cy="{PLOT_HEIGHT - PLOT_HEIGHT * v / top:.1f}" r="3" '
                 f'class="dot series-{index}"><title>{escape(days[i])} · {escape(name)}: {v}</title></circle>'
                 for i, v in enumerate(values)]
    body += _day_labels(days, step if len(days) > 1 else WIDTH)
    body += _legend(list(series), "series-", PLOT_HEIGHT + 40, indexed=True)
    return _svg(WIDTH, PLOT_HEIGHT + 40 + 18 * ((len(series) + 3) // 4) + 6, title, body)


def _axis(top: float) -> list[str]:
    return [
        f'<line x1="{MARGIN}" y1="{PLOT_HEIGHT}" x2="{WIDTH - MARGIN}" y2="{PLOT_HEIGHT}" class="axis"/>',
        f'<text x="{MARGIN - 4}" y="10" class="chart-value" text-anchor="end">{_number(top)}</text>',
        f'<text x="{MARGIN - 4}" y="{PLOT_HEIGHT}" class="chart-value" text-anchor="end">0</text>',
    ]


def _day_labels(days: Sequence[str], step: float, offset: float = 0) -> list[str]:
    every = max(1, len(days) // 6)
    return [f'<text x="{MARGIN + i * step + offset:.1f}" y="{PLOT_HEIGHT + 16}" class="chart-label" '
            f'text-anchor="{"middle" if offset else "start"}">{escape(day[5:])}</text>'
            for i, day in enumerate(days) if i % every == 0]


def _legend(names: list[str], prefix: str, y: int, indexed: bool = False,
            labels: dict[str, str] | None = None) -> list[str]:
    body = []
    for index, name in enumerate(names):
        x, row = MARGIN + (index % 4) * 150, y + 18 * (index // 4)
        css = f"{prefix}{index}" if indexed else f"{prefix}{name}"
        body += [f'<rect x="{x}" y="{row - 10}" width="12" height="12" class="{css}"/>',
                 f'<text x="{x + 16}" y="{row}" class="chart-label">{escape((labels or {}).get(name, name))}</text>']
    return body
