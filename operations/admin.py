from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FigureImport, Measurement, QuestionCount, TicketCount


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["service_level", "period_start", "value", "source", "reported_by"]
    list_filter = ["source", "service_level__contract__supplier"]
    search_fields = ["service_level__name", "service_level__contract__reference"]
    raw_id_fields = ["service_level", "reported_by", "breach_issue"]
    date_hierarchy = "period_start"


@admin.register(TicketCount)
class TicketCountAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "period_start", "priority", "opened", "closed", "source"]
    list_filter = ["priority", "source"]
    search_fields = ["contract__reference"]
    raw_id_fields = ["contract", "reported_by"]


@admin.register(QuestionCount)
class QuestionCountAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "period_start", "category", "questions", "source"]
    list_filter = ["source"]
    search_fields = ["contract__reference", "category"]
    raw_id_fields = ["contract", "reported_by"]


@admin.register(FigureImport)
class FigureImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "supplier", "status", "rows_total", "uploaded_by", "uploaded_at"]
    list_filter = ["status"]
    search_fields = ["filename", "supplier__name"]
    raw_id_fields = ["supplier", "uploaded_by"]
    readonly_fields = [
        "content",
        "created_count",
        "updated_count",
        "breach_count",
        "uploaded_at",
        "finished_at",
    ]
