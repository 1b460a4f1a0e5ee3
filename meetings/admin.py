from django.contrib import admin

from .models import Forum, Meeting


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "cadence", "weekday", "time_of_day", "is_active"]
    list_filter = ["level", "cadence", "is_active"]
    filter_horizontal = ["contracts"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["forum", "starts_at", "status", "sequence"]
    list_filter = ["status", "forum"]
    date_hierarchy = "starts_at"
