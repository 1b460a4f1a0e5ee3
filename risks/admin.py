from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Risk, RiskComment


class RiskCommentInline(admin.TabularInline):
    model = RiskComment
    extra = 0
    readonly_fields = ["author", "body", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "supplier", "likelihood", "impact", "status", "review_on"]
    list_filter = ["status", "shared_with_supplier"]
    search_fields = ["title"]
    raw_id_fields = ["supplier", "contract", "owner_user", "owner_contact", "issues"]
    inlines = [RiskCommentInline]
