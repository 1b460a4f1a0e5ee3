from django.urls import path

from . import minutes_views, views

app_name = "meetings"

urlpatterns = [
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
    path("forums/", views.forum_list, name="forum_list"),
    path("forums/new/", views.forum_create, name="forum_create"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("meetings/<int:pk>/proposals/", views.agenda_proposals, name="agenda_proposals"),
    path("meetings/<int:pk>/proposals/new/", views.agenda_proposal_add, name="agenda_proposal_add"),
    path("proposals/<int:pk>/decide/", views.agenda_proposal_decide, name="agenda_proposal_decide"),
    path("meetings/<int:pk>/minutes/", minutes_views.minutes_start, name="minutes_start"),
    path("minutes/<int:pk>/", minutes_views.minutes_detail, name="minutes_detail"),
    path("minutes/<int:pk>/items/", minutes_views.minutes_item_add, name="minutes_item_add"),
    path("minutes/<int:pk>/attendees/", minutes_views.attendee_add, name="attendee_add"),
    path("minutes/<int:pk>/approve/", minutes_views.minutes_approve, name="minutes_approve"),
    path("minutes/<int:pk>/correct/", minutes_views.minutes_correct, name="minutes_correct"),
    path("minutes/<int:pk>/comments/", minutes_views.comment_add, name="comment_add"),
    path("minutes/<int:pk>/minutes.pdf", minutes_views.minutes_pdf, name="minutes_pdf"),
    path("minutes/items/<int:pk>/", minutes_views.minutes_item_edit, name="minutes_item_edit"),
    path("minutes/items/<int:pk>/actions/", minutes_views.action_add, name="action_add"),
    path("minutes/actions/<int:pk>/", minutes_views.action_edit, name="action_edit"),
    path("minutes/attendance/<int:pk>/", minutes_views.attendance_toggle, name="attendance_toggle"),
]
