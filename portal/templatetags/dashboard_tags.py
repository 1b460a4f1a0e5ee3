from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

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
    # In the reader's language: month names, decimal comma or point.
    label = ", ".join(
        f"{date_format(month, 'M Y')}: "
        + (gettext("no figures") if percent is None else f"{number_format(percent)} %")
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
