from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("risks/", views.risk_list, name="list"),
    path("risks/new/", views.risk_create, name="create"),
    path("risks/<int:pk>/", views.risk_detail, name="detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="edit"),
    path("risks/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("risks/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
]
