from django.urls import path

from . import contract_views, goal_views, views

app_name = "suppliers"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="list"),
    path("suppliers/new/", views.supplier_create, name="create"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="edit"),
    path("suppliers/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path(
        "suppliers/<int:pk>/contacts/<int:contact_pk>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("suppliers/<int:pk>/invitations/", views.invitation_create, name="invitation_create"),
    path(
        "suppliers/<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "suppliers/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("contracts/", contract_views.contract_list, name="contract_list"),
    path("contracts/new/", contract_views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", contract_views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", contract_views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/status/", contract_views.contract_status, name="contract_status"),
    path("contracts/<int:pk>/history/", contract_views.contract_history, name="contract_history"),
    path("contracts/<int:pk>/commitments/", contract_views.commitment_add, name="commitment_add"),
    path(
        "contracts/<int:pk>/commitments/<int:commitment_pk>/delete/",
        contract_views.commitment_delete,
        name="commitment_delete",
    ),
    path(
        "contracts/<int:pk>/service-levels/",
        contract_views.service_level_add,
        name="service_level_add",
    ),
    path(
        "contracts/<int:pk>/service-levels/<int:service_level_pk>/delete/",
        contract_views.service_level_delete,
        name="service_level_delete",
    ),
    path("contracts/<int:pk>/goals/", goal_views.goal_add, name="goal_add"),
    path("contracts/<int:pk>/goals/<int:goal_pk>/edit/", goal_views.goal_edit, name="goal_edit"),
    path(
        "contracts/<int:pk>/goals/<int:goal_pk>/status/",
        goal_views.goal_status,
        name="goal_status",
    ),
]
