"""Every named URL of the portal with the arguments it takes and its view, straight from the
resolver, so a sweep cannot forget a new page."""

from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver

# Views that answer an htmx request for a named target with a smaller partial of their own.
HX_TARGETS = {
    "meetings:minutes_detail": "pdf-status",
    "operations:import_detail": "import-status",
    "export_job": "export-status",
}


class Route(NamedTuple):
    name: str
    arguments: tuple
    view: object


def url_patterns(resolver=None, namespace="", kwargs=()):
    """Each named URL as a Route; Django's admin is left out."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        arguments = (*kwargs, *pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, inner, arguments)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield Route(f"{namespace}{pattern.name}", tuple(sorted(arguments)), pattern.callback)
