from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CityGoal, Expectation, Goal, PulseResponse


@admin.register(CityGoal)
class CityGoalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "target_date", "retired_at"]
    search_fields = ["title"]


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["title", "contract", "target_date", "status", "city_goal"]
    list_filter = ["status"]
    search_fields = ["title", "contract__reference"]
    list_select_related = ["contract", "city_goal"]


@admin.register(Expectation)
class ExpectationAdmin(SimpleHistoryAdmin):
    list_display = ["requirement", "contract", "agreed_on", "meeting", "recorded_by"]
    list_filter = ["agreed_on"]
    search_fields = ["requirement", "calibration", "contract__reference"]
    raw_id_fields = ["contract", "meeting", "recorded_by"]
    list_select_related = ["contract", "meeting__forum", "recorded_by"]


@admin.register(PulseResponse)
class PulseResponseAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "respondent", "side", "supplier", "trust", "dialogue", "delivery"]
    list_filter = ["side", "supplier"]
    raw_id_fields = ["meeting", "respondent"]
    list_select_related = ["meeting__forum", "respondent", "supplier"]
