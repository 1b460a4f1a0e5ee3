from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("people/<int:pk>/data/", views.personal_data_page, name="personal_data"),
    path("people/<int:pk>/data.json", views.personal_data_json, name="personal_data_json"),
    path("people/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/history/", views.contract_history, name="contract_history"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
