"""Every named URL of the portal with the arguments it takes, straight from the resolver, so a
sweep cannot forget a new page."""

from django.urls import URLPattern, URLResolver, get_resolver


def url_patterns(resolver=None, namespace="", kwargs=()):
    """(url name, sorted argument names) of each named URL; Django's admin is left out."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        arguments = (*kwargs, *pattern.pattern.converters)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, inner, arguments)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", tuple(sorted(arguments))
