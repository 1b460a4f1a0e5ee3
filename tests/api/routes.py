"""The API's operations as its router publishes them: the sweeps read them from here, so a new
route cannot be missed."""

from api.v1 import api

PREFIX = "/api/v1/"


def api_operations():
    """(METHOD, path template) of every operation, e.g. ("GET", "/api/v1/issues/{issue_id}")."""
    schema = api.get_openapi_schema(path_prefix=PREFIX)
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path
