from django.urls import path

from . import views

app_name = "relationship"

urlpatterns = [
    path("target-picture/", views.target_picture, name="target_picture"),
    path("target-picture/new/", views.city_goal_add, name="city_goal_add"),
    path("target-picture/<int:pk>/edit/", views.city_goal_edit, name="city_goal_edit"),
    path("target-picture/<int:pk>/retire/", views.city_goal_retire, name="city_goal_retire"),
    path(
        "target-picture/<int:pk>/reinstate/",
        views.city_goal_reinstate,
        name="city_goal_reinstate",
    ),
    path("contracts/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("contracts/<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("contracts/<int:pk>/goals/<int:goal_pk>/status/", views.goal_status, name="goal_status"),
    path("contracts/<int:pk>/expectations/", views.expectation_list, name="expectation_list"),
    path("contracts/<int:pk>/expectations/new/", views.expectation_add, name="expectation_add"),
    path("expectations/<int:pk>/edit/", views.expectation_edit, name="expectation_edit"),
    path("meetings/<int:pk>/pulse/", views.pulse_answer, name="pulse_answer"),
    path("pulse/", views.pulse_list, name="pulse_list"),
]
