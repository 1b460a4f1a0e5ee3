from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("figures/", views.figure_list, name="figure_list"),
    path("figures/contracts/<int:pk>/", views.contract_figures, name="contract_figures"),
    path("figures/contracts/<int:pk>/report/", views.report, name="report"),
    path("figures/imports/", views.import_upload, name="import_upload"),
    path("figures/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("figures/imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path(
        "figures/measurements/<int:pk>/correct/",
        views.measurement_correct,
        name="measurement_correct",
    ),
]
