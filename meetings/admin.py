from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AgendaTemplate,
    AgendaTemplateItem,
    Expectation,
    Forum,
    Meeting,
    Minutes,
    PulseResponse,
)


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "cadence", "weekday", "time_of_day", "is_active"]
    list_filter = ["level", "cadence", "is_active"]
    filter_horizontal = ["contracts"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["forum", "starts", "status", "sequence"]
    list_filter = ["status", "forum"]
    date_hierarchy = "starts_at"

    @admin.display(
        description=Meeting._meta.get_field("starts_at").verbose_name, ordering="starts_at"
    )
    def starts(self, meeting):
        """Stockholm time, written as the portal's pages and the meeting's name write it."""
        return f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"


class AgendaTemplateItemInline(admin.TabularInline):
    model = AgendaTemplateItem
    extra = 1


@admin.register(AgendaTemplate)
class AgendaTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "level"]
    list_filter = ["level"]
    inlines = [AgendaTemplateItemInline]


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    """Read only: minutes are written in the portal and locked by the database once approved."""

    list_display = ["meeting", "number", "approved_at", "approved_by"]
    list_filter = ["approved_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Expectation)
class ExpectationAdmin(SimpleHistoryAdmin):
    list_display = ["requirement", "contract", "agreed_on", "meeting", "recorded_by"]
    list_filter = ["agreed_on"]
    search_fields = ["requirement", "calibration", "contract__reference"]
    raw_id_fields = ["contract", "meeting", "recorded_by"]
    list_select_related = ["contract", "meeting__forum", "recorded_by"]


@admin.register(PulseResponse)
class PulseResponseAdmin(admin.ModelAdmin):
    list_display = ["meeting", "respondent", "side", "supplier", "trust", "dialogue", "delivery"]
    list_filter = ["side", "supplier"]
    raw_id_fields = ["meeting", "respondent"]
    list_select_related = ["meeting__forum", "respondent", "supplier"]
