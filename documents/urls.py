from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/<slug:kind>/<int:object_id>/", views.attachments, name="attachments"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/v<int:number>/", views.download, name="download"),
]
