from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

WIDTH, HEIGHT = 96, 24


@register.simple_tag
def compliance_sparkline(monthly):
    """A small inline SVG of monthly compliance (0-100 %); months without figures are gaps."""
    if not monthly:
        return ""
    step = WIDTH / max(len(monthly) - 1, 1)
    points = [
        (round(index * step, 1), round(HEIGHT - 2 - percent / 100 * (HEIGHT - 4), 1))
        for index, (_month, percent) in enumerate(monthly)
        if percent is not None
    ]
    label = ", ".join(
        f"{month:%b %Y}: {'no figures' if percent is None else f'{percent:g} %'}"
        for month, percent in monthly
    )
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="1.6"/>', points)
    line = " ".join(f"{x},{y}" for x, y in points)
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}"><title>{}</title><polyline points="{}" fill="none"/>{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        label,
        line,
        dots,
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
