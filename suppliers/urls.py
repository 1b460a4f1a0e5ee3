from django.urls import path

from . import views

app_name = "suppliers"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="list"),
    path("suppliers/new/", views.supplier_create, name="create"),
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
    path("people/<int:pk>/invite-again/", views.person_reinvite, name="person_reinvite"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/status/", views.contract_status, name="contract_status"),
    path("contracts/<int:pk>/notice/decide/", views.notice_decide, name="notice_decide"),
    path("contracts/<int:pk>/notice/snooze/", views.notice_snooze, name="notice_snooze"),
    path("contracts/<int:pk>/commitments/", views.commitment_add, name="commitment_add"),
    path(
        "contracts/<int:pk>/commitments/<int:commitment_pk>/delete/",
        views.commitment_delete,
        name="commitment_delete",
    ),
    path("contracts/<int:pk>/service-levels/", views.service_level_add, name="service_level_add"),
    path(
        "contracts/<int:pk>/service-levels/<int:service_level_pk>/delete/",
        views.service_level_delete,
        name="service_level_delete",
    ),
]
