from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Issue, IssueEvent


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    extra = 0
    readonly_fields = ["kind", "from_level", "to_level", "reason", "by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(SimpleHistoryAdmin):
    list_display = ["title", "level", "severity", "status", "due_on"]
    list_filter = ["level", "severity", "status"]
    search_fields = ["title"]
    filter_horizontal = ["contracts"]
    inlines = [IssueEventInline]
