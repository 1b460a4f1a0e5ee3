"""Small server-rendered SVG charts: no script and no external reference, so the same markup
shows in the browser and in a WeasyPrint PDF. Every text goes through format_html's escaping."""

import math
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 560, 220
# RIGHT leaves room for half of the last month label, which is centred on its point.
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 14, 34
INK, MUTED, OK, BAD, BRAND = "#1d2733", "#5b6775", "#1e7a3e", "#b3261e", "#0b4f8a"
# Grid lines 3.7:1 against the white chart: read by someone with low vision too (WCAG 1.4.11).
GRID = "#7c8693"


def _number(value):
    if value is None or value == "":
        return None
    return float(Decimal(str(value)))


def _point(item):
    if isinstance(item, dict):
        return str(item.get("label", "")), _number(item.get("value"))
    label, value = item
    return str(label), _number(value)


def _c(coordinate):
    return f"{coordinate:.1f}"


def _fmt(value):
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _svg(label, body):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{label}" '
        'font-family="DejaVu Sans, sans-serif" font-size="10">'
        "<title>{label}</title>{body}</svg>",
        w=WIDTH,
        h=HEIGHT,
        label=label,
        body=body,
    )


def _join(parts):
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - parts are escaped


def values_as_text(points):
    """The chart's values as a sentence ("2026-09: 99.9, 2026-10: not reported"): its <desc>,
    and the text shown beside it for whoever cannot see the line."""
    unreported = _("not reported")
    return ", ".join(
        f"{name}: {_fmt(value) if value is not None else unreported}"
        for name, value in (_point(item) for item in points)
    )


def availability_chart(points, target, comparison="at_least", percent=True, title=None):
    """A line of the values per period against the target as a dashed line; a missed period is
    a red dot. `points` are {"label", "value"} dicts or (label, value) pairs; None is a gap."""
    points = [_point(item) for item in points]
    target = _number(target)
    values = [value for _label, value in points if value is not None]
    known = [*values, *([target] if target is not None else [])]
    if percent:
        top = 100.0
        floor = max(0.0, math.floor(min(known, default=99.0) - 0.5))
    else:
        floor = 0.0
        top = max(known, default=1.0) * 1.15 or 1.0
    span = (top - floor) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(index):
        return LEFT + index * step

    def y(value):
        return TOP + plot_h * (top - min(max(value, floor), top)) / span

    def missed(value):
        if target is None or value is None:
            return False
        return value > target if comparison == "at_most" else value < target

    label = title or _("Measured values against the target")
    summary = values_as_text(points)
    parts = []
    for tick in (floor, floor + span / 2, top):
        parts.append(
            format_html(
                '<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{ty}" text-anchor="end" fill="{}">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                GRID,
                LEFT - 4,
                MUTED,
                _fmt(tick),
                y=_c(y(tick)),
                ty=_c(y(tick) + 3),
            )
        )
    if target is not None:
        parts.append(
            format_html(
                '<line class="target" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" '
                'stroke-width="1.5" stroke-dasharray="6 4"><title>{}</title></line>',
                LEFT,
                WIDTH - RIGHT,
                INK,
                _("Target: %(target)s") % {"target": _fmt(target)},
                y=_c(y(target)),
            )
        )
    segment = []
    segments = []
    for index, (_name, value) in enumerate(points):
        if value is None:
            segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(index):.1f},{y(value):.1f}")
    segments.append(segment)
    for coordinates in segments:
        if len(coordinates) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                    " ".join(coordinates),
                    BRAND,
                )
            )
    for index, (name, value) in enumerate(points):
        if value is not None:
            bad = missed(value)
            parts.append(
                format_html(
                    '<circle class="{}" cx="{}" cy="{}" r="{}" fill="{}">'
                    "<title>{}: {}{}</title></circle>",
                    "missed" if bad else "met",
                    _c(x(index)),
                    _c(y(value)),
                    4.5 if bad else 3,
                    BAD if bad else BRAND,
                    name,
                    _fmt(value),
                    _(" (missed)") if bad else "",
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                _c(x(index)),
                HEIGHT - BOTTOM + 16,
                MUTED,
                name,
            )
        )
    body = _join([format_html("<desc>{}</desc>", summary), *parts])
    return _svg(label, body)


def tickets_chart(periods, title=None):
    """Opened and closed support tickets per month as pairs of bars. `periods` are dicts with
    label, opened and closed."""
    periods = [
        (str(item.get("label", "")), int(item.get("opened") or 0), int(item.get("closed") or 0))
        for item in periods
    ]
    top = max([1, *(max(opened, closed) for _label, opened, closed in periods)])
    top = _nice(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - 14
    slot = plot_w / max(len(periods), 1)
    bar = min(28.0, slot / 3)

    def height(count):
        return plot_h * count / top

    label = title or _("Support tickets opened and closed per month")
    summary = "; ".join(
        _("%(label)s: %(opened)s opened, %(closed)s closed")
        % {"label": name, "opened": opened, "closed": closed}
        for name, opened, closed in periods
    )
    base = TOP + plot_h
    parts = [format_html("<desc>{}</desc>", summary)]
    for tick in (0, top // 2, top):
        ty = base - height(tick)
        parts.append(
            format_html(
                '<line x1="{}" y1="{ty}" x2="{}" y2="{ty}" stroke="{}"/>'
                '<text x="{}" y="{ly}" text-anchor="end" fill="{}">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                GRID,
                LEFT - 4,
                MUTED,
                tick,
                ty=_c(ty),
                ly=_c(ty + 3),
            )
        )
    for index, (name, opened, closed) in enumerate(periods):
        middle = LEFT + slot * (index + 0.5)
        for offset, count, colour, kind in (
            (-bar - 1, opened, BRAND, _("opened")),
            (1, closed, OK, _("closed")),
        ):
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    _c(middle + offset),
                    _c(base - height(count)),
                    _c(bar),
                    _c(height(count)),
                    colour,
                    name,
                    count,
                    kind,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                _c(middle),
                _c(base + 14),
                MUTED,
                name,
            )
        )
    legend_y = HEIGHT - 8
    parts.append(
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
            '<text x="{}" y="{}" fill="{}">{}</text>',
            [
                (LEFT, legend_y - 9, BRAND, LEFT + 14, legend_y, INK, _("Opened")),
                (LEFT + 90, legend_y - 9, OK, LEFT + 104, legend_y, INK, _("Closed")),
            ],
        )
    )
    return _svg(label, _join(parts))


def _nice(value):
    """A round number at or above value for the top of the axis."""
    magnitude = 10 ** max(len(str(int(value))) - 1, 0)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude
