"""`{% export_links "issues" %}`: a list page's "Export: CSV · Excel", with the page's filters."""

from typing import Any

from django import template
from django.urls import reverse

from governance.exports import CSV, XLSX, get_list

register = template.Library()


@register.inclusion_tag("governance/_export_links.html", takes_context=True)
def export_links(context: dict[str, Any], name: str, named: bool = False) -> dict[str, Any]:
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)  # the export holds every page of the list
    query = f"?{params.urlencode()}" if params else ""
    return {
        "title": get_list(name).title,
        "named": named,
        "csv_url": reverse("export", args=[name, CSV]) + query,
        "xlsx_url": reverse("export", args=[name, XLSX]) + query,
    }
