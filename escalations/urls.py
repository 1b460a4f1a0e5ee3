from django.urls import path

from . import views

app_name = "escalations"

urlpatterns = [
    path("issues/", views.issue_list, name="issue_list"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    # Before the moves: "comment" is not a move.
    path("issues/<int:pk>/comment/", views.issue_comment, name="issue_comment"),
    path(
        "issues/<int:pk>/<slug:move>/",
        views.issue_move,
        name="issue_move",
    ),
]
