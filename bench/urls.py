"""The portal's URLs plus the baseline the benchmark compares every page against."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


@login_required
def trivial(request):
    """One query behind the same middleware, session and login as every page."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("governance.urls")),
]
