from django.contrib import admin
from django.utils import timezone

from .models import (
    AgendaTemplate,
    AgendaTemplateItem,
    Forum,
    Meeting,
    Minutes,
)
from .services import take_forum_contracts


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "cadence", "weekday", "time_of_day", "is_active"]
    list_filter = ["level", "cadence", "is_active"]
    filter_horizontal = ["contracts"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # As the forum page's edit does: its coming meetings are for its contracts now.
        take_forum_contracts(meetings=form.instance.meetings.filter(starts_at__gt=timezone.now()))


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["forum", "starts", "status", "sequence"]
    list_filter = ["status", "forum"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["contracts"]

    @admin.display(
        description=Meeting._meta.get_field("starts_at").verbose_name, ordering="starts_at"
    )
    def starts(self, meeting):
        """Stockholm time, written as the portal's pages and the meeting's name write it."""
        return f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"


# Stacked, not tabular: a tabular inline's fields have no label of their own (WCAG 1.3.1).
class AgendaTemplateItemInline(admin.StackedInline):
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
